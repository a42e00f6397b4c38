/** Housekeeping lists open requests every minute: finished requests are read once, not on every pass. */
import { MemoryStore } from '../../src/storage/memory-store';
import { RequestStore } from '../../src/storage/request-store';
import type { ChangeRequest, RequestState } from '../../src/workflow/types';

function request(id: string, state: RequestState): ChangeRequest {
  const at = new Date().toISOString();
  return {
    id,
    kind: 'clear-immutable-id',
    state,
    targetId: 'a11ce000-0000-4000-8000-000000000001',
    targetUpn: 'alice@contoso.com',
    targetDisplayName: 'Alice Smith',
    changes: [{ attribute: 'onPremisesImmutableId', before: 'AAAAAAAAAAAAAAAAAAAAAA==', after: null }],
    steps: [
      { name: 'patch', status: 'pending' },
      { name: 'verify', status: 'pending' },
    ],
    requester: { aadObjectId: '4e1e4000-0000-4000-8000-00000000000c', name: 'Helen Helpdesk' },
    conversationId: 'a:helen',
    tenantId: '7e4a0000-0000-4000-8000-000000000000',
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    approvals: [],
    requiredApprovals: 1,
  } as ChangeRequest;
}

function readCountingStore(): { store: MemoryStore; reads: string[] } {
  const store = new MemoryStore();
  const reads: string[] = [];
  const read = store.read.bind(store);
  store.read = (key) => {
    reads.push(key);
    return read(key);
  };
  return { store, reads };
}

it('reads a finished request once, then only the open ones on later passes', async () => {
  const { store, reads } = readCountingStore();
  const requests = new RequestStore(store);
  for (let i = 0; i < 5; i++) await requests.create(request(`done${i}`, 'completed'));
  await requests.create(request('open', 'awaiting-approval'));

  expect((await requests.listByState(['awaiting-approval'])).map((r) => r.id)).toEqual(['open']);
  reads.length = 0;
  expect((await requests.listByState(['awaiting-approval'])).map((r) => r.id)).toEqual(['open']);
  expect(reads).toEqual(['request_open']);
});

it('still finds a request that became open or finished since the last pass, and lists finished ones when asked', async () => {
  const requests = new RequestStore(new MemoryStore());
  await requests.create(request('a', 'awaiting-approval'));
  expect((await requests.listByState(['awaiting-approval'])).map((r) => r.id)).toEqual(['a']);
  await requests.transition('a', ['awaiting-approval'], (r) => ({ ...r, state: 'executing' }));
  await requests.create(request('b', 'awaiting-approval'));
  expect((await requests.listByState(['awaiting-approval'])).map((r) => r.id)).toEqual(['b']);
  expect((await requests.listByState(['executing'])).map((r) => r.id)).toEqual(['a']);
  await requests.transition('a', ['executing'], (r) => ({ ...r, state: 'completed' }));
  expect(await requests.listByState(['executing'])).toEqual([]);
  expect((await requests.listByState(['completed'])).map((r) => r.id)).toEqual(['a']);
});
