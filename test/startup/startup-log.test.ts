/**
 * What an admin reads first: the production server's start-up log. Every line is structured
 * JSON, and nothing that only looks like a failure is logged as a warning: a known deprecation
 * inside a dependency, or the HEAD probe the Agents Playground (and other tools) send to
 * /api/messages before the first message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunningSandbox, startSandbox } from '../../src/sandbox';
import { sandboxGraphEnv } from '../helpers/bot-harness';
import { ServerProcess, startServerProcess } from '../helpers/server-process';

const APPROVER = 'ade1e000-0000-4000-8000-00000000000d';

let sandbox: RunningSandbox;
let server: ServerProcess;
let dataDir: string;
beforeAll(async () => {
  sandbox = await startSandbox();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'iid-startup-'));
  server = await startServerProcess({ ...sandboxGraphEnv(sandbox), APPROVER_IDS: APPROVER, DATA_DIR: dataDir, LOG_LEVEL: 'info' });
});
afterAll(async () => {
  server?.kill();
  await server?.exited;
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const lines = () => server.output().split('\n').filter((line) => line.trim() !== '');
const levelOf = (line: string) => {
  try {
    return (JSON.parse(line) as { level?: string }).level ?? 'none';
  } catch {
    return 'not json';
  }
};

describe('the start-up log', () => {
  it('answers the HEAD probe on /api/messages without an error', async () => {
    const head = await fetch(`${server.url}/api/messages`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('allow')).toBe('POST, HEAD');
  });

  it('still refuses other methods on /api/messages, quietly', async () => {
    expect((await fetch(`${server.url}/api/messages`)).status).toBe(405);
    expect((await fetch(`${server.url}/nothing-here`)).status).toBe(404);
  });

  it('is all JSON, with no warning or error after a clean start and those probes', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const noisy = lines().filter((line) => !['info', 'debug'].includes(levelOf(line)));
    expect(noisy).toEqual([]);
    expect(lines().some((line) => line.includes('"server.started"'))).toBe(true);
  });
});

describe('the start-up log of the Playground set-up (sandbox mode, sync-error watch on)', () => {
  let playgroundLike: ServerProcess;
  let playgroundDir: string;
  beforeAll(async () => {
    playgroundDir = mkdtempSync(path.join(os.tmpdir(), 'iid-startup-pg-'));
    // A fresh store: the Playground has not opened the team yet, so the bot is not installed in the approvers' channel.
    playgroundLike = await startServerProcess({
      ...sandboxGraphEnv(sandbox),
      APPROVER_IDS: APPROVER,
      DATA_DIR: playgroundDir,
      LOG_LEVEL: 'info',
      SANDBOX_MODE: 'true',
      WATCH_SYNC_ERRORS: 'true',
      APPROVAL_CHANNEL_ID: '19:approvals@thread.tacv2',
    });
  });
  afterAll(async () => {
    playgroundLike?.kill();
    await playgroundLike?.exited;
    rmSync(playgroundDir, { recursive: true, force: true });
  });

  it('says the watch waits for the team at info level, not as a warning', async () => {
    const all = () => playgroundLike.output().split('\n').filter((line) => line.trim() !== '');
    for (let i = 0; i < 50 && !all().some((line) => line.includes('"watch.not_installed"')); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const waiting = all().find((line) => line.includes('"watch.not_installed"'));
    expect(waiting && levelOf(waiting)).toBe('info');
    expect(waiting).toContain('open the team');
    expect(all().filter((line) => !['info', 'debug'].includes(levelOf(line)))).toEqual([]);
  });
});
