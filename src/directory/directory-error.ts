/** Graph failures as the bot explains them: a stable code plus what Graph said, for logs and audit. */
import { AppError, ErrorCode } from '../errors';

export class DirectoryError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly details: {
      status?: number;
      graphCode?: string;
      requestId?: string;
      retryAfterSeconds?: number;
      graphMessage?: string;
    } = {},
  ) {
    super(code, message);
  }
}

const TOKEN_FAILURES = new Set(['AuthenticationError', 'CredentialUnavailableError', 'AuthenticationRequiredError', 'AggregateAuthenticationError']);

interface GraphErrorLike {
  statusCode?: number;
  code?: string | null;
  requestId?: string | null;
  message?: string;
  headers?: { get?(name: string): string | null } | Record<string, string>;
  name?: string;
  body?: unknown;
}

/** Maps a Graph error status and code to a DirectoryError. Never branches on message text. */
export function classifyGraphFailure(
  status: number,
  graphCode: string | undefined,
  info: { requestId?: string; retryAfterSeconds?: number; graphMessage?: string; what: string },
): DirectoryError {
  const details = {
    status,
    ...(graphCode ? { graphCode } : {}),
    ...(info.requestId ? { requestId: info.requestId } : {}),
    ...(info.retryAfterSeconds !== undefined ? { retryAfterSeconds: info.retryAfterSeconds } : {}),
    ...(info.graphMessage ? { graphMessage: info.graphMessage } : {}),
  };
  if (status === 404) return new DirectoryError('directory.user_not_found', `${info.what} was not found`, details);
  if (status === 401) return new DirectoryError('directory.auth_failed', 'Graph did not accept the bot\'s token', details);
  if (status === 403) return new DirectoryError('directory.forbidden', 'Graph refused: insufficient privileges', details);
  if (status === 429) return new DirectoryError('directory.throttled', 'Graph is throttling requests', details);
  if (status === 503 || status === 504 || status === 502) {
    return new DirectoryError('directory.unavailable', 'Graph is unavailable right now', details);
  }
  if (status === 400) return new DirectoryError('directory.bad_request', 'Graph refused the request', details);
  return new DirectoryError('directory.unexpected', `Graph answered HTTP ${status}`, details);
}

/** Maps whatever the Graph client or @azure/identity threw to a DirectoryError. */
export function toDirectoryError(error: unknown, what: string): DirectoryError {
  if (error instanceof DirectoryError) return error;
  const e = (error ?? {}) as GraphErrorLike;
  const name = e.name ?? '';
  const code = e.code ?? undefined;
  // The Graph client wraps token failures as status -1 errors whose code is the identity error's name.
  if (TOKEN_FAILURES.has(name) || TOKEN_FAILURES.has(code ?? '')) {
    return new DirectoryError('directory.auth_failed', 'The bot could not get a Graph token', { graphMessage: e.message ?? '' });
  }
  // An aborted fetch rejects with a DOMException, which the Graph client keeps as the error's body.
  const bodyName = typeof e.body === 'object' && e.body !== null ? (e.body as { name?: unknown }).name : undefined;
  if ([name, code, bodyName].some((n) => n === 'TimeoutError' || n === 'AbortError')) {
    return new DirectoryError('directory.timeout', 'Graph did not answer in time');
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : -1;
  if (status <= 0) return new DirectoryError('directory.network', 'Graph could not be reached', { graphMessage: e.message ?? '' });
  return classifyGraphFailure(status, code, {
    what,
    ...(e.requestId ? { requestId: e.requestId } : {}),
    ...(retryAfterOf(e.headers) !== undefined ? { retryAfterSeconds: retryAfterOf(e.headers) } : {}),
    ...(e.message ? { graphMessage: e.message } : {}),
  });
}

/** Reads Retry-After (seconds) from fetch Headers or a plain header object. */
export function retryAfterOf(headers: GraphErrorLike['headers'] | undefined): number | undefined {
  if (!headers) return undefined;
  const raw =
    typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get(name: string): string | null }).get('retry-after')
      : ((headers as Record<string, string>)['Retry-After'] ?? (headers as Record<string, string>)['retry-after']);
  if (!raw) return undefined;
  const n = Number(raw);
  if (Number.isFinite(n)) return Math.max(0, n);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
