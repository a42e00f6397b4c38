/**
 * What a chat turn costs besides the directory call and the card: no storage write for an
 * unchanged conversation reference, and a typing indicator only when the reply is slow.
 */
import { MemoryStore } from '../../src/storage/memory-store';
import { cardOf, useHarness } from '../helpers/bot-harness';

const h = useHarness();

afterEach(() => {
  jest.restoreAllMocks();
});

const referenceWrites = (spy: jest.SpyInstance): string[] => spy.mock.calls.map((call) => String(call[0])).filter((key) => key.startsWith('ref_'));

it('writes a chat’s conversation reference once, not again on every message', async () => {
  const writes = jest.spyOn(MemoryStore.prototype, 'write');
  expect(await h.say('show alice@contoso.com', { conversation: 'groupChat' })).toBe(200);
  expect(await h.say('show ivan@contoso.com', { conversation: 'groupChat' })).toBe(200);
  expect(await h.say('help', { conversation: 'groupChat' })).toBe(200);
  expect(referenceWrites(writes)).toHaveLength(1);
  // Every message still got its answer.
  expect(h.connector.messages(h.conversationIdFor('groupChat'))).toHaveLength(3);
});

it('answers a quick command without a typing indicator', async () => {
  expect(await h.say('help')).toBe(200);
  expect(h.connector.activities.map((a) => a.activity.type)).toEqual(['message']);
});

it('shows a typing indicator before a slow reply, never after it', async () => {
  h.sandbox.addFault({ pathIncludes: ['alice'], delayMs: 1600, times: 1 });
  expect(await h.say('show alice@contoso.com')).toBe(200);
  const types = h.connector.activities.map((a) => a.activity.type);
  expect(types[0]).toBe('typing');
  expect(types[types.length - 1]).toBe('message');
  expect(types.filter((t) => t === 'message')).toHaveLength(1);
  const card = cardOf(h.connector.messages()[0]!.activity);
  expect(JSON.stringify(card)).toContain('alice@contoso.com');
});
