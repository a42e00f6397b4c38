/**
 * One contract for every KeyValueStore: memory, local files, and Azure Blob Storage (on Azurite).
 */
import { EtagConflictError, KeyValueStore } from '../../src/storage/key-value-store';
import { RunningAzurite, startAzurite } from '../helpers/azurite';
import { BACKENDS, Backing, makeBacking, removeTempDirs } from './backends';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
  removeTempDirs();
});

/** Keys like the bot's: Teams conversation ids and anything a careless key builder might make. */
const AWKWARD_KEYS = [
  'conversation_19:abc@thread.tacv2;messageid=123',
  'conversation_a:1Xyz-_AbC0==',
  'conversation_29:1a2B3c-D4e',
  'card_8:orgid:ade1e000-0000-4000-8000-00000000000d',
  'with space and +plus',
  'per%cent%2F%zz',
  'query?x#y&z=1',
  'slash/inside',
  'double//slash',
  '/leading-slash',
  'trailing-slash/',
  'trailing.',
  '..',
  '.',
  'star*(paren)!~',
  "o'brien",
  'ünïcødé 😀 中文',
  'back\\slash"quote<>|',
];

describe.each(BACKENDS)('%s store', (name) => {
  let backing: Backing;
  let store: KeyValueStore;
  beforeEach(() => {
    backing = makeBacking(name, () => azurite.connectionString);
    store = backing.store;
  });

  describe('read and write', () => {
    it('reads nothing for a key never written', async () => {
      expect(await store.read('request_missing')).toBeUndefined();
    });

    it('reads back what was written, with the eTag the write returned', async () => {
      const etag = await store.write('request_1', { state: 'awaiting-approval', n: 1 });
      expect(typeof etag).toBe('string');
      expect(etag).not.toBe('');
      expect(await store.read('request_1')).toEqual({ value: { state: 'awaiting-approval', n: 1 }, etag });
    });

    it('gives every write a new eTag', async () => {
      const first = await store.write('k', { v: 1 });
      const second = await store.write('k', { v: 2 });
      expect(second).not.toBe(first);
      expect(await store.read('k')).toEqual({ value: { v: 2 }, etag: second });
    });

    it.each<[string, unknown]>([
      ['a nested object', { a: { b: [1, { c: null }] }, when: '2024-05-01T00:00:00.000Z' }],
      ['an object with its own eTag and value fields', { eTag: 'mine', value: 'also mine', etag: 'x' }],
      ['an array', ['activity-1', 'activity-2']],
      ['a string', '1712345678901'],
      ['a number', 42],
      ['a boolean', false],
      ['null', null],
      ['non-ASCII text', { name: 'Jürgen Zoë 😀 中文', upn: "o'brien@contoso.com" }],
    ])('round-trips %s', async (_what, value) => {
      const etag = await store.write('value_kind', value);
      expect(await store.read('value_kind')).toEqual({ value, etag });
    });

    it.each(AWKWARD_KEYS)('keeps the key %j apart from every other key', async (key) => {
      const etag = await store.write(key, { key });
      expect(await store.read(key)).toEqual({ value: { key }, etag });
      expect(await store.list('')).toEqual([key]);
      expect(await store.read(key + 'x')).toBeUndefined();
      await store.delete(key);
      expect(await store.read(key)).toBeUndefined();
      expect(await store.list('')).toEqual([]);
    });

    it('stores all awkward keys side by side and lists them sorted', async () => {
      await Promise.all(AWKWARD_KEYS.map((key) => store.write(key, { key })));
      expect(await store.list('')).toEqual([...AWKWARD_KEYS].sort());
      for (const key of AWKWARD_KEYS) expect((await store.read<{ key: string }>(key))?.value.key).toBe(key);
    });
  });

  describe('conditional writes', () => {
    it('creates with "absent" only when the key does not exist', async () => {
      const etag = await store.write('request_a', { v: 1 }, { kind: 'absent' });
      const failure = store.write('request_a', { v: 2 }, { kind: 'absent' });
      await expect(failure).rejects.toBeInstanceOf(EtagConflictError);
      await expect(failure).rejects.toMatchObject({ key: 'request_a' });
      expect(await store.read('request_a')).toEqual({ value: { v: 1 }, etag });
    });

    it('writes with "etag" when the eTag is current, and returns the next one', async () => {
      const first = await store.write('request_e', { v: 1 });
      const second = await store.write('request_e', { v: 2 }, { kind: 'etag', etag: first });
      const third = await store.write('request_e', { v: 3 }, { kind: 'etag', etag: second });
      expect(await store.read('request_e')).toEqual({ value: { v: 3 }, etag: third });
    });

    it('refuses an "etag" write after another writer (another process) changed the item', async () => {
      const seen = await store.write('request_e', { v: 1 });
      await backing.peer().write('request_e', { v: 'theirs' });
      await expect(store.write('request_e', { v: 'mine' }, { kind: 'etag', etag: seen })).rejects.toBeInstanceOf(EtagConflictError);
      expect((await store.read('request_e'))?.value).toEqual({ v: 'theirs' });
    });

    it('refuses an "etag" write when the item was deleted or never existed', async () => {
      const seen = await store.write('request_d', { v: 1 });
      await store.delete('request_d');
      await expect(store.write('request_d', { v: 2 }, { kind: 'etag', etag: seen })).rejects.toBeInstanceOf(EtagConflictError);
      await expect(store.write('request_never', { v: 2 }, { kind: 'etag', etag: seen })).rejects.toBeInstanceOf(EtagConflictError);
      expect(await store.read('request_d')).toBeUndefined();
      expect(await store.read('request_never')).toBeUndefined();
    });

    it('refuses an eTag that some other key has', async () => {
      const other = await store.write('request_other', { v: 1 });
      await store.write('request_x', { v: 1 });
      await expect(store.write('request_x', { v: 2 }, { kind: 'etag', etag: other })).rejects.toBeInstanceOf(EtagConflictError);
    });

    it('treats "*" as an eTag like any other, not as a wildcard', async () => {
      const etag = await store.write('request_star', { v: 1 });
      await expect(store.write('request_star', { v: 2 }, { kind: 'etag', etag: '*' })).rejects.toBeInstanceOf(EtagConflictError);
      expect(await store.read('request_star')).toEqual({ value: { v: 1 }, etag });
    });

    it('"any" overwrites whatever is there', async () => {
      await store.write('k', { v: 1 }, { kind: 'absent' });
      const etag = await store.write('k', { v: 2 }, { kind: 'any' });
      expect(await store.read('k')).toEqual({ value: { v: 2 }, etag });
    });

    it('lets exactly one of many concurrent creators win', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => backing.peer().write('request_race', { writer: i }, { kind: 'absent' })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(EtagConflictError);
      const stored = await store.read<{ writer: number }>('request_race');
      expect(stored?.etag).toBe((won[0] as PromiseFulfilledResult<string>).value);
    });

    it('lets exactly one of many concurrent writers with the same eTag win', async () => {
      const seen = await store.write('request_race', { writer: -1 });
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => backing.peer().write('request_race', { writer: i }, { kind: 'etag', etag: seen })),
      );
      const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ i, etag: r.value }] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(EtagConflictError);
      expect(await store.read('request_race')).toEqual({ value: { writer: winners[0]!.i }, etag: winners[0]!.etag });
    });
  });

  describe('delete and list', () => {
    it('deletes, and deleting a missing key is fine', async () => {
      await store.write('k', { v: 1 });
      await store.delete('k');
      await store.delete('k');
      await store.delete('never-written');
      expect(await store.read('k')).toBeUndefined();
      await expect(store.write('k', { v: 2 }, { kind: 'absent' })).resolves.toEqual(expect.any(String));
    });

    it('lists keys by prefix, sorted, without deleted ones', async () => {
      for (const key of ['request_b', 'request_a', 'conversation_19:x@thread.v2', 'request_c', 'requests', 'card_1']) {
        await store.write(key, { key });
      }
      await store.delete('request_c');
      expect(await store.list('request_')).toEqual(['request_a', 'request_b']);
      expect(await store.list('request')).toEqual(['request_a', 'request_b', 'requests']);
      expect(await store.list('conversation_19:')).toEqual(['conversation_19:x@thread.v2']);
      expect(await store.list('conversation_19:x@thread.v2;')).toEqual([]);
      expect(await store.list('nothing_')).toEqual([]);
      expect(await store.list('')).toEqual(['card_1', 'conversation_19:x@thread.v2', 'request_a', 'request_b', 'requests']);
    });

    it('lists by prefixes that end in characters that are escaped in names', async () => {
      for (const key of ['a.', 'a..', 'a.b', 'a%', 'a%b', 'a/', 'a/b', 'a 😀', 'a 😀x']) await store.write(key, 1);
      expect(await store.list('a.')).toEqual(['a.', 'a..', 'a.b']);
      expect(await store.list('a..')).toEqual(['a..']);
      expect(await store.list('a%')).toEqual(['a%', 'a%b']);
      expect(await store.list('a/')).toEqual(['a/', 'a/b']);
      expect(await store.list('a 😀')).toEqual(['a 😀', 'a 😀x']);
      expect(await store.list('a \uD83D')).toEqual(['a 😀', 'a 😀x']);
    });
  });

  it('shows another process the same state', async () => {
    const other = backing.peer();
    const etag = await store.write('conversation_19:abc@thread.tacv2', { serviceUrl: 'https://smba.example/' });
    expect(await other.read('conversation_19:abc@thread.tacv2')).toEqual({ value: { serviceUrl: 'https://smba.example/' }, etag });
    expect(await other.list('conversation_')).toEqual(['conversation_19:abc@thread.tacv2']);
  });
});
