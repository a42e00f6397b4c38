/** Structured JSON logs on stdout. Fields named like secrets are redacted before they are written. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds these fields (e.g. a correlation id) to every line. */
  child(fields: LogFields): Logger;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|assertion|cookie|signature|key$/i;
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Replaces values of secret-looking keys, recursively. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return describeError(value, depth);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? '[redacted]' : redact(v, depth + 1),
    ]),
  );
}

/**
 * An error as a log field: name and message, plus what a support case needs to trace it — its
 * code (ours, Node's or the SDK's), the HTTP status, Graph's error code and request id — and its cause.
 */
export function describeError(error: Error, depth = 0): Record<string, unknown> {
  const e = error as Error & {
    code?: unknown;
    statusCode?: unknown;
    status?: unknown;
    requestId?: unknown;
    details?: { status?: unknown; graphCode?: unknown; requestId?: unknown };
    cause?: unknown;
  };
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  const status = [e.details?.status, e.statusCode, e.status].find((v) => typeof v === 'number');
  if (status !== undefined) out.status = status;
  if (typeof e.details?.graphCode === 'string') out.graphCode = e.details.graphCode;
  const requestId = [e.details?.requestId, e.requestId].find((v) => typeof v === 'string' && v !== '');
  if (requestId !== undefined) out.requestId = requestId;
  if (e.cause instanceof Error && depth < 3) out.cause = describeError(e.cause, depth + 1);
  return out;
}

export interface LineWriter {
  write(line: string): void;
  /** Writes whatever is pending now. */
  flush(): void;
}

/**
 * Gathers lines and hands them to `sink` once per event-loop turn: one write instead of one per
 * line, since on Linux every write to a pipe (how containers collect stdout) is a blocking call.
 * Order is kept; flush() writes what is pending.
 */
export function createLineWriter(sink: (chunk: string) => void): LineWriter {
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    sink(chunk);
  };
  return {
    write: (line) => {
      pending.push(line + '\n');
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

let stdoutWriter: LineWriter | undefined;

/** The default destination: stdout through one shared LineWriter, flushed when the process exits (even by process.exit). */
function writeStdoutLine(line: string): void {
  if (!stdoutWriter) {
    const writer = createLineWriter((chunk) => process.stdout.write(chunk));
    process.on('exit', () => writer.flush());
    stdoutWriter = writer;
  }
  stdoutWriter.write(line);
}

/** Creates a logger writing one JSON object per line. */
export function createLogger(
  options: { level?: LogLevel; write?: (line: string) => void; base?: LogFields } = {},
): Logger {
  const min = ORDER[options.level ?? ((process.env.LOG_LEVEL as LogLevel) || 'info')] ?? ORDER.info;
  const write = options.write ?? writeStdoutLine;
  const base = options.base ?? {};
  const emit = (level: LogLevel, event: string, fields?: LogFields): void => {
    if (ORDER[level] < min) return;
    const record = { time: new Date().toISOString(), level, event, ...base, ...(redact(fields ?? {}) as LogFields) };
    write(JSON.stringify(record));
  };
  return {
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ write: () => undefined });
