/**
 * A bulk job survives a killed bot process: SIGKILL while a PATCH is on the wire, restart on the
 * same storage, and the job finishes with every user written exactly once (the interrupted user
 * is read back, found cleared and recorded, not written again).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunningSandbox, startSandbox } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, createBotClient, sandboxGraphEnv } from '../helpers/bot-harness';
import { RecordingConnector, startRecordingConnector } from '../helpers/recording-connector';
import { ServerProcess, startServerProcess } from '../helpers/server-process';

let sandbox: RunningSandbox;
let connector: RecordingConnector;
const running: ServerProcess[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  connector = await startRecordingConnector();
});
afterAll(async () => {
  for (const p of running) p.kill('SIGKILL');
  await connector.close();
  await sandbox.close();
});

async function start(dataDir: string): Promise<ServerProcess> {
  const server = await startServerProcess({ ...sandboxGraphEnv(sandbox), APPROVER_IDS: APPROVER.aadObjectId, DATA_DIR: dataDir, BULK_MAX_WRITES_PER_MINUTE: '600' });
  running.push(server);
  return server;
}

it('finishes after SIGKILL and a restart, writing no user twice', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'iid-bulk-crash-'));
  const { users } = sandbox.addGeneratedUsers('crash', 20, 'Crash wave');
  const first = await start(dataDir);
  const client = createBotClient({ botUrl: first.url, connectorUrl: connector.url, tenantId: sandbox.tenantId });
  await client.say('clear immutable id for members of Crash wave', { from: APPROVER });
  const preview = connector.messages().find((m) => cardOf(m.activity))!;
  const jobId = (findActions(cardOf(preview.activity)!).find((a) => a.verb === 'bulk.approve')!.data as { requestId: string }).requestId;

  // The 8th user's PATCH is slow: the process dies while it is on the wire, and Graph still applies it.
  const interrupted = users[7]!;
  sandbox.addFault({ method: 'PATCH', pathIncludes: interrupted.id, delayMs: 1500, times: 1 });
  await client.tap('bulk.approve', { requestId: jobId }, { from: APPROVER, replyToId: preview.id });
  await connector.waitFor(() => sandbox.requests().some((r) => r.method === 'PATCH' && r.path.endsWith(interrupted.id)), 20_000);
  first.kill('SIGKILL');
  await first.exited;
  await new Promise((r) => setTimeout(r, 1800));
  const before = sandbox.requests().filter((r) => r.method === 'PATCH').length;
  expect(before).toBeGreaterThanOrEqual(8);
  expect(before).toBeLessThan(20);

  await start(dataDir);
  await connector.waitFor((all) => all.some((a) => a.method === 'PUT' && /finished/i.test(collectCardText(cardOf(a.activity)).join('\n'))), 30_000);
  for (const user of users) {
    const patches = sandbox.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith(user.id));
    expect(patches.map((p) => p.status)).toEqual([204]);
    expect(sandbox.getUser(user.id)?.onPremisesImmutableId).toBeNull();
  }
  const final = connector.activities.filter((a) => a.method === 'PUT').map((a) => collectCardText(cardOf(a.activity)).join('\n')).find((t) => /finished/i.test(t))!;
  expect(final).toMatch(/20 changed, 0 failed/);
  const audit = readFileSync(path.join(dataDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; requestId: string; target: { id: string } });
  expect(audit.filter((e) => e.requestId === jobId && e.target.id === interrupted.id).map((e) => e.event)).toEqual(['change.intent', 'change.reconciled']);
});
