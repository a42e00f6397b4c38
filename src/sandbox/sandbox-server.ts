/**
 * The sandbox directory's HTTPS server: one host that is both the Entra authority (token
 * endpoint) and Microsoft Graph, plus the /_sandbox/ controls. This file only does HTTP:
 * reading requests, auth, faults, logging and writing answers; the routes live elsewhere.
 */
import { randomBytes, randomUUID } from 'crypto';
import * as https from 'https';
import type { IncomingMessage, ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { setTimeout as sleep } from 'timers/promises';
import { runBatch, type BatchSubRequest } from './batch';
import { handleControl } from './control-routes';
import { DirectoryState } from './directory-state';
import { FaultSet, type FaultAction } from './faults';
import { type GraphResult, type RequestIds, MESSAGES, faultError, graphError, notImplemented } from './graph-errors';
import { routeGraph, splitGraphPath } from './graph-routes';
import { type RecordedRequest, RequestLog, redactForm, redactHeaders } from './request-log';
import { defaultSeed } from './seed';
import { loadSandboxTls } from './tls';
import { type EntraResult, type TokenContext, entraFaultError, handleEntraRequest, verifyAccessToken } from './token-endpoint';
import type { RunningSandbox, SandboxOptions } from './types';
import { generateUsers } from './seed-bulk';
import { GRAPH_IDENTITY_WRITE_LIMIT, WriteLimiter, isIdentityWrite } from './write-limit';

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** Thrown to destroy the socket instead of answering (fault rule dropConnection). */
class DropConnection extends Error {}

function safeDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown, ids: RequestIds): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = status;
  res.setHeader('request-id', ids.requestId);
  res.setHeader('client-request-id', ids.clientRequestId);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body === undefined) {
    res.end();
  } else {
    if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const seed = options.seed ?? defaultSeed();
  const tls = options.tls ?? loadSandboxTls();
  const host = options.host ?? '127.0.0.1';
  const state = new DirectoryState(seed);
  const faults = new FaultSet();
  const armSeedFaults = (): void => seed.faults.forEach((rule) => faults.add(rule));
  armSeedFaults();
  const log = new RequestLog();
  const defaultWriteLimit = options.writeLimit ?? GRAPH_IDENTITY_WRITE_LIMIT;
  const writeLimiter = new WriteLimiter(defaultWriteLimit);
  const closing = new AbortController();

  const server = https.createServer({ cert: tls.cert, key: tls.key });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const ctx: TokenContext = {
    baseUrl: url,
    tenantId: seed.tenantId,
    tenantDisplayName: seed.organization.displayName,
    tenantDomains: seed.domains.filter((d) => d.isVerified).map((d) => d.id),
    app: seed.app,
    lifetimeSeconds: options.tokenLifetimeSeconds ?? 3600,
    // Per sandbox: its tokens are worthless to any other sandbox, let alone real Graph.
    signingKey: randomBytes(32),
  };

  /** Applies a matched fault: wait, then drop, fail or (undefined) carry on. */
  async function applyFault(action: FaultAction | undefined): Promise<number | undefined> {
    if (!action) return undefined;
    if (action.delayMs > 0) await sleep(action.delayMs, undefined, { signal: closing.signal });
    if (action.dropConnection) throw new DropConnection('fault: drop connection');
    return action.status;
  }

  /**
   * One Graph request after authentication, top-level or inside $batch: faults on its own path,
   * then the route. `rel`: raw path after "/v1.0/" (or "/beta/").
   */
  async function executeGraph(
    method: string,
    version: string,
    rel: string,
    query: Record<string, string>,
    body: unknown,
    bodyInvalid: boolean,
    headers: Record<string, string>,
    ids: RequestIds,
    viaBatch: boolean,
  ): Promise<GraphResult> {
    const decodedPath = `/${version}/${safeDecode(rel)}`.replace(/\/$/, '');
    const action = faults.take(method, decodedPath);
    const status = await applyFault(action);
    if (status !== undefined) return faultError(status, action?.retryAfterSeconds, ids);
    if (isIdentityWrite(method, decodedPath)) {
      const retryAfter = writeLimiter.take();
      if (retryAfter !== undefined) return faultError(429, retryAfter, ids);
    }
    if (version !== 'v1.0' && version !== 'beta') return notImplemented(method, decodedPath, ids);
    const segments = splitGraphPath(rel);
    if (!segments) return graphError(400, 'BadRequest', `Invalid percent-encoding in '${rel}'.`, ids);
    if (segments[0]?.value === '$batch' && segments.length === 1) {
      if (viaBatch) return graphError(400, 'BadRequest', 'A batch request cannot contain a $batch request.', ids);
      if (method !== 'POST' || version !== 'v1.0') return notImplemented(method, decodedPath, ids);
      return runBatch(body, bodyInvalid, ids, (sub) => executeSubRequest(sub, ids));
    }
    return routeGraph({ method, version, headers, segments, rawPath: rel, decodedPath, query, body, bodyInvalid, ids, baseUrl: url }, state);
  }

  async function executeSubRequest(sub: BatchSubRequest, outer: RequestIds): Promise<GraphResult> {
    const relUrl = sub.url.replace(/^\/+/, '');
    const qi = relUrl.indexOf('?');
    const rel = qi < 0 ? relUrl : relUrl.slice(0, qi);
    const query = Object.fromEntries(new URLSearchParams(qi < 0 ? '' : relUrl.slice(qi + 1)));
    const ids = { requestId: randomUUID(), clientRequestId: sub.headers['client-request-id'] ?? outer.clientRequestId };
    const entry = log.start({
      method: sub.method,
      path: `/v1.0/${safeDecode(rel)}`.replace(/\/$/, ''),
      rawUrl: sub.url,
      query,
      body: sub.body,
      headers: redactHeaders(sub.headers),
      viaBatch: true,
      authorized: true, // the batch's own token covers its sub-requests
      requestId: ids.requestId,
    });
    const result = await executeGraph(sub.method, 'v1.0', rel, query, sub.body, false, sub.headers, ids, true);
    entry.status = result.status;
    return result;
  }

  async function handleGraph(req: IncomingMessage, entry: RecordedRequest, version: string, rel: string, parsed: ParsedBody, ids: RequestIds): Promise<GraphResult> {
    const auth = headerValue(req, 'authorization') ?? '';
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
    const challenge = { 'WWW-Authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"' };
    if (!bearer) return graphError(401, 'InvalidAuthenticationToken', MESSAGES.emptyToken, ids, challenge);
    const check = verifyAccessToken(bearer, ctx);
    if (!check.ok) {
      const message = check.message === 'expired' ? MESSAGES.expiredToken : check.message === 'audience' ? MESSAGES.invalidAudience : MESSAGES.invalidToken;
      return graphError(401, 'InvalidAuthenticationToken', message, ids, challenge);
    }
    entry.authorized = true;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    return executeGraph(entry.method, version, rel, entry.query, parsed.json, parsed.invalid, headers, ids, false);
  }

  async function handleEntra(req: IncomingMessage, entry: RecordedRequest, decodedPath: string, parsed: ParsedBody, ids: RequestIds): Promise<EntraResult | GraphResult> {
    const method = entry.method;
    const action = faults.take(method, decodedPath);
    const status = await applyFault(action);
    if (status !== undefined) return entraFaultError(status, action?.retryAfterSeconds, ids.clientRequestId);
    let basic: { clientId: string; secret: string } | undefined;
    const auth = /^Basic\s+(\S+)$/i.exec(headerValue(req, 'authorization') ?? '')?.[1];
    if (auth) {
      const [id = '', ...secret] = Buffer.from(auth, 'base64').toString('utf8').split(':');
      basic = { clientId: safeDecode(id), secret: safeDecode(secret.join(':')) };
    }
    const segments = decodedPath.split('/').filter(Boolean);
    const result = handleEntraRequest(method, segments, { fields: parsed.form ?? {}, basic }, ctx, ids.clientRequestId);
    if (!result) return notImplemented(method, decodedPath, ids);
    entry.authorized = result.authorized;
    return result;
  }

  interface ParsedBody {
    json: unknown;
    invalid: boolean;
    form?: Record<string, string>;
  }

  function parseBody(req: IncomingMessage, raw: Buffer): ParsedBody {
    const text = raw.toString('utf8');
    if ((headerValue(req, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return { json: undefined, invalid: false, form: Object.fromEntries(new URLSearchParams(text)) };
    }
    if (text.trim() === '') return { json: undefined, invalid: false };
    try {
      return { json: JSON.parse(text) as unknown, invalid: false };
    } catch {
      return { json: undefined, invalid: true };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const requestId = randomUUID();
    const ids: RequestIds = { requestId, clientRequestId: headerValue(req, 'client-request-id') ?? requestId };
    const rawUrl = req.url ?? '/';
    const qi = rawUrl.indexOf('?');
    const rawPath = qi < 0 ? rawUrl : rawUrl.slice(0, qi);
    const decodedPath = safeDecode(rawPath);
    const query = Object.fromEntries(new URLSearchParams(qi < 0 ? '' : rawUrl.slice(qi + 1)));
    let entry: RecordedRequest | undefined;
    try {
      let raw: Buffer;
      try {
        raw = await readBody(req);
      } catch {
        send(res, 413, {}, { error: 'request body too large' }, ids);
        return;
      }
      const parsed = parseBody(req, raw);

      if (rawPath === '/_sandbox' || rawPath.startsWith('/_sandbox/')) {
        if (!LOOPBACK.test(req.socket.remoteAddress ?? '')) {
          send(res, 403, {}, { error: 'sandbox controls answer on loopback only' }, ids);
          return;
        }
        const out = handleControl(method, decodedPath, parsed.json, parsed.invalid, sandbox);
        send(res, out.status, {}, out.body, ids);
        return;
      }

      entry = log.start({
        method,
        path: decodedPath,
        rawUrl,
        query,
        body: parsed.form ? redactForm(parsed.form) : parsed.json,
        headers: redactHeaders(req.headers),
        viaBatch: false,
        authorized: false,
        requestId,
      });
      const graph = /^\/(v1\.0|beta)(?:\/(.*))?$/.exec(rawPath);
      let result: GraphResult | EntraResult;
      if (graph) {
        result = await handleGraph(req, entry, graph[1] ?? 'v1.0', graph[2] ?? '', parsed, ids);
      } else {
        // MSAL sends its correlation id as a query parameter.
        if (!headerValue(req, 'client-request-id') && query['client-request-id']) ids.clientRequestId = query['client-request-id'];
        result = await handleEntra(req, entry, decodedPath, parsed, ids);
        result.headers = { 'x-ms-request-id': requestId, ...result.headers };
      }
      entry.status = result.status;
      send(res, result.status, result.headers, result.body, ids);
    } catch (err) {
      if (entry) entry.status = 0;
      if (err instanceof DropConnection || closing.signal.aborted) {
        req.socket.destroy();
        return;
      }
      // A bug in the emulator: make it loud, in the answer and on stderr.
      process.stderr.write(`sandbox: ${method} ${rawUrl} failed: ${(err as Error).stack ?? String(err)}\n`);
      if (entry) entry.status = 500;
      send(res, 500, {}, graphError(500, 'InternalServerError', `Sandbox bug: ${(err as Error).message}`, ids).body, ids);
    }
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => void handle(req, res));

  const sandbox: RunningSandbox = {
    url,
    tenantId: seed.tenantId,
    clientId: seed.app.clientId,
    clientSecret: seed.app.clientSecret,
    requests: () => log.list(),
    clearRequests: () => log.clear(),
    reset: () => {
      state.reset();
      faults.clear();
      armSeedFaults();
      writeLimiter.set(defaultWriteLimit);
      log.clear();
    },
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setReplicationLag: (ms) => {
      if (!(ms >= 0)) throw new Error('replication lag must be a non-negative number of ms');
      state.replicationLagMs = ms;
    },
    setWriteLimit: (limit) => writeLimiter.set(limit),
    writeLimit: () => writeLimiter.current,
    setMaxPageSize: (max) => {
      if (max !== undefined && !(Number.isInteger(max) && max >= 1)) throw new Error('page size must be a positive integer');
      state.maxPageSize = max;
    },
    addGeneratedUsers: (prefix, count, groupName) => {
      if (!/^[a-z][a-z0-9.-]{0,30}$/.test(prefix)) throw new Error('prefix must be 1-31 lower-case letters, digits, dots or dashes');
      if (!(Number.isInteger(count) && count >= 1 && count <= 20000)) throw new Error('count must be an integer from 1 to 20000');
      const taken = state.users.filter((u) => u.id.startsWith('9e4e0000-')).length;
      const users = generateUsers(prefix, count, taken + 1, new Date());
      state.users.push(...users);
      let groupId: string | undefined;
      if (groupName !== undefined) {
        let group = state.groups.find((g) => g.displayName.toLowerCase() === groupName.toLowerCase());
        if (!group) {
          group = { id: randomUUID(), displayName: groupName, description: 'Generated users', mailNickname: prefix, securityEnabled: true, mailEnabled: false, memberIds: [] };
          state.groups.push(group);
        }
        group.memberIds.push(...users.map((u) => u.id));
        groupId = group.id;
      }
      return { groupId, users: users.map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName })) };
    },
    grantPrivilegedRole: (granted) => {
      state.privilegedRoleGranted = granted;
    },
    setSyncSettings: ({ forbidden, features }) => {
      if (forbidden !== undefined) state.syncSettingsForbidden = forbidden;
      if (features) state.syncFeatures = { ...state.syncFeatures, ...features };
    },
    setRoleVisibility: ({ idOnly, eligibleOnly }) => {
      if (idOnly !== undefined) state.rolesIdOnly = idOnly;
      if (eligibleOnly !== undefined) state.rolesEligibleOnly = eligibleOnly;
    },
    // The live object on purpose: tests may edit it to simulate a change made elsewhere.
    getUser: (idOrUpn) => state.findUser(idOrUpn) ?? state.findDeletedByKey(idOrUpn),
    stopSync: (idOrUpn, { softDelete }) => {
      const user = state.findUser(idOrUpn);
      if (!user) return false;
      state.stopSync(user, softDelete);
      return true;
    },
    getGroup: (id) => state.findGroup(id),
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
  return sandbox;
}
