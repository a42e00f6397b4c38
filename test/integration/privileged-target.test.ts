/** With ALLOW_PRIVILEGED_TARGETS=true an admin can be targeted; Graph's 403 is then explained. */
import { collectCardText, findActions } from '../cards/card-text';
import { cardOf, Harness, startHarness } from '../helpers/bot-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ALLOW_PRIVILEGED_TARGETS: 'true' });
});
afterAll(async () => {
  await h.close();
});

const patches = () => h.sandbox.requests().filter((r) => r.method === 'PATCH');
const lastText = () => {
  const texts = h.connector.messages().filter((m) => m.activity.text);
  return texts[texts.length - 1]?.activity.text ?? '';
};

it('explains a 403 with the permission and the admin role needed, and records the failure', async () => {
  await h.say('clear immutable id for dave@contoso.com');
  const messages = h.connector.messages();
  const card = cardOf(messages[messages.length - 1]!.activity)!;
  const confirm = findActions(card).find((a) => a.verb === 'request.approve' && a.type === 'Action.Execute');
  const requestId = (confirm?.data as { requestId: string }).requestId;
  const { body } = await h.tap('clear.confirm', { requestId });
  expect(collectCardText(body.value as Record<string, unknown>).join('\n')).toMatch(/fail/i);
  expect(patches()).toHaveLength(1);
  expect(patches()[0]?.status).toBe(403);
  expect(lastText()).toMatch(/User\.ReadWrite\.All/);
  expect(lastText()).toMatch(/Privileged Authentication Administrator/);
  expect(h.audit.entries.map((e) => e.event)).toEqual(['request.created', 'request.approved', 'change.intent', 'change.failed']);
});

it('clears an admin once the app holds the privileged role', async () => {
  h.sandbox.reset();
  h.sandbox.grantPrivilegedRole(true);
  await h.say('clear immutable id for dave@contoso.com');
  const messages = h.connector.messages();
  const card = cardOf(messages[messages.length - 1]!.activity)!;
  const requestId = (findActions(card).find((a) => a.verb === 'request.approve')?.data as { requestId: string }).requestId;
  const { body } = await h.tap('clear.confirm', { requestId });
  expect(collectCardText(body.value as Record<string, unknown>).join('\n')).toMatch(/cleared/i);
  expect(patches().at(-1)?.status).toBe(204);
});
