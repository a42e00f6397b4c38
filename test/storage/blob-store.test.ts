/**
 * What only the Azure Blob store has: blob names, the service's own eTags, botbuilder's
 * BlobsStorage doing the reads, the container made on first use, and retried requests.
 */
import { ContainerClient } from '@azure/storage-blob';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { sanitizeBlobKey } from 'botbuilder-azure-blobs/lib/sanitizeBlobKey';
import { BlobAuditLog } from '../../src/storage/blob-audit-log';
import { BlobStore, blobNameOf, botbuilderNames, containerNameProblem, keyOf } from '../../src/storage/blob-store';
import { EtagConflictError } from '../../src/storage/key-value-store';
import { RequestStore } from '../../src/storage/request-store';
import type { ChangeRequest } from '../../src/workflow/types';
import { azuriteConnectionString, RunningAzurite, startAzurite } from '../helpers/azurite';
import { FAST_RETRIES, uniqueContainer } from './backends';
import { FlakyProxy, startFlakyProxy } from './flaky-proxy';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

let containerName: string;
let store: BlobStore;
let container: ContainerClient;
beforeEach(() => {
  containerName = uniqueContainer('blob');
  store = new BlobStore({ connectionString: azurite.connectionString, containerName, pipeline: FAST_RETRIES });
  container = new ContainerClient(azurite.connectionString, containerName);
});

async function blobNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat()) names.push(blob.name);
  return names.sort();
}

describe('blob names', () => {
  it('percent-encodes Teams ids, so every item is one blob at the container root', async () => {
    await store.write('conversation_19:abc@thread.tacv2;messageid=123', { id: 1 });
    await store.write('slash/inside', 1);
    await store.write('..', 1);
    expect(await blobNames()).toEqual(['%2E%2E', 'conversation_19%3Aabc%40thread.tacv2%3Bmessageid%3D123', 'slash%2Finside']);
  });

  it.each([
    'request_AbC-_09',
    'conversation_19:abc@thread.tacv2;messageid=123',
    'a/b/c',
    '😀 %41',
    "o'brien*",
    'trailing.',
    'a//b',
    '/a',
    'a/',
    '..',
  ])('decodes the name of %j back to the key', (key) => {
    const name = blobNameOf(key);
    expect(name).not.toContain('/');
    expect(keyOf(name)).toBe(key);
  });

  it('names keys exactly as botbuilder BlobsStorage does whenever it reads them through BlobsStorage', () => {
    const keys = [
      'request_x', 'conversation_19:a@thread.v2;messageid=1', 'a/b', 'a//b', '/a', '//a', 'a/', '/', 'x.', '..', 'ü', '%',
      'a' + '/b'.repeat(254), // 255 segments: BlobsStorage keeps every '/'
      'a' + '/b'.repeat(255), // 256: it joins the last ones without '/'
    ];
    for (const key of keys) {
      const name = blobNameOf(key);
      if (botbuilderNames(key, name)) expect(sanitizeBlobKey(key)).toBe(name);
      else expect(sanitizeBlobKey(key)).not.toBe(name);
    }
    expect(keys.filter((k) => !botbuilderNames(k, blobNameOf(k)))).toEqual(['a//b', '//a', 'a/', '/', 'x.', '..', 'a' + '/b'.repeat(255)]);
  });

  it('refuses empty keys and keys too long for a blob name', async () => {
    await expect(store.write('', 1)).rejects.toThrow(/empty/);
    await expect(store.write('x'.repeat(1025), 1)).rejects.toThrow(/too long/);
    await expect(store.write(':'.repeat(400), 1)).rejects.toThrow(/too long/);
    await expect(store.write('x'.repeat(1024), 1)).resolves.toEqual(expect.any(String));
  });

  it('lists only its own items, not the audit log sharing the container', async () => {
    const audit = new BlobAuditLog({ connectionString: azurite.connectionString, containerName });
    await audit.append({ event: 'request.created', requestId: 'r1', actor: { aadObjectId: 'a', name: 'A' }, target: { id: 't', upn: 'u' } });
    await store.write('request_1', 1);
    expect(await store.list('')).toEqual(['request_1']);
    expect(await store.list('audit')).toEqual([]);
  });
});

describe('eTags', () => {
  it('are the storage service’s own eTags of the blobs', async () => {
    const etag = await store.write('request_1', { v: 1 });
    const properties = await container.getBlobClient(blobNameOf('request_1')).getProperties();
    expect(etag).toBe(properties.etag);
    expect((await store.read('request_1'))?.etag).toBe(properties.etag);
  });

  it('turn a change made with another client (412 Precondition Failed) into EtagConflictError', async () => {
    const etag = await store.write('request_1', { v: 1 });
    const body = JSON.stringify({ value: { v: 'edited elsewhere' } });
    await container.getBlockBlobClient(blobNameOf('request_1')).upload(body, body.length);
    await expect(store.write('request_1', { v: 2 }, { kind: 'etag', etag })).rejects.toBeInstanceOf(EtagConflictError);
    expect((await store.read('request_1'))?.value).toEqual({ v: 'edited elsewhere' });
  });

  it('are compared exactly: "*" (If-Match: any) and lists of eTags are wrong eTags, not wildcards', async () => {
    const etag = await store.write('request_1', { v: 1 });
    // BlobsStorage writes unconditionally for "*"; HTTP If-Match: * matches any existing blob.
    await expect(store.write('request_1', { v: 2 }, { kind: 'etag', etag: '*' })).rejects.toBeInstanceOf(EtagConflictError);
    await expect(store.write('request_1', { v: 2 }, { kind: 'etag', etag: `"0x1", ${etag}` })).rejects.toBeInstanceOf(EtagConflictError);
    expect(await store.read('request_1')).toEqual({ value: { v: 1 }, etag });
  });
});

describe('reads through botbuilder BlobsStorage', () => {
  it('uses BlobsStorage.read for ordinary keys and reads other keys itself', async () => {
    const read = jest.spyOn(BlobsStorage.prototype, 'read');
    try {
      await store.write('request_1', { v: 1 });
      await store.write('a//b', { v: 2 });
      expect((await store.read('request_1'))?.value).toEqual({ v: 1 });
      expect(read).toHaveBeenCalledTimes(1);
      expect((await store.read('a//b'))?.value).toEqual({ v: 2 });
      expect(read).toHaveBeenCalledTimes(1);
    } finally {
      read.mockRestore();
    }
  });

  it('says so when a blob was not written by BlobStore (no envelope)', async () => {
    await new BlobsStorage(azurite.connectionString, containerName).write({ request_1: { state: 'x' } });
    await expect(store.read('request_1')).rejects.toThrow(/not written by BlobStore/);
  });
});

describe('the container', () => {
  it('is created on first use', async () => {
    expect(await container.exists()).toBe(false);
    expect(await store.read('request_1')).toBeUndefined();
    expect(await container.exists()).toBe(true);
    const other = new BlobStore({ connectionString: azurite.connectionString, containerName: uniqueContainer('w') });
    await other.write('k', 1);
    const other2 = new BlobStore({ connectionString: azurite.connectionString, containerName: uniqueContainer('l') });
    expect(await other2.list('')).toEqual([]);
  });

  it('is created again when a write finds it deleted', async () => {
    await store.write('k', 1);
    await container.delete();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const etag = await store.write('k', 2);
    expect(await store.read('k')).toEqual({ value: 2, etag });
  });

  it('defaults to immutable-id-bot and refuses invalid names', () => {
    expect(new BlobStore({ connectionString: azurite.connectionString }).containerName).toBe('immutable-id-bot');
    expect(containerNameProblem('immutable-id-bot')).toBeUndefined();
    expect(containerNameProblem('abc')).toBeUndefined();
    for (const bad of ['ab', 'Upper', 'under_score', '-lead', 'trail-', 'dou--ble', 'a'.repeat(64), '']) {
      expect(containerNameProblem(bad)).toMatch(/not a valid Azure Blob container name/);
      expect(() => new BlobStore({ connectionString: azurite.connectionString, containerName: bad })).toThrow(/container name/);
    }
  });
});

describe('network failures', () => {
  let proxy: FlakyProxy;
  afterEach(async () => {
    await proxy?.close();
  });

  const viaProxy = (port: number, name = containerName) =>
    new BlobStore({ connectionString: azuriteConnectionString(port), containerName: name, pipeline: FAST_RETRIES });
  const isConditionalPut = (header: string) => (req: { method?: string; headers: Record<string, unknown> }) =>
    req.method === 'PUT' && header in req.headers;

  it('recover when storage was unreachable at first (the failed container set-up is not kept)', async () => {
    proxy = await startFlakyProxy({ host: '127.0.0.1', port: azurite.port });
    const port = proxy.port;
    await proxy.close();
    const early = viaProxy(port);
    await expect(early.read('request_1')).rejects.toThrow();
    await expect(early.write('request_1', 1)).rejects.toThrow();
    proxy = await startFlakyProxy({ host: '127.0.0.1', port: azurite.port }, port);
    const etag = await early.write('request_1', { v: 1 });
    expect(await early.read('request_1')).toEqual({ value: { v: 1 }, etag });
    expect(await early.list('')).toEqual(['request_1']);
  });

  it('a conditional write whose response was lost, and which the SDK retried, still counts as ours', async () => {
    proxy = await startFlakyProxy({ host: '127.0.0.1', port: azurite.port });
    const flaky = viaProxy(proxy.port);
    const first = await flaky.write('request_1', { v: 1 });

    proxy.loseNextResponse(isConditionalPut('if-match'));
    const second = await flaky.write('request_1', { v: 2 }, { kind: 'etag', etag: first });
    expect(proxy.seen.filter((s) => s.startsWith('PUT') && s.includes('request_1'))).toHaveLength(3); // 1 + lost + retry
    expect(await store.read('request_1')).toEqual({ value: { v: 2 }, etag: second });

    proxy.loseNextResponse(isConditionalPut('if-none-match'));
    const created = await flaky.write('request_2', { v: 1 }, { kind: 'absent' });
    expect(await store.read('request_2')).toEqual({ value: { v: 1 }, etag: created });
  });

  it('a state transition whose write response was lost is still won, not reported lost', async () => {
    proxy = await startFlakyProxy({ host: '127.0.0.1', port: azurite.port });
    const requests = new RequestStore(viaProxy(proxy.port));
    await requests.create({ id: 'r1', state: 'awaiting-approval' } as ChangeRequest);
    proxy.loseNextResponse(isConditionalPut('if-match'));
    const result = await requests.transition('r1', ['awaiting-approval'], (r) => ({ ...r, state: 'executing' }));
    expect(result).toEqual({ won: expect.objectContaining({ state: 'executing' }) });
  });

  it('a real conflict is still a conflict after a lost response', async () => {
    proxy = await startFlakyProxy({ host: '127.0.0.1', port: azurite.port });
    const flaky = viaProxy(proxy.port);
    const seen = await flaky.write('request_1', { v: 1 });
    await store.write('request_1', { v: 'theirs' });
    proxy.loseNextResponse(isConditionalPut('if-match'));
    await expect(flaky.write('request_1', { v: 2 }, { kind: 'etag', etag: seen })).rejects.toBeInstanceOf(EtagConflictError);
    expect((await store.read('request_1'))?.value).toEqual({ v: 'theirs' });
  });

  it('an audit entry whose response was lost is stored once', async () => {
    proxy = await startFlakyProxy({ host: '127.0.0.1', port: azurite.port });
    const audit = new BlobAuditLog({ connectionString: azuriteConnectionString(proxy.port), containerName, pipeline: FAST_RETRIES });
    await audit.list(); // creates the container
    proxy.loseNextResponse(isConditionalPut('if-none-match'));
    const entry = await audit.append({
      event: 'change.intent',
      requestId: 'r1',
      actor: { aadObjectId: 'a', name: 'A' },
      target: { id: 't', upn: 'u' },
    });
    expect(await audit.list()).toEqual([entry]);
  });
});
