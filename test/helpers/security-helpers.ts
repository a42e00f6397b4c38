/**
 * Shared helpers of the security suites (test/security): what reached Graph, what the chat
 * saw, raw Teams activities (Action.Submit fallback, forged invokes), and the built server as
 * a child process (SIGTERM, logs).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LogFields, Logger, silentLogger } from '../../src/log';
import type { RecordedRequest, RunningSandbox } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, BOT, cardOf, ConversationKind, Harness, HELPDESK, InvokeBody, Person, TEAM_ID, sandboxGraphEnv } from './bot-harness';
import type { RecordedActivity } from './recording-connector';

export type Card = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// What reached Graph

/** Graph calls (not token requests), top level and inside $batch. */
export const graphRequests = (sandbox: RunningSandbox): RecordedRequest[] =>
  sandbox.requests().filter((r) => r.path.startsWith('/v1.0') || r.path.startsWith('/beta'));
export const patches = (sandbox: RunningSandbox): RecordedRequest[] => sandbox.requests().filter((r) => r.method === 'PATCH');
/** Any write: PATCH, PUT, DELETE, or a POST other than $batch and the read-only checkMemberGroups. */
export const writes = (sandbox: RunningSandbox): RecordedRequest[] =>
  graphRequests(sandbox).filter(
    (r) => ['PATCH', 'PUT', 'DELETE'].includes(r.method) || (r.method === 'POST' && !r.path.endsWith('/$batch') && !r.path.endsWith('/checkMemberGroups')),
  );

// ---------------------------------------------------------------------------------------------
// What the chat saw

export const cardText = (card: unknown): string => collectCardText(card).join('\n');

/** Cards the chat received (posted and updated), oldest first. */
export function sentCards(h: Harness): Array<{ record: RecordedActivity; card: Card }> {
  return h.connector.activities.flatMap((record) => {
    const card = cardOf(record.activity);
    return card && record.activity.type === 'message' ? [{ record, card }] : [];
  });
}
export function lastCard(h: Harness): Card {
  const all = sentCards(h).filter((c) => c.record.method === 'POST');
  const last = all[all.length - 1];
  if (!last) throw new Error(`no card was sent; texts: ${JSON.stringify(sentTexts(h))}`);
  return last.card;
}
export const sentTexts = (h: Harness): string[] =>
  h.connector.messages().flatMap((m) => (typeof m.activity.text === 'string' && m.activity.text ? [m.activity.text] : []));
export const lastText = (h: Harness): string => sentTexts(h).at(-1) ?? '';

export function requestIdOf(card: Card): string {
  const action = findActions(card).find((a) => (a.verb === 'request.approve' || a.verb === 'request.cancel') && a.type === 'Action.Execute');
  if (!action) throw new Error(`no request buttons on: ${cardText(card)}`);
  return (action.data as { requestId: string }).requestId;
}

/** Asks for a clear and returns the request id and the id of the message holding the card. */
export async function requestClear(
  h: Harness,
  who: string,
  options: { from?: Person; conversation?: ConversationKind } = {},
): Promise<{ requestId: string; cardMessageId: string }> {
  const before = h.connector.activities.length;
  expect(await h.say(`clear immutable id for ${who}`, { from: options.from ?? HELPDESK, ...(options.conversation ? { conversation: options.conversation } : {}) })).toBe(200);
  const posted = h.connector.activities.slice(before).filter((a) => a.method === 'POST' && cardOf(a.activity));
  const first = posted[0];
  if (!first) throw new Error(`no card after "clear immutable id for ${who}"; texts: ${JSON.stringify(sentTexts(h))}`);
  return { requestId: requestIdOf(cardOf(first.activity) as Card), cardMessageId: first.id };
}

// ---------------------------------------------------------------------------------------------
// Raw activities

export interface RawOptions {
  from?: Person;
  conversation?: ConversationKind;
  /** Overrides the conversation id (e.g. a channel thread "…;messageid=…" or another chat). */
  conversationId?: string;
  replyToId?: string;
  tenantId?: string;
  id?: string;
}

/** A Teams activity as the harness would send it, for shapes the harness does not build. */
export function baseActivity(h: Harness, options: RawOptions = {}): Record<string, unknown> {
  const kind = options.conversation ?? 'personal';
  const tenant = options.tenantId ?? h.tenantId;
  const from = options.from ?? APPROVER;
  const channel = h.conversationIdFor('channel');
  return {
    id: options.id ?? randomUUID(),
    channelId: 'msteams',
    serviceUrl: h.connector.url,
    timestamp: new Date().toISOString(),
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: BOT,
    conversation: {
      id: options.conversationId ?? h.conversationIdFor(kind),
      tenantId: tenant,
      conversationType: kind,
      ...(kind === 'personal' ? {} : { isGroup: true }),
    },
    channelData: { tenant: { id: tenant }, ...(kind === 'channel' ? { channel: { id: channel }, team: { id: TEAM_ID } } : {}) },
    locale: 'en-US',
    ...(options.replyToId ? { replyToId: options.replyToId } : {}),
  };
}

/** The Action.Submit fallback: a message with `value` and no text. */
export async function submit(h: Harness, value: Record<string, unknown>, options: RawOptions = {}): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const { status } = await h.post({ ...baseActivity(h, options), type: 'message', value });
  return { status, ms: Date.now() - started };
}

/** An adaptiveCard/action invoke with any value (e.g. malformed or forged). */
export async function invoke(h: Harness, value: unknown, options: RawOptions = {}): Promise<{ status: number; body: InvokeBody | undefined; ms: number }> {
  const started = Date.now();
  const response = await h.post({ ...baseActivity(h, options), type: 'invoke', name: 'adaptiveCard/action', replyToId: options.replyToId ?? 'card-activity-1', value });
  const ms = Date.now() - started;
  let body: InvokeBody | undefined;
  try {
    body = response.text ? (JSON.parse(response.text) as InvokeBody) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body, ms };
}

export const executeValue = (verb: string, data: Record<string, unknown>) => ({ action: { type: 'Action.Execute', verb, data }, trigger: 'manual' });

// ---------------------------------------------------------------------------------------------
// Rendered text checks

/** The text with every backslash-escaped character removed: what markdown would still act on. */
const unescaped = (text: string): string => text.replace(/\\[\s\S]/g, '');

/**
 * Ways a directory value could have come alive in visible text: a markdown link or image, a tag
 * or mention, a raw script tag, a clickable URL. `[]` when inert. Bot-written markdown such as
 * **bold** is allowed (this is about links, tags and mentions).
 */
export function liveMarkup(text: string): string[] {
  const bare = unescaped(text);
  const problems: string[] = [];
  if (/!?\[[^\]]*\]\s*\(/.test(bare)) problems.push('markdown link');
  if (/<\s*at\b/i.test(text)) problems.push('<at> mention');
  if (/<\s*script\b/i.test(text)) problems.push('<script>');
  if (/<\s*\/?\s*[a-z][a-z0-9-]*[\s>/]/i.test(text)) problems.push('HTML tag');
  if (/&(?:lt|gt|#0*60|#x0*3c);/i.test(text)) problems.push('HTML entity for a tag');
  if (/(?:https?|javascript):\/\//i.test(text)) problems.push('clickable URL');
  if (/<https?:/i.test(text)) problems.push('autolink');
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Logs of an in-process harness

export interface CapturedLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  event: string;
  fields: LogFields;
}

/**
 * Captures what the harness's app logs (it logs through `silentLogger`, and through the child
 * loggers it makes per turn). Call `restore()` when done.
 */
export function captureLogs(): { entries: CapturedLog[]; restore(): void } {
  const entries: CapturedLog[] = [];
  const make = (base: LogFields): Logger => ({
    debug: (event, fields) => void entries.push({ level: 'debug', event, fields: { ...base, ...fields } }),
    info: (event, fields) => void entries.push({ level: 'info', event, fields: { ...base, ...fields } }),
    warn: (event, fields) => void entries.push({ level: 'warn', event, fields: { ...base, ...fields } }),
    error: (event, fields) => void entries.push({ level: 'error', event, fields: { ...base, ...fields } }),
    child: (fields) => make({ ...base, ...fields }),
  });
  const root = make({});
  const spies = (['debug', 'info', 'warn', 'error', 'child'] as const).map((method) =>
    jest.spyOn(silentLogger, method).mockImplementation(root[method] as never),
  );
  return { entries, restore: () => spies.forEach((s) => s.mockRestore()) };
}

// ---------------------------------------------------------------------------------------------
// Time

/**
 * Moves the bot's workflow clock forward by `ms` (requests expire and reminders fall due without
 * the test waiting; durations have sensible minimums, so tests cannot just make them tiny).
 */
export function advanceClock(h: Pick<Harness, 'app'>, ms: number): void {
  const previous = h.app.deps.now ?? (() => new Date());
  h.app.deps.now = () => new Date(previous().getTime() + ms);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

// ---------------------------------------------------------------------------------------------
// The built server as a child process

export const BUILT_ENTRY = path.resolve(__dirname, '../../dist/src/index.js');

/** A TCP port that was free a moment ago (the spawned server needs a real one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  port: number;
  dataDir: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal) and when it exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  stop(): Promise<void>;
}

/** Environment for the built server against this sandbox, nothing inherited but PATH and the CA bundle. */
export function serverEnv(sandbox: RunningSandbox, port: number, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
    PORT: String(port),
    ...sandboxGraphEnv(sandbox),
    APPROVER_IDS: APPROVER.aadObjectId,
    SANDBOX_MODE: 'true',
    DATA_DIR: dataDir,
    VERIFY_MAX_WAIT_MS: '300',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Starts `node dist/src/index.js` with exactly `env` and resolves once it logged server.started. */
export async function spawnServer(env: Record<string, string>): Promise<SpawnedServer> {
  if (!existsSync(BUILT_ENTRY)) throw new Error(`${BUILT_ENTRY} is missing: run "npm run build" first (npm test does)`);
  // cwd: an empty directory, so dotenv finds no .env that could change the settings.
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'iid-sec-'));
  const child = spawn(process.execPath, [BUILT_ENTRY], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const started = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no server.started line within 15 s; stdout: ${stdout} stderr: ${stderr}`)), 15_000);
    const onData = () => {
      for (const line of stdout.split('\n')) {
        if (!line.includes('"server.started"')) continue;
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(JSON.parse(line) as Record<string, unknown>);
        return;
      }
    };
    child.stdout?.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before starting; stdout: ${stdout} stderr: ${stderr}`));
    });
  });
  const port = Number(env.PORT);
  return {
    child,
    url: String(started.url),
    port,
    dataDir: env.DATA_DIR ?? '',
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** POSTs an activity to a spawned server on a fresh connection (no keep-alive pool). */
export function postFresh(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const target = new URL('/api/messages', url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), connection: 'close', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface AuditLine {
  event: string;
  requestId: string;
  before?: string | null;
  after?: string | null;
  detail?: string;
}

/** The audit trail the embedded file storage wrote under DATA_DIR. */
export function readAuditFile(dataDir: string): AuditLine[] {
  const file = path.join(dataDir, 'audit.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditLine);
}

/** A Teams-shaped activity for a spawned server (no harness). */
export function activityFor(
  connectorUrl: string,
  tenantId: string,
  conversationId: string,
  from: Person,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: connectorUrl,
    timestamp: new Date().toISOString(),
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: BOT,
    conversation: { id: conversationId, tenantId, conversationType: 'personal' },
    channelData: { tenant: { id: tenantId } },
    locale: 'en-US',
    ...extra,
  };
}
