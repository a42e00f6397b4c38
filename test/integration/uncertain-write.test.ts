/**
 * An uncertain write (timeout, connection reset, 500/502/503/504) is settled by reading back with
 * the same bounded backoff as verification, not one immediate read: a PATCH that lands late is
 * recorded as made; one whose read-backs still show the old value says "could not confirm", never
 * "nothing was changed".
 */
import { SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, HELPDESK, useHarness } from '../helpers/bot-harness';

const h = useHarness({ GRAPH_TIMEOUT_MS: '1000', VERIFY_MAX_WAIT_MS: '2500', CARD_ACTION_DEADLINE_MS: '10000' });

async function confirmClear(upn: string): Promise<{ requestId: string; card: string }> {
  await h.say(`clear immutable id for ${upn}`, { from: HELPDESK });
  const message = h.connector.messages().find((m) => cardOf(m.activity))!;
  const requestId = (findActions(cardOf(message.activity)!).find((a) => a.verb === 'request.approve')!.data as { requestId: string }).requestId;
  const { body } = await h.tap('clear.confirm', { requestId }, { from: APPROVER, replyToId: message.id });
  return { requestId, card: collectCardText(body.value as Record<string, unknown>).join('\n') };
}

const patches = () => h.sandbox.requests().filter((r) => r.method === 'PATCH');
const readBacks = () => {
  const all = h.sandbox.requests();
  const patchAt = all.findIndex((r) => r.method === 'PATCH');
  return all.slice(patchAt + 1).filter((r) => r.method === 'GET' && r.path === `/v1.0/users/${SANDBOX_USERS.alice}`);
};
const eventsOf = (requestId: string) => h.audit.entries.filter((e) => e.requestId === requestId).map((e) => e.event);

it('a PATCH that times out but lands a moment later is found by the backoff read-back and recorded as made, sent once', async () => {
  // Graph applies it after 1.4 s; the bot gave up waiting after 1 s, and an immediate read still shows the old value.
  h.sandbox.addFault({ method: 'PATCH', pathIncludes: SANDBOX_USERS.alice, delayMs: 1400, times: 1 });
  const { requestId, card } = await confirmClear('alice@contoso.com');
  expect(card).toMatch(/cleared/i);
  expect(card).not.toMatch(/fail|could not confirm/i);
  expect(patches()).toHaveLength(1);
  expect(readBacks().length).toBeGreaterThan(1);
  const request = await h.app.deps.requests.get(requestId);
  expect(request?.state).toBe('completed');
  expect(request?.steps.find((s) => s.name === 'patch')?.detail).toMatch(/uncertain/);
  expect(eventsOf(requestId)).toEqual(['request.created', 'request.approved', 'change.intent', 'change.succeeded']);
});

it.each([500, 503])('a PATCH answered %s whose read-backs keep showing the old value says "could not confirm", audited, and what to do', async (status) => {
  // 503 is retried by the Graph client (Retry-After 0), so every attempt fails.
  h.sandbox.addFault({ method: 'PATCH', pathIncludes: SANDBOX_USERS.alice, status: status as 500 | 503, retryAfterSeconds: 0 });
  const { requestId, card } = await confirmClear('alice@contoso.com');
  expect(card).toMatch(/could not confirm/i);
  expect(card).toMatch(/reads still show the old value/i);
  expect(card).toMatch(/show alice@contoso\.com/);
  expect(card).not.toMatch(/nothing was changed/i);
  // Read back with backoff for the verification wait, not once.
  expect(readBacks().length).toBeGreaterThan(2);
  const request = await h.app.deps.requests.get(requestId);
  expect(request?.state).toBe('failed');
  expect(request?.outcome?.status).toBe('unconfirmed');
  expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  const events = eventsOf(requestId);
  expect(events).toEqual(['request.created', 'request.approved', 'change.intent', 'change.unconfirmed']);
  expect(h.audit.entries.find((e) => e.event === 'change.unconfirmed')?.detail).toContain(`HTTP ${status}`);
});
