/**
 * Housekeeping reads only open requests (an open-request index), old stores are indexed once,
 * the index heals after a crash between its writes, and closed requests past REQUEST_RETENTION
 * are archived without listing the whole history.
 */
import { RequestStore } from '../../src/storage/request-store';
import type { ChangeRequest, RequestState } from '../../src/workflow/types';
import { CountingStore } from '../helpers/counting-store';
import { RunningAzurite, startAzurite } from '../helpers/azurite';
import { BACKENDS, makeBacking, removeTempDirs } from './backends';
import { makeRequest } from '../helpers/change-request';

const PENDING: RequestState[] = ['awaiting-approval', 'waiting-for-unsync'];
const HOUR = 3600_000;

function request(id: string, state: RequestState, at = new Date()): ChangeRequest {
  const outcome = { status: 'completed' as const, before: 'AAAAAAAAAAAAAAAAAAAAAA==', after: null, at: at.toISOString() };
  return makeRequest(id, state, { steps: [{ name: 'patch', status: 'pending' }], ...(state === 'completed' ? { outcome } : {}) }, at);
}

/** What one listing of pending requests costs on a store with `closed` finished requests and two open ones. */
async function listingCost(closed: number): Promise<{ reads: number; lists: number; listed: number; ids: string[] }> {
  const store = new CountingStore();
  const requests = new RequestStore(store);
  for (let i = 0; i < closed; i++) await requests.create(request(`done${i}`, 'completed'));
  await requests.create(request('open1', 'awaiting-approval'));
  await requests.create(request('open2', 'waiting-for-unsync'));
  // A fresh process (another instance, or after a restart): nothing remembered in memory.
  const fresh = new RequestStore(store);
  store.reset();
  const ids = (await fresh.listByState(PENDING)).map((r) => r.id).sort();
  return { ...store.counts, ids };
}

it('lists open requests at a cost that does not grow with the closed ones, even in a fresh process', async () => {
  const small = await listingCost(10);
  const large = await listingCost(2000);
  expect(large.ids).toEqual(['open1', 'open2']);
  expect(small.ids).toEqual(['open1', 'open2']);
  expect(large).toEqual(small);
  expect(large.listed).toBe(2);
  expect(large.reads).toBeLessThanOrEqual(3); // the index marker, then the two open requests
});

it('indexes a store written before the index existed, once, and then reads only open requests', async () => {
  const store = new CountingStore();
  // The old format: request_<id> keys only.
  for (let i = 0; i < 50; i++) await store.seed(`request_old${i}`, request(`old${i}`, 'completed', new Date(Date.now() - 200 * 86_400_000)));
  await store.seed('request_pending', request('pending', 'awaiting-approval'));
  await store.seed('request_running', request('running', 'executing'));

  const first = new RequestStore(store);
  expect((await first.listByState(PENDING)).map((r) => r.id)).toEqual(['pending']);
  expect((await first.listByState(['executing'])).map((r) => r.id)).toEqual(['running']);

  store.reset();
  const later = new RequestStore(store);
  expect((await later.listByState(['executing'])).map((r) => r.id)).toEqual(['running']);
  expect(store.listPrefixes).toEqual(['open_']);
  expect(store.readKeys.filter((k) => k.startsWith('request_'))).toEqual(expect.arrayContaining(['request_pending', 'request_running']));
  expect(store.readKeys.filter((k) => k.startsWith('request_'))).toHaveLength(2);

  // The old closed requests were found too: past a 90-day retention they are archived.
  const { archived } = await later.archiveClosed(new Date(Date.now() - 90 * 86_400_000));
  expect(archived).toHaveLength(50);
  expect(await later.get('old0')).toBeUndefined();
  expect((await later.getArchived('old0'))?.state).toBe('completed');
});

describe('crash windows between a request and its index entry', () => {
  it('heals an open entry whose request became final (crash before the entry was dropped)', async () => {
    const store = new CountingStore();
    const requests = new RequestStore(store);
    await requests.create(request('r', 'awaiting-approval'));
    // As if the process stopped right after writing the final state: the open entry is still there.
    const item = await store.read<ChangeRequest>('request_r');
    await store.seed('request_r', { ...item!.value, state: 'completed', updatedAt: new Date().toISOString() });
    expect(await requests.listByState(PENDING)).toEqual([]);
    expect(await store.list('open_')).toEqual([]);
    // …and it is archived like any other closed request.
    const { archived } = await requests.archiveClosed(new Date(Date.now() + 2 * HOUR));
    expect(archived.map((r) => r.id)).toEqual(['r']);
  });

  it('drops an old open entry whose request was never written (a create that failed), keeps a recent one', async () => {
    const store = new CountingStore();
    const requests = new RequestStore(store);
    await requests.listByState(PENDING); // indexes the (empty) store
    await store.seed('open_ghost', { at: new Date(Date.now() - HOUR).toISOString() });
    await store.seed('open_starting', { at: new Date().toISOString() });
    expect(await requests.listByState(PENDING)).toEqual([]);
    expect(await store.list('open_')).toEqual(['open_starting']);
  });

  it('a create whose index entry cannot be written creates nothing (the sweep never loses an open request)', async () => {
    const store = new CountingStore();
    const requests = new RequestStore(store);
    const write = store.write.bind(store);
    store.write = async (key, value, condition) => {
      if (key.startsWith('open_')) throw new Error('storage unavailable');
      return write(key, value, condition);
    };
    await expect(requests.create(request('x', 'awaiting-approval'))).rejects.toThrow('storage unavailable');
    expect(await requests.get('x')).toBeUndefined();
  });
});

describe('archiving after REQUEST_RETENTION', () => {
  it('archives closed requests older than the retention, keeps newer and open ones, and lists only the new minutes each pass', async () => {
    const store = new CountingStore();
    const requests = new RequestStore(store);
    await requests.listByState(PENDING); // a store indexed before the requests below
    await requests.create(request('old', 'completed', new Date(Date.now() - 100 * 86_400_000)));
    await requests.create(request('recent', 'completed'));
    await requests.create(request('open', 'awaiting-approval', new Date(Date.now() - 100 * 86_400_000)));
    // The cursor starts when the store was indexed: move it back as an older store's would be.
    await store.seed('meta_archive_cursor', { next: new Date(Date.now() - 101 * 86_400_000).toISOString().slice(0, 16) });

    const retention = 90 * 86_400_000;
    const first = await requests.archiveClosed(new Date(Date.now() - retention));
    expect(first.archived.map((r) => r.id)).toEqual(['old']);
    expect(first.complete).toBe(true);
    expect(await requests.get('old')).toBeUndefined();
    expect((await requests.getArchived('old'))?.id).toBe('old');
    expect((await requests.get('recent'))?.state).toBe('completed');
    expect((await requests.get('open'))?.state).toBe('awaiting-approval');
    expect(await store.list('request_')).toEqual(['request_open', 'request_recent']);

    // The next pass, a minute later, lists one minute of the closed index at most.
    store.reset();
    const next = await requests.archiveClosed(new Date(Date.now() - retention + 60_000));
    expect(next.archived).toEqual([]);
    expect(store.counts.lists).toBeLessThanOrEqual(1);
    expect(store.counts.listed).toBe(0);
  });
});

describe.each(BACKENDS)('the indexes on the %s store', (name) => {
  let azurite: RunningAzurite | undefined;
  beforeAll(async () => {
    if (name === 'blob') azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
    removeTempDirs();
  });

  it('lists open requests from the index and archives closed ones by minute prefix (keys with ":" in them)', async () => {
    const backing = makeBacking(name, () => azurite!.connectionString);
    const requests = new RequestStore(backing.store);
    await requests.create(request('open', 'awaiting-approval'));
    await requests.create(request('done', 'awaiting-approval'));
    await requests.transition('done', ['awaiting-approval'], (r) => ({ ...r, state: 'completed' }));
    const other = new RequestStore(backing.reopen?.() ?? backing.peer());
    expect((await other.listByState(PENDING)).map((r) => r.id)).toEqual(['open']);
    const { archived } = await other.archiveClosed(new Date(Date.now() + 2 * 60_000));
    expect(archived.map((r) => r.id)).toEqual(['done']);
    expect(await requests.get('done')).toBeUndefined();
    expect((await requests.getArchived('done'))?.state).toBe('completed');
    expect((await requests.get('open'))?.state).toBe('awaiting-approval');
  });
});
