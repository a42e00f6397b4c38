/**
 * The bot's own storage failing at each step after the claim (armed over HTTP through the
 * sandbox-only POST /_sandbox/storage-faults): the request never stays "executing" once the sweep
 * runs after its lease, the chat says what really happened, the audit keeps the intent and the
 * outcome, and no write reaches Graph twice.
 */
import { SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, HELPDESK, useHarness } from '../helpers/bot-harness';
import { advanceClock, captureLogs } from '../helpers/security-helpers';

const h = useHarness({ CARD_ACTION_DEADLINE_MS: '10000', RATE_LIMIT_PER_MINUTE: '10000' });
let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(async () => {
  logs.restore();
  await fetch(`${h.botUrl}/_sandbox/storage-faults`, { method: 'DELETE' });
});

async function arm(step: string, times = 1, after = 0): Promise<void> {
  const response = await fetch(`${h.botUrl}/_sandbox/storage-faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ step, times, after }),
  });
  expect(response.status).toBe(200);
}

async function approve(upn: string): Promise<{ requestId: string; cardId: string; answer: string }> {
  await h.say(`clear immutable id for ${upn}`, { from: HELPDESK });
  const message = h.connector.messages().filter((m) => cardOf(m.activity)).at(-1)!;
  const requestId = (findActions(cardOf(message.activity)!).find((a) => a.verb === 'request.approve')!.data as { requestId: string }).requestId;
  const { body } = await h.tap('request.approve', { requestId }, { from: APPROVER, replyToId: message.id });
  const answer = body.type === 'application/vnd.microsoft.card.adaptive' ? collectCardText(body.value as Record<string, unknown>).join('\n') : String(body.value);
  return { requestId, cardId: message.id, answer };
}

/** The lease runs out (the workflow clock moves past it) and a sweep runs, as on any instance. */
async function sweepAfterLease(): Promise<void> {
  advanceClock(h, 3 * 60_000);
  h.connector.clear();
  await h.app.sweep();
}

const writes = () => h.sandbox.requests().filter((r) => r.method === 'PATCH' || (r.method === 'POST' && r.path.includes('/restore')));
const eventsOf = (requestId: string) => h.audit.entries.filter((e) => e.requestId === requestId).map((e) => e.event);
const stateOf = async (requestId: string) => (await h.app.deps.requests.get(requestId))?.state;
const updatedCard = (cardId: string) =>
  h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardId).map((a) => collectCardText(cardOf(a.activity)!).join('\n')).join('\n');
const chat = () => h.connector.messages().map((m) => String(m.activity.text ?? '')).join('\n');

it('the switch is validated: an unknown step is a 400 that says which steps exist', async () => {
  const response = await fetch(`${h.botUrl}/_sandbox/storage-faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ step: 'everything' }) });
  expect(response.status).toBe(400);
  expect(await response.text()).toMatch(/claim, renew, finish, intent, step, outcome/);
});

it('renew right before the PATCH fails: nothing is written, the approver is told so, and the sweep settles it as unchanged', async () => {
  // The first renewal is before the intent record, the second right before the PATCH.
  await arm('renew', 1, 1);
  const { requestId, cardId, answer } = await approve('alice@contoso.com');
  expect(answer).toMatch(/stopped before writing/i);
  expect(answer).not.toMatch(/something went wrong/i);
  expect(writes()).toHaveLength(0);
  expect(await stateOf(requestId)).toBe('executing');

  await sweepAfterLease();
  expect(await stateOf(requestId)).toBe('failed');
  expect(updatedCard(cardId)).toMatch(/nothing was changed/i);
  expect(chat()).toMatch(/nothing was changed/i);
  expect(writes()).toHaveLength(0);
  expect(eventsOf(requestId)).toEqual(['request.created', 'request.approved', 'change.intent', 'change.reconciled']);
  expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  // A later sweep has nothing more to do.
  await sweepAfterLease();
  expect(updatedCard(cardId)).toBe('');
});

it('intent fails: nothing is written and the request waits for approval again', async () => {
  await arm('intent');
  const { requestId, answer } = await approve('alice@contoso.com');
  expect(answer).toMatch(/couldn't write the audit record/i);
  expect(writes()).toHaveLength(0);
  expect(await stateOf(requestId)).toBe('awaiting-approval');
});

it('intent and then putting the request back both fail: nothing is written, and the sweep settles it as unchanged', async () => {
  await arm('intent');
  await arm('finish');
  const { requestId, cardId, answer } = await approve('alice@contoso.com');
  expect(answer).toMatch(/could not write the audit record/i);
  expect(answer).toMatch(/stopped before writing/i);
  expect(writes()).toHaveLength(0);
  expect(await stateOf(requestId)).toBe('executing');

  await sweepAfterLease();
  expect(await stateOf(requestId)).toBe('failed');
  expect(updatedCard(cardId)).toMatch(/nothing was changed/i);
  expect(writes()).toHaveLength(0);
});

it('finish (after a successful PATCH) fails: the approver learns the change was made, and the sweep records it without a second PATCH', async () => {
  await arm('finish');
  const { requestId, cardId, answer } = await approve('alice@contoso.com');
  expect(answer).toMatch(/cleared/i);
  expect(answer).toMatch(/could not record this outcome/i);
  expect(answer).not.toMatch(/something went wrong|nothing was changed/i);
  expect(writes()).toHaveLength(1);
  expect(await stateOf(requestId)).toBe('executing');
  expect(eventsOf(requestId)).toEqual(['request.created', 'request.approved', 'change.intent', 'change.succeeded']);

  await sweepAfterLease();
  const settled = await h.app.deps.requests.get(requestId);
  expect(settled?.state).toBe('completed');
  expect(settled?.outcome?.after).toBeNull();
  expect(updatedCard(cardId)).toMatch(/cleared/i);
  expect(writes()).toHaveLength(1);
  expect(eventsOf(requestId)).toEqual(['request.created', 'request.approved', 'change.intent', 'change.succeeded', 'change.reconciled']);
  expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBeNull();
});

it('outcome record fails once: it is retried and kept; the request completes', async () => {
  await arm('outcome');
  const { requestId, answer } = await approve('alice@contoso.com');
  expect(answer).toMatch(/cleared/i);
  expect(await stateOf(requestId)).toBe('completed');
  expect(eventsOf(requestId)).toEqual(['request.created', 'request.approved', 'change.intent', 'change.succeeded']);
  expect(writes()).toHaveLength(1);
});

it('outcome record fails every time: the full record is logged as an error, the request completes, the user is told it was made', async () => {
  await arm('outcome', 3);
  const { requestId, answer } = await approve('alice@contoso.com');
  expect(answer).toMatch(/cleared/i);
  expect(await stateOf(requestId)).toBe('completed');
  expect(eventsOf(requestId)).toEqual(['request.created', 'request.approved', 'change.intent']);
  const logged = logs.entries.find((e) => e.level === 'error' && e.event === 'audit.outcome_failed');
  expect(logged?.fields).toMatchObject({ requestId, targetId: SANDBOX_USERS.alice });
  expect(writes()).toHaveLength(1);
});

it('a step record of a multi-step change fails: the change goes on, each write once, intent and outcome audited', async () => {
  // Both step records (restore done, patch done) fail all three attempts.
  await arm('step', 6);
  const { requestId, answer } = await approve('kate@contoso.com');
  expect(answer).not.toMatch(/something went wrong|fail/i);
  expect(await stateOf(requestId)).toBe('completed');
  expect(writes().map((r) => r.method)).toEqual(['POST', 'PATCH']);
  expect(eventsOf(requestId)).toEqual(['request.created', 'request.approved', 'change.intent', 'change.succeeded']);
  expect(logs.entries.some((e) => e.level === 'error' && e.event === 'audit.outcome_failed' && e.fields.requestId === requestId)).toBe(true);
});

it('renew before the second write of a multi-step change fails: the sweep says exactly where the user was left, and writes nothing more', async () => {
  // Renewals: before the intent, before the restore, before the PATCH (the third fails).
  await arm('renew', 1, 2);
  const { requestId, answer } = await approve('kate@contoso.com');
  expect(answer).toMatch(/WAS restored/);
  expect(writes().map((r) => r.method)).toEqual(['POST']);
  await sweepAfterLease();
  const settled = await h.app.deps.requests.get(requestId);
  expect(settled?.state).toBe('failed');
  expect(settled?.outcome?.message).toMatch(/WAS restored: it is a live, cloud-only user again, but its immutable ID is still set/);
  expect(settled?.steps.find((s) => s.name === 'restore')?.status).toBe('done');
  expect(writes().map((r) => r.method)).toEqual(['POST']);
});
