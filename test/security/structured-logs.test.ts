/**
 * Threat: logs leak what they must not (the Graph client secret, the bot's password, bearer
 * tokens, what users typed) to whoever reads them, or cannot be followed through one turn.
 *
 * Logs are structured JSON with correlation ids; no token, secret or full message text of users
 * in logs. Runs the built server (`node dist/src/index.js`, run `npm run build` first) with
 * inbound auth on (tokens from a local Bot Framework issuer) against the sandbox.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunningSandbox, startSandbox } from '../../src/sandbox';
import { APPROVER, cardOf, HELPDESK } from '../helpers/bot-harness';
import { BotFrameworkIssuer, startBotFrameworkIssuer, TEST_BOT_ID, TEST_BOT_PASSWORD, TEST_BOT_TENANT_ID } from '../helpers/bot-framework-issuer';
import { RecordingConnector, startRecordingConnector } from '../helpers/recording-connector';
import { activityFor, freePort, postFresh, requestIdOf, serverEnv, SpawnedServer, spawnServer, waitUntil } from '../helpers/security-helpers';

interface LogLine {
  time: string;
  level: string;
  event: string;
  correlationId?: string;
  [key: string]: unknown;
}

const NOTIFY_SECRET = `notify-${randomUUID()}`;
const MARKER = `ZEBRA-${randomUUID()}`;

let sandbox: RunningSandbox;
let connector: RecordingConnector;
let issuer: BotFrameworkIssuer;
let server: SpawnedServer;
let lines: LogLine[];
const tokensSent: string[] = [];
const textsSent: string[] = [];
const ids: Record<string, string> = {};

beforeAll(async () => {
  sandbox = await startSandbox();
  connector = await startRecordingConnector();
  issuer = await startBotFrameworkIssuer();
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'iid-logs-'));
  server = await spawnServer(
    serverEnv(sandbox, port, dataDir, {
      BOT_ID: TEST_BOT_ID,
      BOT_PASSWORD: TEST_BOT_PASSWORD,
      BOT_TENANT_ID: TEST_BOT_TENANT_ID,
      NOTIFY_SECRET,
      APPROVER_IDS: `${APPROVER.aadObjectId},${HELPDESK.aadObjectId}`,
      ...issuer.cloudEnv(),
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const conversation = `a:personal-${randomUUID()}`;
  const send = async (from: typeof HELPDESK, extra: Record<string, unknown>, token?: string) => {
    const activity = activityFor(connector.url, sandbox.tenantId, conversation, from, extra);
    const bearer = token ?? issuer.sign({ aud: TEST_BOT_ID, serviceurl: connector.url });
    tokensSent.push(bearer);
    if (typeof extra.text === 'string') textsSent.push(extra.text);
    const response = await postFresh(url, activity, { authorization: `Bearer ${bearer}` });
    return { ...response, id: String(activity.id) };
  };

  // Chatter with a unique marker, a lookup, a request and its approval (the PATCH runs).
  ids.chatter = (await send(HELPDESK, { type: 'message', text: `please order a pizza for ${MARKER} and call 555-0100` })).id;
  ids.show = (await send(HELPDESK, { type: 'message', text: 'show alice.smith@contoso.com' })).id;
  ids.clear = (await send(HELPDESK, { type: 'message', text: `clear immutable id for alice@contoso.com because ${MARKER} ticket` })).id;
  const card = connector.messages(conversation).map((m) => ({ m, c: cardOf(m.activity) })).filter((x) => x.c).at(-1)!;
  ids.confirm = (
    await send(APPROVER, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: card.m.id,
      value: { action: { type: 'Action.Execute', verb: 'clear.confirm', data: { requestId: requestIdOf(card.c!) } }, trigger: 'manual' },
    })
  ).id;
  // A turn that fails inside: the state folder became a file, so a tap cannot even read its request.
  renameSync(path.join(dataDir, 'state'), path.join(dataDir, 'state.moved'));
  writeFileSync(path.join(dataDir, 'state'), 'not a folder');
  ids.failing = (
    await send(APPROVER, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId: card.m.id,
      value: { action: { type: 'Action.Execute', verb: 'clear.confirm', data: { requestId: requestIdOf(card.c!) } }, trigger: 'manual' },
    })
  ).id;
  // A forged token: refused, and the refusal is logged.
  const forged = `${issuer.sign({ aud: TEST_BOT_ID, serviceurl: connector.url }).slice(0, -8)}AAAAAAAA`;
  expect((await send(HELPDESK, { type: 'message', text: `help ${MARKER}` }, forged)).status).toBe(401);

  await waitUntil(() => server.stdout().includes('"change.succeeded"'), 5000, 'the change to finish');
  await server.stop();
  lines = server.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await issuer?.close();
  await connector?.close();
  await sandbox?.close();
});

const everything = () => server.stdout() + server.stderr();

it('writes nothing but JSON lines with time, level and event to stdout', () => {
  const raw = server.stdout().split('\n').filter(Boolean);
  expect(raw.length).toBeGreaterThan(5);
  for (const line of raw) {
    let parsed: unknown;
    expect(() => (parsed = JSON.parse(line))).not.toThrow();
    expect(parsed).toEqual(expect.objectContaining({ time: expect.any(String), level: expect.stringMatching(/^(debug|info|warn|error)$/), event: expect.any(String) }));
  }
});

it('logs every turn with a correlation id, and the lines a turn causes carry the same id', () => {
  const turns = lines.filter((l) => l.event === 'turn.received');
  expect(turns.length).toBeGreaterThanOrEqual(5);
  for (const t of turns) expect(t.correlationId).toEqual(expect.any(String));
  // The request was created in the "clear" turn and changed in the "confirm" turn.
  const created = lines.find((l) => l.event === 'request.created');
  const changed = lines.find((l) => l.event === 'change.succeeded');
  expect(created?.correlationId).toBe(ids.clear);
  expect(changed?.correlationId).toBe(ids.confirm);
  expect(turns.map((t) => t.correlationId)).toEqual(expect.arrayContaining([ids.chatter, ids.show, ids.clear, ids.confirm, ids.failing]));
});

it('ties a failed turn to its correlation id', () => {
  // A card tap that fails is answered (the card as it is, what to try) and logged as card_action.failed.
  const failed = lines.filter((l) => l.event === 'turn.failed' || l.event === 'card_action.failed');
  expect(failed).toHaveLength(1);
  expect(failed[0]?.correlationId).toBe(ids.failing);
});

it.each([
  ['the Graph client secret', () => sandbox.clientSecret],
  ['the bot password', () => TEST_BOT_PASSWORD],
  ['the notify secret', () => NOTIFY_SECRET],
])('never contains %s', (_what, secret) => {
  expect(secret().length).toBeGreaterThan(8);
  expect(everything()).not.toContain(secret());
});

it('never contains a bearer token (sent, forged, or any JWT) or an Authorization header', () => {
  for (const token of tokensSent) {
    expect(everything()).not.toContain(token);
    expect(everything()).not.toContain(token.split('.')[2]); // not even the signature
  }
  expect(everything()).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/);
  expect(everything()).not.toMatch(/bearer\s+\S/i);
});

it("never contains what users typed", () => {
  expect(textsSent.length).toBeGreaterThanOrEqual(4);
  for (const text of textsSent) expect(everything()).not.toContain(text);
  expect(everything()).not.toContain(MARKER);
  expect(everything()).not.toContain('555-0100');
});
