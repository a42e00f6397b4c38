/**
 * The embedded file storage survives what a disk and an operator do to it: a corrupt state file
 * is moved aside with a logged error and the bot still starts; an audit record written after a
 * torn line starts on its own line, so it is not hidden; a second process on the same DATA_DIR
 * is refused at start with a clear message.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunningSandbox, startSandbox } from '../../src/sandbox';
import { FileAuditLog } from '../../src/storage/audit-log';
import { FileStore } from '../../src/storage/file-store';
import { HELPDESK, startHarness } from '../helpers/bot-harness';
import { captureLogs, freePort, lastCard, cardText, serverEnv, SpawnedServer, spawnServer } from '../helpers/security-helpers';

const tempDir = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), prefix));

describe('a corrupt state file', () => {
  it('is moved aside with a logged error and read as absent', async () => {
    const dir = tempDir('iid-corrupt-');
    writeFileSync(path.join(dir, 'request_abc.json'), '{"etag":"1","value":{"id":"ab');
    const logs = captureLogs();
    try {
      const { silentLogger } = await import('../../src/log');
      const store = new FileStore(dir, silentLogger);
      expect(await store.read('request_abc')).toBeUndefined();
      expect(readdirSync(dir).some((n) => n.startsWith('request_abc.json.corrupt-'))).toBe(true);
      expect(existsSync(path.join(dir, 'request_abc.json'))).toBe(false);
      expect(logs.entries).toEqual([expect.objectContaining({ level: 'error', event: 'storage.corrupt_file_moved' })]);
      // The key is usable again.
      await store.write('request_abc', { fine: true });
      expect((await store.read<{ fine: boolean }>('request_abc'))?.value).toEqual({ fine: true });
    } finally {
      logs.restore();
    }
  });

  it('does not stop the bot from starting (start-up reads every open request)', async () => {
    const dataDir = tempDir('iid-corrupt-start-');
    mkdirSync(path.join(dataDir, 'state'), { recursive: true });
    writeFileSync(path.join(dataDir, 'state', 'request_0123456789abcdef0123456789abcdef.json'), '\u0000\u0000garbage');
    const h = await startHarness({ DATA_DIR: dataDir }, { persistent: true });
    try {
      await h.say('show alice@contoso.com', { from: HELPDESK });
      expect(cardText(lastCard(h))).toContain('alice@contoso.com');
    } finally {
      await h.close();
    }
  });
});

describe('the file audit log after a torn write', () => {
  it('starts the next record on a new line, so it is still read', async () => {
    const dir = tempDir('iid-audit-');
    const file = path.join(dir, 'audit.jsonl');
    const audit = new FileAuditLog(file);
    await audit.append({ event: 'request.created', requestId: 'r1', actor: { aadObjectId: 'a', name: 'A' }, target: { id: 't', upn: 'u@x' } });
    // A crash in the middle of the next line.
    writeFileSync(file, readFileSync(file, 'utf8') + '{"id":"torn","at":"2026-', { flag: 'w' });
    await audit.append({ event: 'change.succeeded', requestId: 'r2', actor: { aadObjectId: 'a', name: 'A' }, target: { id: 't', upn: 'u@x' } });
    const entries = await new FileAuditLog(file).list();
    expect(entries.map((e) => e.requestId)).toEqual(['r2', 'r1']);
  });
});

describe('two processes on one DATA_DIR', () => {
  let sandbox: RunningSandbox;
  let first: SpawnedServer | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await first?.stop();
    await sandbox.close();
  });

  it('refuses the second at start with a message naming DATA_DIR and the way out', async () => {
    const dataDir = tempDir('iid-lock-');
    first = await spawnServer(serverEnv(sandbox, await freePort(), dataDir));
    const second = spawnServer(serverEnv(sandbox, await freePort(), dataDir));
    await expect(second).rejects.toThrow(/exited with 1 before starting.*DATA_DIR .* is in use by another bot process \(pid \d+\).*Azure Blob Storage/s);
  });

  it('lets a new process take over the lock of one that was killed', async () => {
    const dataDir = tempDir('iid-lock-stale-');
    const killed = await spawnServer(serverEnv(sandbox, await freePort(), dataDir));
    await killed.stop();
    const next = await spawnServer(serverEnv(sandbox, await freePort(), dataDir));
    await next.stop();
  });
});
