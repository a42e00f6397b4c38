/**
 * Threat: a deployment or scale-in stops the process in the middle of an approved change, and the
 * approval, the audit record or the user's answer is lost, or the change is left half-done.
 *
 * SIGTERM: stop accepting, finish in-flight turns, flush state; nothing lost. Runs the built
 * server (`node dist/src/index.js`, run `npm run build` first) against the sandbox and a recording
 * connector, with file storage under a temporary DATA_DIR.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunningSandbox, SANDBOX_USERS, startSandbox } from '../../src/sandbox';
import { FileStore } from '../../src/storage/file-store';
import { RequestStore } from '../../src/storage/request-store';
import { APPROVER, cardOf, HELPDESK } from '../helpers/bot-harness';
import { RecordingConnector, startRecordingConnector } from '../helpers/recording-connector';
import {
  activityFor,
  cardText,
  freePort,
  patches,
  postFresh,
  readAuditFile,
  requestIdOf,
  serverEnv,
  sleep,
  SpawnedServer,
  spawnServer,
  waitUntil,
} from '../helpers/security-helpers';

const PATCH_DELAY_MS = 3000;

let sandbox: RunningSandbox;
let connector: RecordingConnector;
let server: SpawnedServer | undefined;
beforeAll(async () => {
  sandbox = await startSandbox();
  connector = await startRecordingConnector();
});
afterAll(async () => {
  await server?.stop();
  await connector?.close();
  await sandbox?.close();
});

it('stops accepting at once, finishes the running approval and the in-flight turn, flushes the audit and state, then exits 0', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'iid-sigterm-'));
  const port = await freePort();
  server = await spawnServer(serverEnv(sandbox, port, dataDir, { CARD_ACTION_DEADLINE_MS: '300' }));
  const url = `http://127.0.0.1:${port}`;
  const personal = `a:personal-${randomUUID()}`;
  const send = (from: typeof HELPDESK, extra: Record<string, unknown>) => postFresh(url, activityFor(connector.url, sandbox.tenantId, personal, from, extra));

  // A pending request for alice.
  expect((await send(HELPDESK, { type: 'message', text: 'clear immutable id for alice@contoso.com' })).status).toBe(200);
  const cardMessage = connector.messages(personal).find((m) => cardOf(m.activity));
  expect(cardMessage).toBeDefined();
  const requestId = requestIdOf(cardOf(cardMessage!.activity)!);

  // The approval: Graph holds the PATCH for 3 s, so the tap is answered "Working…" and runs on.
  sandbox.addFault({ method: 'PATCH', delayMs: PATCH_DELAY_MS, times: 1 });
  const tap = await send(APPROVER, {
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: cardMessage!.id,
    value: { action: { type: 'Action.Execute', verb: 'clear.confirm', data: { requestId } }, trigger: 'manual' },
  });
  expect(tap.status).toBe(200);
  expect(cardText((JSON.parse(tap.text) as { value: unknown }).value)).toMatch(/Working/i);
  await waitUntil(() => patches(sandbox).length === 1, 5000, 'the PATCH to reach Graph');
  const patchArrived = Date.parse(patches(sandbox)[0]!.at);

  // A turn still in flight when the signal comes: its lookup is held for 1.5 s.
  sandbox.addFault({ pathIncludes: '$batch', delayMs: 1500, times: 1 });
  const inFlightTurn = send(HELPDESK, { type: 'message', text: 'show judy@contoso.onmicrosoft.com' });
  await waitUntil(() => sandbox.requests().some((r) => r.path === '/v1.0/$batch' && r.status === 0), 3000, 'the in-flight lookup');

  server.child.kill('SIGTERM');
  const signalled = Date.now();

  // New connections are refused straight away.
  await sleep(300);
  await expect(send(HELPDESK, { type: 'message', text: 'show alice@contoso.com' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });

  // The in-flight turn still got its answer.
  expect((await inFlightTurn).status).toBe(200);
  expect(connector.messages(personal).some((m) => /Judy Lee/.test(cardText(cardOf(m.activity))))).toBe(true);

  // Exit 0, and only after the held PATCH was answered.
  const exit = await server.exited;
  expect(exit.code).toBe(0);
  expect(exit.at).toBeGreaterThanOrEqual(patchArrived + PATCH_DELAY_MS);
  expect(exit.at - signalled).toBeLessThan(15_000);

  // Nothing lost: directory changed once, audit flushed with intent and outcome, request completed,
  // the card replaced with the outcome and the tips posted.
  expect(patches(sandbox)).toHaveLength(1);
  expect(patches(sandbox)[0]?.status).toBe(204);
  expect(sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBeNull();
  expect(readAuditFile(dataDir).filter((e) => e.requestId === requestId).map((e) => e.event)).toEqual([
    'request.created',
    'request.approved',
    'change.intent',
    'change.succeeded',
  ]);
  const stored = await new RequestStore(new FileStore(path.join(dataDir, 'state'))).get(requestId);
  expect(stored?.state).toBe('completed');
  const update = connector.activities.find((a) => a.method === 'PUT' && a.activityId === cardMessage!.id);
  expect(update && cardText(cardOf(update.activity))).toMatch(/cleared/i);
  expect(connector.messages(personal).some((m) => /Start-ADSyncSyncCycle/.test(cardText(cardOf(m.activity))))).toBe(true);

  // It said what it was doing.
  const events = server.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; inFlight?: number });
  const stopping = events.find((e) => e.event === 'server.stopping');
  expect(stopping?.inFlight).toBeGreaterThanOrEqual(1);
  expect(events.at(-1)?.event).toBe('server.stopped');
}, 30_000);
