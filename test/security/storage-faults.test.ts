/**
 * Threat: the bot's own storage (request state, audit trail) fails at the worst moment, and an
 * approval is lost in limbo, a change runs without its intent record, a change that ran loses its
 * outcome record, or the user is told something untrue.
 *
 * Faults never lose an approval or a record: the intent is written before the PATCH (no intent, no
 * PATCH); a request never stays "executing" because a write failed; the outcome of a PATCH that
 * ran is kept (audit, or at least an error log naming the request) and the approver learns the
 * change was made; a storage failure is not passed off as a Graph failure, and is logged.
 */
import { SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS } from '../../src/sandbox';
import type { AuditEntry } from '../../src/storage/audit-log';
import { cardOf, Harness, startHarness } from '../helpers/bot-harness';
import { captureLogs, cardText, lastText, patches, requestClear, sentCards, sleep, waitUntil } from '../helpers/security-helpers';

let h: Harness;
let logs: ReturnType<typeof captureLogs>;
beforeAll(async () => {
  h = await startHarness({ RATE_LIMIT_PER_MINUTE: '10000' });
});
afterAll(() => h.close());
beforeEach(() => {
  h.sandbox.reset();
  h.connector.clear();
  h.audit.entries.length = 0;
  logs = captureLogs();
});
afterEach(() => logs.restore());

const originalAppend = (entry: Omit<AuditEntry, 'id' | 'at'>) => Object.getPrototypeOf(h.audit).append.call(h.audit, entry) as Promise<AuditEntry>;
afterEach(() => {
  h.audit.append = originalAppend;
  delete (h.app.deps.requests as unknown as Record<string, unknown>).create;
});

/** The final answer to a tap: the invoke card or message, or the card update that replaced "Working…". */
async function finalAnswer(body: { type: string; value: unknown }, cardMessageId: string): Promise<string> {
  const answer =
    body.type === 'application/vnd.microsoft.card.adaptive'
      ? cardText(body.value)
      : typeof body.value === 'string'
        ? body.value
        : JSON.stringify(body.value ?? ''); // e.g. application/vnd.microsoft.error {code, message}
  if (!/Working/i.test(answer)) return answer;
  await waitUntil(() => h.connector.activities.some((a) => a.method === 'PUT' && a.activityId === cardMessageId && !/Working/i.test(cardText(cardOf(a.activity)))), 10_000, 'the card update');
  return cardText(cardOf(h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardMessageId).at(-1)!.activity));
}

it('a request that cannot be saved is not reported as a Graph failure, and the failure is logged', async () => {
  h.app.deps.requests.create = async () => {
    throw new Error('ENOSPC: no space left on device');
  };
  await h.say('clear immutable id for alice@contoso.com');
  expect(sentCards(h).filter((c) => /Confirm/.test(cardText(c.card)))).toHaveLength(0);
  expect(lastText(h)).not.toMatch(/Microsoft Graph|network error/i);
  expect(lastText(h)).not.toBe('');
  expect(patches(h.sandbox)).toHaveLength(0);
  const logged = logs.entries.filter((e) => (e.level === 'error' || e.level === 'warn') && JSON.stringify(e.fields).includes('ENOSPC'));
  expect(logged.length).toBeGreaterThan(0);
});

it('when the intent cannot be recorded, nothing is written and the request does not hang in "executing"', async () => {
  const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com');
  h.audit.append = async (entry) => {
    if (entry.event === 'change.intent') throw new Error('audit store unavailable');
    return originalAppend(entry);
  };
  const { body } = await h.tap('clear.confirm', { requestId }, { replyToId: cardMessageId });
  await finalAnswer(body, cardMessageId);
  await sleep(100);
  // No intent, no PATCH.
  expect(patches(h.sandbox)).toHaveLength(0);
  expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  // And the approval is not lost in limbo: failed (or back to waiting), never stuck "running".
  const request = await h.app.deps.requests.get(requestId);
  expect(request?.state).not.toBe('executing');
  h.audit.append = originalAppend;
  const later = await h.tap('clear.confirm', { requestId }, { replyToId: cardMessageId });
  expect(String(later.body.value)).not.toMatch(/running now/);
});

it('when the outcome cannot be recorded at once, the approver still learns the change was made and the record is kept', async () => {
  const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com');
  let failed = false;
  h.audit.append = async (entry) => {
    if (entry.event === 'change.succeeded' && !failed) {
      failed = true;
      throw new Error('audit store hiccup');
    }
    return originalAppend(entry);
  };
  const { body } = await h.tap('clear.confirm', { requestId }, { replyToId: cardMessageId });
  const answer = await finalAnswer(body, cardMessageId);
  expect(patches(h.sandbox)).toHaveLength(1);
  expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBeNull();
  // Not "something went wrong, try again": the change was made.
  expect(answer).toMatch(/cleared/i);
  expect((await h.app.deps.requests.get(requestId))?.state).toBe('completed');
  // The outcome survives: in the audit (retried), or at least in an error log naming the request.
  const audited = h.audit.entries.some((e) => e.requestId === requestId && e.event === 'change.succeeded');
  const logged = logs.entries.some((e) => e.level === 'error' && JSON.stringify(e.fields).includes(requestId));
  expect({ audited, logged }).not.toEqual({ audited: false, logged: false });
});
