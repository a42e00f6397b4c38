/**
 * Threat: Teams re-delivers an activity it thinks failed (or an attacker replays a captured one)
 * and the bot acts twice: two requests, two replies, two lookups, two approvals.
 *
 * The same activity delivered twice is processed once: one reply and one Graph lookup.
 */
import { randomUUID } from 'node:crypto';
import { MemoryStore } from '../../src/storage/memory-store';
import { Harness, HELPDESK, startHarness , useHarness } from '../helpers/bot-harness';
import { baseActivity, graphRequests, patches, requestClear, sentCards, sentTexts } from '../helpers/security-helpers';

const h = useHarness({ RATE_LIMIT_PER_MINUTE: '10000' });

const lookups = () => graphRequests(h.sandbox).filter((r) => r.path === '/v1.0/$batch');

function message(text: string, options: { conversation?: 'personal' | 'groupChat'; id?: string } = {}): Record<string, unknown> {
  return { ...baseActivity(h, { from: HELPDESK, conversation: options.conversation ?? 'personal', id: options.id ?? randomUUID() }), type: 'message', text };
}

it('answers a message delivered twice in a row once, with one Graph lookup', async () => {
  const activity = message('show alice@contoso.com');
  expect((await h.post(activity)).status).toBe(200);
  expect((await h.post(activity)).status).toBe(200);
  expect(sentCards(h)).toHaveLength(1);
  // A typing indicator comes only before a slow reply, and then only from the one processing.
  expect(h.connector.activities.filter((a) => a.activity.type === 'typing').length).toBeLessThanOrEqual(1);
  expect(lookups()).toHaveLength(1);
});

it('answers it once when both deliveries arrive at the same time', async () => {
  const activity = message('show alice@contoso.com');
  const statuses = await Promise.all([h.post(activity), h.post(activity), h.post(activity)]);
  expect(statuses.map((s) => s.status)).toEqual([200, 200, 200]);
  expect(sentCards(h)).toHaveLength(1);
  expect(lookups()).toHaveLength(1);
});

it('creates one request, not two, from a clear command delivered twice', async () => {
  const activity = message('clear immutable id for alice@contoso.com');
  await h.post(activity);
  await h.post(activity);
  expect(sentCards(h)).toHaveLength(1);
  expect(h.audit.entries.filter((e) => e.event === 'request.created')).toHaveLength(1);
});

it('runs an Action.Submit approval delivered twice once, with no second reply', async () => {
  const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com');
  h.connector.clear();
  const activity = { ...baseActivity(h, { replyToId: cardMessageId }), type: 'message', value: { verb: 'clear.confirm', requestId } };
  await h.post(activity);
  await h.post(activity);
  expect(patches(h.sandbox)).toHaveLength(1);
  // Not even an "already approved" answer: the second delivery is dropped before any handler.
  expect(sentTexts(h).filter((t) => /already approved/.test(t))).toHaveLength(0);
  expect(h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardMessageId)).toHaveLength(1);
});

it('still answers a different message, and the same id in another conversation (it is not over-eager)', async () => {
  const id = randomUUID();
  await h.post(message('show alice@contoso.com', { id }));
  await h.post(message('show judy@contoso.onmicrosoft.com'));
  await h.post(message('show alice@contoso.com', { id, conversation: 'groupChat' }));
  expect(sentCards(h)).toHaveLength(3);
  expect(lookups()).toHaveLength(3);
});

describe('two instances sharing state (as with Blob storage)', () => {
  it('answers a message once when Teams retries it on the other instance, at once or later', async () => {
    const store = new MemoryStore();
    const first = await startHarness({ RATE_LIMIT_PER_MINUTE: '10000' }, { store });
    let second: Harness | undefined;
    try {
      second = await startHarness(
        { RATE_LIMIT_PER_MINUTE: '10000' },
        { store, sandbox: first.sandbox, connector: first.connector, conversations: { personal: first.conversationIdFor('personal'), groupChat: first.conversationIdFor('groupChat'), channel: first.conversationIdFor('channel') } },
      );
      const lookupsOf = () => graphRequests(first.sandbox).filter((r) => r.path === '/v1.0/$batch');
      const delivery = { ...baseActivity(first, { from: HELPDESK }), type: 'message', text: 'show alice@contoso.com' };
      expect((await first.post(delivery)).status).toBe(200);
      expect((await second.post(delivery)).status).toBe(200);
      const together = { ...baseActivity(first, { from: HELPDESK }), type: 'message', text: 'clear immutable id for alice@contoso.com' };
      await Promise.all([first.post(together), second.post(together)]);
      expect(sentCards(first)).toHaveLength(2);
      expect(lookupsOf()).toHaveLength(2);
      expect(first.audit.entries.length + second.audit.entries.length).toBe(1); // one request.created
      // A different message still gets its answer on either instance.
      await second.post({ ...baseActivity(first, { from: HELPDESK }), type: 'message', text: 'help' });
      expect(first.connector.messages().length).toBe(3);
    } finally {
      await second?.close();
      await first.close();
    }
  });
});
