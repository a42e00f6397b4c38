/**
 * POST /api/notify: a signed webhook for a monitoring script on the Entra Connect server.
 * Signed the way Slack signs requests: X-Notify-Timestamp (Unix seconds) and
 * X-Notify-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with NOTIFY_SECRET>.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type restify from 'restify';
import { notifySyncError, parseSyncErrorReport } from '../conversation/handle-notification';
import type { ConversationDeps } from '../conversation/deps';
import type { Logger } from '../log';

/** Requests older (or further in the future) than this are refused, so a captured one cannot be replayed later. */
export const MAX_SKEW_SECONDS = 300;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Verifies the timestamp and the HMAC in constant time. */
export function verifySignature(
  secret: string,
  rawBody: string,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!timestampHeader || !signatureHeader) return { ok: false, reason: 'missing X-Notify-Timestamp or X-Notify-Signature' };
  if (!/^\d{1,12}$/.test(timestampHeader)) return { ok: false, reason: 'X-Notify-Timestamp is not Unix seconds' };
  if (Math.abs(nowSeconds - Number(timestampHeader)) > MAX_SKEW_SECONDS) return { ok: false, reason: 'X-Notify-Timestamp is more than 5 minutes off' };
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signatureHeader.trim());
  if (!match?.[1]) return { ok: false, reason: 'X-Notify-Signature is not sha256=<64 hex digits>' };
  const expected = createHmac('sha256', secret).update(`${timestampHeader}.${rawBody}`, 'utf8').digest();
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

/** Signs a body the way the PowerShell sender does (used by tests and the README example). */
export function signNotification(secret: string, rawBody: string, timestamp: number): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex')}`;
}

const MAX_NOTIFY_BYTES = 64 * 1024;

/**
 * Reads the raw body of /api/notify before restify's body parser: the signature covers the exact
 * bytes, and an unsigned request must get 401 even when its body is not JSON.
 */
function readRawNotifyBody(req: restify.Request, res: restify.Response, next: restify.Next): void {
  if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/api/notify') return next();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_NOTIFY_BYTES && !done) {
      done = true;
      res.send(413, { error: `The body is larger than ${MAX_NOTIFY_BYTES / 1024} KB.` });
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (done) return;
    done = true;
    const r = req as restify.Request & { _readBody?: boolean; notifyRawBody?: string; body?: unknown };
    // Its own field: restify's JSON parser overwrites rawBody.
    r.notifyRawBody = Buffer.concat(chunks).toString('utf8');
    r._readBody = true; // tells restify's body reader the body was consumed
    r.body = undefined;
    next();
  });
}

/** Registers the route; without NOTIFY_SECRET it answers 404, as if it did not exist. */
export function registerNotifyRoute(server: restify.Server, deps: ConversationDeps, secret: string | undefined, log: Logger): void {
  server.pre(readRawNotifyBody);
  server.post('/api/notify', async (req, res) => {
    if (!secret) {
      res.send(404, { error: 'Not found' });
      return;
    }
    const raw = (req as { notifyRawBody?: string }).notifyRawBody ?? '';
    const check = verifySignature(secret, raw, header(req, 'x-notify-timestamp'), header(req, 'x-notify-signature'));
    if (!check.ok) {
      log.warn('notify.refused', { reason: check.reason });
      res.send(401, { error: 'Unauthorized: the request is not signed, is signed wrongly, or is too old.' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      res.send(400, { error: 'The body is not valid JSON.' });
      return;
    }
    const parsed = parseSyncErrorReport(body);
    if (!parsed.ok) {
      res.send(400, { error: parsed.error });
      return;
    }
    try {
      const outcome = await notifySyncError(deps, parsed.report);
      res.send(outcome.status, outcome.body);
    } catch (error) {
      log.error('notify.failed', { error: error as Error });
      res.send(500, { error: 'The report could not be processed; try again.' });
    }
  });
}

function header(req: restify.Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
