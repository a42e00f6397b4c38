/**
 * REQUEST_RETENTION: the sweep archives closed requests older than it; `history <user>` still
 * shows them (the audit stays), and a tap on an archived request's card says what happened.
 */
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, HELPDESK, useHarness } from '../helpers/bot-harness';
import { advanceClock } from '../helpers/security-helpers';

const h = useHarness({ REQUEST_RETENTION: '1h' });
const cardText = (c: unknown) => collectCardText(c as Record<string, unknown>).join('\n');

it('archives a completed request after the retention; its card then says so and history still lists it', async () => {
  await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
  const card = h.connector.messages().map((m) => cardOf(m.activity)).filter(Boolean).at(-1) as Record<string, unknown>;
  const requestId = (findActions(card).find((a) => a.verb === 'request.approve')?.data as { requestId: string }).requestId;
  const { body } = await h.tap('request.approve', { requestId }, { from: APPROVER });
  expect(cardText(body.value)).toMatch(/cleared/i);

  // Within the retention the sweep keeps it.
  await h.app.sweep();
  expect(await h.app.deps.requests.get(requestId)).toBeDefined();

  advanceClock(h, 2 * 3600_000);
  await h.app.sweep();
  expect(await h.app.deps.requests.get(requestId)).toBeUndefined();

  const late = await h.tap('request.approve', { requestId }, { from: APPROVER });
  expect(late.status).toBe(200);
  expect(String(late.body.value)).toMatch(/This request was closed on \d{4}-\d\d-\d\d \d\d:\d\d UTC and archived/);
  expect(String(late.body.value)).toContain('history alice@contoso.com');
  expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(1);

  h.connector.clear();
  await h.say('history alice@contoso.com', { from: HELPDESK });
  const history = h.connector.messages().map((m) => cardOf(m.activity)).filter(Boolean).at(-1);
  expect(cardText(history)).toMatch(/succeeded|cleared/i);

  // The archived change can still be undone: the archive keeps what it changed.
  h.connector.clear();
  await h.say(`undo ${requestId}`, { from: HELPDESK });
  const undoCard = h.connector.messages().map((m) => cardOf(m.activity)).filter(Boolean).at(-1);
  expect(findActions(undoCard as Record<string, unknown>).some((a) => a.verb === 'request.approve')).toBe(true);
  expect(cardText(undoCard)).toMatch(/undo|restore/i);
});

it('a tap on a request that never existed still gets the plain answer', async () => {
  const { body } = await h.tap('request.approve', { requestId: 'bm90LWEtcmVhbC1yZXF1ZXN0' }, { from: APPROVER });
  expect(String(body.value)).toMatch(/can't find this request/);
});
