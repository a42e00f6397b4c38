/**
 * `npm run playground`: the bot on its embedded default — the sandbox directory — plus
 * Microsoft's Teams emulator, the Microsoft 365 Agents Playground, offline. No tenant needed.
 * Run through scripts/with-sandbox-ca.js so Node trusts the sandbox's local CA.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { explainKnownWarning } from '../src/known-warnings';
import { createLogger } from '../src/log';
import { startSandbox } from '../src/sandbox';

const root = path.resolve(__dirname, '..', existsSync(path.resolve(__dirname, '..', 'package.json')) ? '' : '..');
const PLAYGROUND_CONFIG = path.join(root, '.m365agentsplayground.yml');
/** The Approvals channel of the Playground's team (see .m365agentsplayground.yml). */
const PLAYGROUND_APPROVALS_CHANNEL = '19:playground-approvals@thread.tacv2';
/** Settings a developer may override when trying the bot in the Playground. */
const PASS_THROUGH = [
  'APPROVER_IDS', 'APPROVER_GROUP_ID', 'REQUESTER_IDS', 'REQUESTER_GROUP_ID', 'REQUIRE_SEPARATE_APPROVER', 'REQUIRED_APPROVALS',
  'APPROVAL_CHANNEL_ID', 'REMINDER_AFTER', 'REQUEST_TTL', 'SWEEP_INTERVAL', 'NOTIFY_SECRET', 'PROTECTED_GROUP_ID',
  'ALLOW_PRIVILEGED_TARGETS', 'RATE_LIMIT_PER_MINUTE', 'VERIFY_MAX_WAIT_MS', 'CARD_ACTION_DEADLINE_MS', 'GRAPH_TIMEOUT_MS',
  'WATCH_SYNC_ERRORS', 'WATCH_INTERVAL', 'BULK_MAX_WRITES_PER_MINUTE',
];

/** The Playground's current user is the approver; read her object id from its config file. */
function playgroundUsers(): { tenantId: string; currentUserObjectId: string } {
  const text = readFileSync(PLAYGROUND_CONFIG, 'utf8');
  const tenantId = /^tenantId:\s*(\S+)/m.exec(text)?.[1] ?? '';
  const currentUser = /^currentUser:[\s\S]*?aadObjectId:\s*(\S+)/m.exec(text)?.[1] ?? '';
  return { tenantId, currentUserObjectId: currentUser };
}

async function main(): Promise<void> {
  const log = createLogger({ level: (process.env.LOG_LEVEL as 'info') || 'warn' });
  // Before the first await: Node prints warnings raised while loading modules on the next tick.
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (!explainKnownWarning(warning)) log.warn('node.warning', { name: warning.name, code: warning.code, message: warning.message });
  });
  const sandbox = await startSandbox({ port: Number(process.env.SANDBOX_PORT ?? 0) });
  const users = playgroundUsers();
  const overrides = Object.fromEntries(PASS_THROUGH.flatMap((k) => (process.env[k] !== undefined ? [[k, process.env[k] as string]] : [])));
  const config = loadConfig({
    APPROVAL_CHANNEL_ID: PLAYGROUND_APPROVALS_CHANNEL,
    // The seeded sync errors show up in the Approvals channel within a minute of opening the Playground.
    WATCH_SYNC_ERRORS: 'true',
    WATCH_INTERVAL: '1m',
    ...overrides,
    PORT: process.env.PORT ?? '3978',
    AZURE_TENANT_ID: sandbox.tenantId,
    AZURE_CLIENT_ID: sandbox.clientId,
    AZURE_CLIENT_SECRET: sandbox.clientSecret,
    AZURE_AUTHORITY_HOST: sandbox.url,
    GRAPH_ENDPOINT: sandbox.url,
    APPROVER_IDS: overrides.APPROVER_IDS ?? users.currentUserObjectId,
    ALLOWED_TENANT_IDS: users.tenantId,
    SANDBOX_MODE: 'true',
    DATA_DIR: process.env.DATA_DIR ?? path.join(root, '.data', 'playground'),
  });
  const app = createApp(config, log);
  const botUrl = await app.listen();

  const playgroundPort = process.env.PLAYGROUND_PORT ?? '56150';
  const cli = require.resolve('@microsoft/m365agentsplayground/cli.js', { paths: [root] });
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, 'start', '-e', `${botUrl}/api/messages`, '-c', 'msteams', '--dt', '-p', playgroundPort],
    {
      cwd: root,
      env: {
        ...process.env,
        // Offline: no browser launch, no telemetry, no Azure IMDS probe.
        TEAMSAPPTESTER_BROWSER: 'none',
        APPLICATION_INSIGHTS_NO_STATSBEAT: '1',
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: PLAYGROUND_CONFIG,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const port = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /Listening on (\d+)/.exec(seen);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the Agents Playground exited (code ${code}); see devTools/m365agentsplayground.log`)));
    setTimeout(() => reject(new Error('the Agents Playground did not start within 60 s')), 60000).unref();
  });
  const playgroundUrl = `http://localhost:${port}`;
  await waitForPing(playgroundUrl);

  const summary = {
    playground: playgroundUrl,
    bot: `${botUrl}/api/messages`,
    sandboxDirectory: sandbox.url,
    approver: users.currentUserObjectId,
  };
  // One machine-readable line for scripts and tests, then a human one.
  process.stdout.write(`PLAYGROUND_READY ${JSON.stringify(summary)}\n`);
  process.stdout.write(
    [
      '',
      `  Open ${playgroundUrl} in your browser to chat with the bot (sandbox directory: no real tenant is touched).`,
      '  Try:  help  ·  show alice@contoso.com  ·  clear immutable id for alice@contoso.com  (then tap Confirm)',
      '  Other seeded cases: bob@contoso.com (synced), carol@fabrikam.com (federated), dave@contoso.com (admin),',
      '  grace@contoso.com (throttled), heidi@contoso.com (replication lag), ivan@contoso.com (already empty).',
      '  Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    child.kill('SIGTERM');
    await app.close();
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  child.on('exit', () => void stop());
}

async function waitForPing(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const response = await fetch(`${url}/_debug/ping`);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the Agents Playground at ${url} did not answer /_debug/ping`);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run playground failed: ${(error as Error).message}\n`);
  process.exit(1);
});
