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
/** A report is a few hundred bytes: a body still arriving after this is a slow-drip attack, not a sender. */
export const NOTIFY_BODY_TIMEOUT_MS = 10_000;

export interface NotifyRouteOptions {
  /** HMAC key (NOTIFY_SECRET); undefined: nothing is registered and the path answers 404. */
  secret: string | undefined;
  /** Where signatures seen within the 5-minute window are kept (the shared store when there is one). */
  seen: SeenSignatures;
  log: Logger;
  /** How long the body may take to arrive (tests shorten it). */
  bodyTimeoutMs?: number;
}

/** Signatures already accepted, so a captured request replayed within the window posts nothing. */
export interface SeenSignatures {
  /** Records the signature; false when it was already recorded (a replay). */
  remember(signature: string, until: Date): Promise<boolean>;
  /** Drops it again when the report was not taken, so the sender's retry is not called a replay. */
  forget(signature: string): Promise<void>;
}

/** How long a refused sender has to read the answer before the connection is closed. */
const CLOSE_GRACE_MS = 1000;

type NotifyRequest = restify.Request & { _readBody?: boolean; notifyRawBody?: string; body?: unknown };

/**
 * Reads the raw body of /api/notify before restify's body parser: the signature covers the exact
 * bytes, and an unsigned request must get 401 even when its body is not JSON. It never holds more
 * than the limit: past it (or past the time limit) it answers, stops reading and closes the connection.
 */
function readRawNotifyBody(timeoutMs: number, log: Logger): restify.RequestHandler {
  return (req: restify.Request, res: restify.Response, next: restify.Next): void => {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/api/notify') return next();
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onError);
      chunks = [];
    };
    const refuse = (status: 408 | 413, reason: string, message: string): void => {
      if (settled) return;
      finish();
      log.warn('notify.body_refused', { reason, bytes: size });
      // Stop reading: the socket's backpressure holds the sender. The connection is closed a moment
      // after the answer (closing at once would reset it before the sender could read the answer).
      req.pause();
      res.once('finish', () => setTimeout(() => req.socket?.destroy(), CLOSE_GRACE_MS).unref());
      res.send(status, { error: message });
      next(false);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_NOTIFY_BYTES) refuse(413, 'too_large', `The body is larger than ${MAX_NOTIFY_BYTES / 1024} KB.`);
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      if (settled) return;
      const body = Buffer.concat(chunks).toString('utf8');
      finish();
      const r = req as NotifyRequest;
      // Its own field: restify's JSON parser overwrites rawBody.
      r.notifyRawBody = body;
      r._readBody = true; // tells restify's body reader the body was consumed
      r.body = undefined;
      next();
    };
    const onAborted = (): void => {
      if (settled) return;
      finish();
      log.info('notify.body_aborted', { bytes: size });
      req.socket?.destroy();
    };
    const onError = (error: Error): void => {
      if (settled) return;
      finish();
      log.warn('notify.body_failed', { error });
      req.socket?.destroy();
    };
    const timer = setTimeout(
      () => refuse(408, 'too_slow', `The body did not arrive within ${Math.round(timeoutMs / 1000)} s.`),
      timeoutMs,
    );
    timer.unref();
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_NOTIFY_BYTES) {
      refuse(413, 'too_large', `The body is larger than ${MAX_NOTIFY_BYTES / 1024} KB.`);
      return;
    }
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onError);
  };
}

/** Registers the route; without NOTIFY_SECRET nothing is registered (404, as if it did not exist, with no body read). */
export function registerNotifyRoute(server: restify.Server, deps: ConversationDeps, options: NotifyRouteOptions): void {
  const { secret, log, seen } = options;
  if (!secret) return;
  server.pre(readRawNotifyBody(options.bodyTimeoutMs ?? NOTIFY_BODY_TIMEOUT_MS, log));
  server.post('/api/notify', async (req, res) => {
    const raw = (req as NotifyRequest).notifyRawBody ?? '';
    const timestamp = header(req, 'x-notify-timestamp');
    const signature = header(req, 'x-notify-signature');
    const check = verifySignature(secret, raw, timestamp, signature);
    if (!check.ok) {
      log.warn('notify.refused', { reason: check.reason });
      res.send(401, { error: 'Unauthorized: the request is not signed, is signed wrongly, or is too old.' });
      return;
    }
    const key = (signature ?? '').trim().toLowerCase();
    const forget = () => seen.forget(key).catch((error: unknown) => log.warn('notify.forget_failed', { error: error as Error }));
    try {
      // Valid until the timestamp leaves the window; after that the timestamp check refuses it anyway.
      const until = new Date((Number(timestamp) + MAX_SKEW_SECONDS + 60) * 1000);
      if (!(await seen.remember(key, until))) {
        log.warn('notify.replay_ignored', { timestamp });
        res.send(200, { posted: false, alreadyReceived: true, message: 'This report was already received; nothing was posted again.' });
        return;
      }
    } catch (error) {
      log.error('notify.replay_check_failed', { error: error as Error });
      res.send(503, { error: 'The report could not be recorded (storage is unavailable); try again.' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      await forget();
      res.send(400, { error: 'The body is not valid JSON.' });
      return;
    }
    const parsed = parseSyncErrorReport(body);
    if (!parsed.ok) {
      await forget();
      res.send(400, { error: parsed.error });
      return;
    }
    try {
      const outcome = await notifySyncError(deps, parsed.report);
      if (outcome.status >= 400) await forget();
      res.send(outcome.status, outcome.body);
    } catch (error) {
      await forget();
      log.error('notify.failed', { error: error as Error });
      res.send(500, { error: 'The report could not be processed; try again.' });
    }
  });
}

function header(req: restify.Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
