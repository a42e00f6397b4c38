/**
 * What reached the emulated Graph/Entra on the wire, for tests to assert on. Secrets
 * (client_secret, client_assertion, Authorization) are never stored.
 */

export interface RecordedRequest {
  /** ISO time the request arrived. */
  at: string;
  method: string;
  /** Decoded path without query, e.g. /v1.0/users/alice@contoso.com. */
  path: string;
  /** Path and query exactly as received (for $batch sub-requests: the url inside the batch). */
  rawUrl: string;
  /** Decoded query parameters (like URLSearchParams: '+' reads as a space, as in Graph). */
  query: Record<string, string>;
  /** Parsed JSON body, or the form fields of a token request; undefined when none. */
  body: unknown;
  /** Lower-case request headers; authorization is redacted. */
  headers: Record<string, string>;
  /** Status answered; 0 while still in flight or when the connection was dropped. */
  status: number;
  /** true for sub-requests inside $batch. */
  viaBatch: boolean;
  /** Graph: carried a valid bearer token. Token endpoint: client authenticated. Else false. */
  authorized: boolean;
  requestId: string;
}

export const REDACTED = '[redacted]';
const SECRET_FIELDS = ['client_secret', 'client_assertion'];

/** Removes secrets from a token request's form fields. */
export function redactForm(fields: Record<string, string>): Record<string, string> {
  const copy = { ...fields };
  for (const key of SECRET_FIELDS) if (key in copy) copy[key] = REDACTED;
  return copy;
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[lower] = lower === 'authorization' ? text.replace(/^(\S+\s+).*$/s, `$1${REDACTED}`) : text;
  }
  if (out.authorization && !out.authorization.includes(REDACTED)) out.authorization = REDACTED;
  return out;
}

export class RequestLog {
  private entries: RecordedRequest[] = [];

  /** Adds an entry when a request arrives; the caller fills status/authorized later. */
  start(entry: Omit<RecordedRequest, 'status' | 'at'> & { status?: number }): RecordedRequest {
    const recorded: RecordedRequest = { at: new Date().toISOString(), status: 0, ...entry };
    this.entries.push(recorded);
    return recorded;
  }

  /** Copies, oldest first. */
  list(): RecordedRequest[] {
    return this.entries.map((e) => structuredClone(e));
  }

  clear(): void {
    this.entries = [];
  }
}
