/**
 * One contract for every AuditLog (memory, JSONL file, Azure Blob), and the blob log's promise:
 * several processes appending at once lose nothing.
 */
import path from 'node:path';
import { AuditEntry, AuditLog, FileAuditLog, MemoryAuditLog } from '../../src/storage/audit-log';
import { BlobAuditLog } from '../../src/storage/blob-audit-log';
import { RunningAzurite, startAzurite } from '../helpers/azurite';
import { removeTempDirs, tempDir, uniqueContainer } from './backends';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
  removeTempDirs();
});

type Kind = 'memory' | 'file' | 'blob';

/** A log and a way to open another instance over the same trail (another process, a restart). */
function makeLog(kind: Kind): { log: AuditLog; another(): AuditLog } {
  switch (kind) {
    case 'memory': {
      const log = new MemoryAuditLog();
      return { log, another: () => log };
    }
    case 'file': {
      const file = path.join(tempDir('iid-audit-'), 'audit.jsonl');
      return { log: new FileAuditLog(file), another: () => new FileAuditLog(file) };
    }
    case 'blob': {
      const containerName = uniqueContainer('audit');
      const open = () => new BlobAuditLog({ connectionString: azurite.connectionString, containerName });
      return { log: open(), another: open };
    }
  }
}

const ALICE = { id: 'a11ce000-0000-4000-8000-000000000001', upn: 'alice@contoso.com' };
const BOB = { id: 'b0b00000-0000-4000-8000-000000000002', upn: 'bob@contoso.com' };
const HELEN = { aadObjectId: '4e1e4000-0000-4000-8000-00000000000c', name: 'Helen Helpdesk' };

const entry = (n: number, target = ALICE): Omit<AuditEntry, 'id' | 'at'> => ({
  event: 'request.created',
  requestId: `r${n}`,
  actor: HELEN,
  target,
  before: 'AAAAAAAAAAAAAAAAAAAAAA==',
  detail: `entry ${n} — ünïcødé 😀`,
});

describe.each<Kind>(['memory', 'file', 'blob'])('%s audit log', (kind) => {
  it('is empty at first', async () => {
    expect(await makeLog(kind).log.list()).toEqual([]);
  });

  it('returns the entry it stored, with an id and a time', async () => {
    const { log } = makeLog(kind);
    const stored = await log.append({ ...entry(1), graphRequestId: 'g-1', after: null });
    expect(stored).toEqual({ ...entry(1), graphRequestId: 'g-1', after: null, id: expect.any(String), at: expect.any(String) });
    expect(new Date(stored.at).toISOString()).toBe(stored.at);
    expect(await log.list()).toEqual([stored]);
  });

  it('lists newest first, by target, and at most `limit` (50 by default)', async () => {
    const { log } = makeLog(kind);
    const stored: AuditEntry[] = [];
    for (let i = 0; i < 55; i++) stored.push(await log.append(entry(i, i % 5 === 0 ? BOB : ALICE)));
    const newestFirst = [...stored].reverse();
    expect(await log.list()).toEqual(newestFirst.slice(0, 50));
    expect(await log.list({ limit: 3 })).toEqual(newestFirst.slice(0, 3));
    expect(await log.list({ limit: 100 })).toEqual(newestFirst);
    expect(await log.list({ limit: 0 })).toEqual([]);
    expect(await log.list({ targetId: BOB.id })).toEqual(newestFirst.filter((e) => e.target.id === BOB.id));
    expect(await log.list({ targetId: BOB.id, limit: 2 })).toEqual(newestFirst.filter((e) => e.target.id === BOB.id).slice(0, 2));
    expect(await log.list({ targetId: 'nobody' })).toEqual([]);
    expect(await log.list({ targetId: '' })).toEqual(newestFirst.slice(0, 50));
  });

  it('keeps append order for entries in the same millisecond', async () => {
    const { log } = makeLog(kind);
    const now = jest.spyOn(Date.prototype, 'toISOString').mockReturnValue('2030-01-01T00:00:00.000Z');
    let stored: AuditEntry[];
    try {
      stored = [];
      for (let i = 0; i < 12; i++) stored.push(await log.append(entry(i)));
    } finally {
      now.mockRestore();
    }
    expect((await log.list()).map((e) => e.requestId)).toEqual(stored.reverse().map((e) => e.requestId));
  });

  it('loses nothing when two processes append at once', async () => {
    const { log, another } = makeLog(kind);
    const second = another();
    const appended = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? log : second).append(entry(i, i % 3 === 0 ? BOB : ALICE))),
    );
    for (const reader of [log, second]) {
      const listed = await reader.list({ limit: 1000 });
      expect(listed).toHaveLength(40);
      expect(new Set(listed.map((e) => e.id))).toEqual(new Set(appended.map((e) => e.id)));
      // The file lists in order of writing, which concurrent appends may finish out of time order.
      const times = listed.map((e) => e.at);
      if (kind !== 'file') expect(times).toEqual([...times].sort().reverse());
      expect(await reader.list({ targetId: BOB.id, limit: 1000 })).toHaveLength(14);
    }
  });

  it('is there after a restart', async () => {
    const { log, another } = makeLog(kind);
    const stored = [await log.append(entry(1)), await log.append(entry(2, BOB))];
    expect(await another().list()).toEqual(stored.reverse());
  });
});

describe('blob audit log', () => {
  it('stores one blob per entry under audit/, named by time, with the target as metadata', async () => {
    const { ContainerClient } = await import('@azure/storage-blob');
    const containerName = uniqueContainer('audit');
    const log = new BlobAuditLog({ connectionString: azurite.connectionString, containerName });
    const first = await log.append(entry(1));
    const second = await log.append(entry(2, BOB));
    const blobs: Array<{ name: string; target?: string }> = [];
    const index: string[] = [];
    for await (const b of new ContainerClient(azurite.connectionString, containerName).listBlobsFlat({ includeMetadata: true })) {
      if (b.name.startsWith('audit/')) blobs.push({ name: b.name, target: b.metadata?.targetid });
      else index.push(b.name);
    }
    // …and one empty index blob per entry under its target, so history <user> lists only that user's.
    expect(index.sort()).toEqual(
      [
        'audit-index/.complete',
        `audit-index/${ALICE.id}/${blobs[0]!.name.slice('audit/'.length)}`,
        `audit-index/${BOB.id}/${blobs[1]!.name.slice('audit/'.length)}`,
      ].sort(),
    );
    expect(blobs).toEqual([
      { name: expect.stringMatching(new RegExp(`^audit/${first.at.replace(/\./g, '\\.')}_[0-9a-z]{8}_${first.id}\\.json$`)), target: ALICE.id },
      { name: expect.stringMatching(new RegExp(`^audit/${second.at.replace(/\./g, '\\.')}_[0-9a-z]{8}_${second.id}\\.json$`)), target: BOB.id },
    ]);
  });
});

describe('history <user> reads only that user\'s records', () => {
  it('file: lists a target from its own file, and splits a trail written before those files once', async () => {
    const fs = await import('node:fs');
    const dir = tempDir('iid-audit-');
    const file = path.join(dir, 'audit.jsonl');
    // A trail from an earlier version: only the main file.
    const old = (n: number, target = ALICE) => JSON.stringify({ id: `old${n}`, at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(), ...entry(n, target) });
    fs.writeFileSync(file, [old(1), old(2, BOB), old(3)].join('\n') + '\n');
    const log = new FileAuditLog(file);
    expect((await log.list({ targetId: ALICE.id })).map((e) => e.id)).toEqual(['old3', 'old1']);
    const added = await log.append(entry(4, BOB));
    const reads = jest.spyOn(fs.promises, 'readFile');
    try {
      expect((await new FileAuditLog(file).list({ targetId: BOB.id })).map((e) => e.id)).toEqual([added.id, 'old2']);
      const files = reads.mock.calls.map((call) => String(call[0]));
      expect(files).not.toContain(file);
      expect(files).toHaveLength(1);
    } finally {
      reads.mockRestore();
    }
    // The main file is still the complete trail.
    expect((await log.list()).map((e) => e.id)).toEqual([added.id, 'old3', 'old2', 'old1']);
  });

  it('file: everyone\'s newest records are read from the end of the trail, across chunks and multi-byte characters', async () => {
    const fs = await import('node:fs');
    const file = path.join(tempDir('iid-audit-'), 'audit.jsonl');
    const all = Array.from({ length: 3000 }, (_, n) => ({ id: `e${n}`, at: new Date(Date.UTC(2026, 0, 1) + n).toISOString(), ...entry(n, n % 2 ? BOB : ALICE), detail: `entry ${n} — ünïcødé 😀`.repeat(1 + (n % 7)) }));
    fs.writeFileSync(file, all.map((e) => JSON.stringify(e)).join('\n') + '\n{"torn');
    const log = new FileAuditLog(file);
    const newestFirst = [...all].reverse();
    expect(await log.list({ limit: 2500 })).toEqual(newestFirst.slice(0, 2500));
    expect(await log.list({ limit: 5000 })).toEqual(newestFirst);
    expect(await log.list()).toEqual(newestFirst.slice(0, 50));
  });

  it('blob: a trail written before the index is indexed once, from metadata, and then listed by prefix', async () => {
    const { ContainerClient } = await import('@azure/storage-blob');
    const containerName = uniqueContainer('audit');
    const container = new ContainerClient(azurite.connectionString, containerName);
    await container.createIfNotExists();
    for (const [n, target] of [[1, ALICE], [2, BOB], [3, ALICE]] as const) {
      const body = JSON.stringify({ id: `old${n}`, at: `2026-01-01T00:0${n}:00.000Z`, ...entry(n, target) });
      await container.getBlockBlobClient(`audit/2026-01-01T00:0${n}:00.000Z_0000000${n}_old${n}.json`).upload(body, Buffer.byteLength(body), { metadata: { targetid: encodeURIComponent(target.id) } });
    }
    const log = new BlobAuditLog({ connectionString: azurite.connectionString, containerName });
    expect((await log.list({ targetId: ALICE.id })).map((e) => e.id)).toEqual(['old3', 'old1']);
    const added = await log.append(entry(4, BOB));
    expect((await new BlobAuditLog({ connectionString: azurite.connectionString, containerName }).list({ targetId: BOB.id })).map((e) => e.id)).toEqual([added.id, 'old2']);
    const bobIndex: string[] = [];
    for await (const b of container.listBlobsFlat({ prefix: `audit-index/${BOB.id}/` })) bobIndex.push(b.name);
    expect(bobIndex).toHaveLength(2);
  });
});
