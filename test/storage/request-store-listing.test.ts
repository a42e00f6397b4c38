/** Housekeeping lists open requests every minute: finished requests are read once, not on every pass. */
import { MemoryStore } from '../../src/storage/memory-store';
import { RequestStore } from '../../src/storage/request-store';
import type { ChangeRequest, RequestState } from '../../src/workflow/types';
import { makeRequest } from '../helpers/change-request';

const request = (id: string, state: RequestState): ChangeRequest => makeRequest(id, state);

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
