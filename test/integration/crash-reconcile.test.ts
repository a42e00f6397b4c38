/**
 * A crash between approval and PATCH, or between PATCH and recording the outcome, is reconciled
 * at start-up: the user is re-read, what actually happened is recorded, and the cards are updated.
 * The production server runs as a child process and is killed (SIGKILL) at those points.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunningSandbox, SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS, startSandbox } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, createBotClient, HELPDESK, sandboxGraphEnv } from '../helpers/bot-harness';
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
beforeEach(() => {
  sandbox.reset();
  connector.clear();
});

function envFor(dataDir: string): Record<string, string> {
  return {
    ...sandboxGraphEnv(sandbox),
    APPROVER_IDS: APPROVER.aadObjectId,
    DATA_DIR: dataDir,
    CARD_ACTION_DEADLINE_MS: '300',
    VERIFY_MAX_WAIT_MS: '300',
  };
}

async function start(dataDir: string): Promise<ServerProcess> {
  const server = await startServerProcess(envFor(dataDir));
  running.push(server);
  return server;
}

const auditOf = (dataDir: string, requestId: string) =>
  readFileSync(path.join(dataDir, 'audit.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string; requestId: string; after?: string | null; detail?: string })
    .filter((e) => e.requestId === requestId);

async function requestAndTapThenKill(dataDir: string, slowPart: { method: string; pathIncludes: string | string[] }, delayMs = 10_000) {
  const first = await start(dataDir);
  const client = createBotClient({ botUrl: first.url, connectorUrl: connector.url, tenantId: sandbox.tenantId });
  await client.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
  const cardMessage = connector.messages().find((m) => cardOf(m.activity))!;
  const requestId = (findActions(cardOf(cardMessage.activity)!).find((a) => a.verb === 'request.approve')!.data as { requestId: string }).requestId;
  sandbox.addFault({ ...slowPart, delayMs, times: 1 });
  const { body } = await client.tap('clear.confirm', { requestId }, { replyToId: cardMessage.id });
  expect(collectCardText(body.value as Record<string, unknown>).join('\n')).toMatch(/working/i);
  await new Promise((r) => setTimeout(r, 300));
  first.kill('SIGKILL');
  await first.exited;
  sandbox.clearFaults();
  return { requestId, cardMessage, client };
}

it('settles a request killed between approval and PATCH as "nothing changed"', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'iid-crash-'));
  // The re-read before the PATCH is slow; the process dies while waiting for it.
  const { requestId, cardMessage } = await requestAndTapThenKill(dataDir, { method: 'POST', pathIncludes: '$batch' });
  expect(sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(0);
  expect(auditOf(dataDir, requestId).map((e) => e.event)).toEqual(['request.created', 'request.approved']);

  connector.clear();
  await start(dataDir);
  await connector.waitFor((all) => all.some((a) => a.method === 'PUT' && a.activityId === cardMessage.id));
  const update = connector.activities.find((a) => a.method === 'PUT' && a.activityId === cardMessage.id)!;
  expect(collectCardText(cardOf(update.activity)!).join('\n')).toMatch(/nothing was changed/i);
  expect(sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(0);
  expect(sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  const events = auditOf(dataDir, requestId);
  expect(events.map((e) => e.event)).toEqual(['request.created', 'request.approved', 'change.reconciled']);
  expect(events[2]?.detail).toMatch(/unchanged/);
});

it('settles a request killed between PATCH and recording the outcome as cleared, without a second PATCH', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'iid-crash-'));
  // The PATCH is on the wire when the process dies; Graph (the sandbox) still carries it out.
  const { requestId, cardMessage } = await requestAndTapThenKill(dataDir, { method: 'PATCH', pathIncludes: SANDBOX_USERS.alice }, 1500);
  await new Promise((r) => setTimeout(r, 1800));
  expect(sandbox.requests().filter((r) => r.method === 'PATCH' && r.status === 204)).toHaveLength(1);
  expect(auditOf(dataDir, requestId).map((e) => e.event)).toEqual(['request.created', 'request.approved', 'change.intent']);

  connector.clear();
  await start(dataDir);
  await connector.waitFor((all) => all.some((a) => a.method === 'PUT' && a.activityId === cardMessage.id));
  const update = connector.activities.find((a) => a.method === 'PUT' && a.activityId === cardMessage.id)!;
  expect(collectCardText(cardOf(update.activity)!).join('\n')).toMatch(/cleared/i);
  expect(sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(1);
  const events = auditOf(dataDir, requestId);
  expect(events.map((e) => e.event)).toEqual(['request.created', 'request.approved', 'change.intent', 'change.reconciled']);
  expect(events[3]?.after).toBeNull();
});
