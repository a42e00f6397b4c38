/**
 * With BOT_ID empty, inbound auth is off, so the server must only be reachable from this machine:
 * it binds to 127.0.0.1 and says so at start. With BOT_ID set it listens on every interface.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startHarness } from '../helpers/bot-harness';
import { TEST_BOT_ID, TEST_BOT_PASSWORD, TEST_BOT_TENANT_ID } from '../helpers/bot-framework-issuer';

describe('the address the server binds', () => {
  it.each([
    ['BOT_ID empty: loopback only', {}, '127.0.0.1'],
    ['BOT_ID set: all interfaces', { BOT_ID: TEST_BOT_ID, BOT_PASSWORD: TEST_BOT_PASSWORD, BOT_TENANT_ID: TEST_BOT_TENANT_ID }, '0.0.0.0'],
  ])('%s', async (_name, env: Record<string, string>, address) => {
    const h = await startHarness(env);
    try {
      expect((h.app.server.address() as AddressInfo).address).toBe(address);
    } finally {
      await h.close();
    }
  });
});

describe('the built server (node dist/src/index.js)', () => {
  const entry = path.resolve(__dirname, '../../dist/src/index.js');
  const running: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map(stop));
  });

  /** Starts the built entry point with exactly `env` (nothing inherited) and resolves with its server.started line. */
  async function start(env: Record<string, string>): Promise<Record<string, unknown>> {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm run build" first (npm test does)`);
    // cwd: an empty directory, so dotenv finds no .env that could change the settings.
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'iid-bind-'));
    const child = spawn(process.execPath, [entry], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        AZURE_TENANT_ID: '7e5a0000-0000-4000-8000-000000000001',
        AZURE_CLIENT_ID: '7e5a0000-0000-4000-8000-000000000002',
        AZURE_CLIENT_SECRET: 'never-used',
        AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9',
        GRAPH_ENDPOINT: 'https://127.0.0.1:9',
        DATA_DIR: path.join(cwd, 'data'),
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no server.started line within 10 s; stdout: ${stdout} stderr: ${stderr}`)), 10_000);
      child.stdout?.on('data', (c: Buffer) => {
        stdout += c.toString('utf8');
        for (const line of stdout.split('\n')) {
          if (!line.includes('"server.started"')) continue;
          clearTimeout(timer);
          resolve(JSON.parse(line) as Record<string, unknown>);
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before starting; stdout: ${stdout} stderr: ${stderr}`));
      });
    });
  }

  function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  it('with BOT_ID empty, listens on 127.0.0.1 and logs that inbound auth is off', async () => {
    const started = await start({});
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(started.inboundAuth).toMatch(/^off\b.*loopback/);
  });

  it('with BOT_ID set, listens on 0.0.0.0 with inbound auth on', async () => {
    const started = await start({ BOT_ID: TEST_BOT_ID, BOT_PASSWORD: TEST_BOT_PASSWORD, BOT_TENANT_ID: TEST_BOT_TENANT_ID });
    expect(started.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    expect(started.inboundAuth).toBe('on');
  });
});
