/** Delivered activity ids in the shared store: the first delivery wins, a repeat within the window loses, an expired entry is taken over and purged. */
import { DeliveryStore } from '../../src/storage/delivery-store';
import { MemoryStore } from '../../src/storage/memory-store';

const MINUTE = 60_000;

it('lets exactly one of two instances claim a delivery, until the window has passed', async () => {
  const store = new MemoryStore();
  const a = new DeliveryStore(store, 10 * MINUTE);
  const b = new DeliveryStore(store, 10 * MINUTE);
  const now = new Date('2026-12-03T12:00:00Z');
  const claims = await Promise.all([a.claim('conv|1', now), b.claim('conv|1', now), a.claim('conv|1', now)]);
  expect(claims.filter(Boolean)).toHaveLength(1);
  expect(await b.claim('conv|1', new Date(now.getTime() + 9 * MINUTE))).toBe(false);
  expect(await b.claim('conv|2', now)).toBe(true);
  // Past the window the id is new again (Teams retries for minutes, not hours).
  expect(await b.claim('conv|1', new Date(now.getTime() + 11 * MINUTE))).toBe(true);
});

it('purges only expired entries', async () => {
  const store = new MemoryStore();
  const deliveries = new DeliveryStore(store, 10 * MINUTE);
  const now = new Date('2026-12-03T12:00:00Z');
  await deliveries.claim('old', now);
  await deliveries.claim('recent', new Date(now.getTime() + 8 * MINUTE));
  expect(await deliveries.purge(new Date(now.getTime() + 11 * MINUTE))).toBe(1);
  expect(await store.list('delivered_')).toHaveLength(1);
  expect(await deliveries.claim('recent', new Date(now.getTime() + 11 * MINUTE))).toBe(false);
});
