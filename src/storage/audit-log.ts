/**
 * The audit trail: every request, decision, change and failure, written before a change
 * (intent) and after it (outcome). The value before a clear is the rollback record.
 */
import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AttributeChange, ChangeKind } from '../workflow/types';

export type AuditEvent =
  | 'request.created'
  | 'request.approved'
  | 'request.rejected'
  | 'request.cancelled'
  | 'request.expired'
  | 'request.reason'
  | 'request.refused'
  /** A "Clear when unsynced" request whose user no longer syncs: it now awaits approval. */
  | 'request.ready'
  | 'change.intent'
  | 'change.succeeded'
  | 'change.failed'
  /** The write got an uncertain answer and reads still showed the old value: could not confirm. */
  | 'change.unconfirmed'
  | 'change.stale'
  | 'change.reconciled'
  /** One write step of a multi-step change (e.g. the restore before a clear). */
  | 'change.step'
  /** A bulk job stopped by an approver between writes, and resumed later. */
  | 'bulk.stopped'
  | 'bulk.resumed';

export interface AuditEntry {
  id: string;
  at: string;
  event: AuditEvent;
  requestId: string;
  actor: { aadObjectId: string; name: string };
  target: { id: string; upn: string };
  /** The request's kind; absent in records written before there was more than one kind. */
  kind?: ChangeKind;
  /** The primary attribute's value before / after (the immutable id for a clear). */
  before?: string | null;
  after?: string | null;
  /** Every attribute with its value before and after: the rollback record an undo restores. */
  changes?: AttributeChange[];
  graphRequestId?: string;
  detail?: string;
}

/** Bytes read at a time from the end of the trail for everyone's newest records. */
const TAIL_CHUNK = 64 * 1024;

export interface AuditLog {
  append(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry>;
  /** Newest first. */
  list(filter?: { targetId?: string; limit?: number }): Promise<AuditEntry[]>;
}

export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];

  async append(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
    const full = { id: randomUUID(), at: new Date().toISOString(), ...entry };
    this.entries.push(full);
    return full;
  }

  async list(filter: { targetId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    return select(this.entries, filter);
  }
}

/**
 * Appends one JSON line per entry to a file and flushes it to disk before returning. Each record
 * starts on a new line even after a torn write (a crash mid-line), so no later record is hidden.
 *
 * `history <user>` must not read everyone's records: each line is also appended to a per-target
 * file (audit-by-target/<sha256 of the target id>.jsonl) after the main file, which stays the
 * complete trail. A trail written before those files existed is split once, on the first
 * per-target read (audit-by-target/.complete records it).
 */
export class FileAuditLog implements AuditLog {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly byTargetDir: string;
  private indexed = false;

  constructor(private readonly file: string) {
    this.byTargetDir = path.join(path.dirname(file), 'audit-by-target');
  }

  async append(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
    const full = { id: randomUUID(), at: new Date().toISOString(), ...entry };
    const line = JSON.stringify(full);
    // Once per process: a new trail is marked split before its first record, an old one is split now.
    await this.ensureIndexed();
    // One append at a time in this process, so the "does the file end in a newline" check holds.
    const run = this.serially(async () => {
      await appendLine(this.file, line);
      await appendLine(this.targetFile(full.target.id), line);
    });
    await run;
    return full;
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private targetFile(targetId: string): string {
    return path.join(this.byTargetDir, `${createHash('sha256').update(targetId).digest('hex')}.jsonl`);
  }

  /** Splits a trail written before the per-target files existed, once (in the append queue, so no append interleaves). */
  private ensureIndexed(): Promise<void> {
    if (this.indexed) return Promise.resolve();
    return this.serially(async () => {
      const marker = path.join(this.byTargetDir, '.complete');
      if (!(await exists(marker))) {
        const byTarget = new Map<string, string[]>();
        for (const line of (await readText(this.file)).split('\n')) {
          const targetId = targetIdOf(line);
          if (targetId !== undefined) byTarget.set(targetId, [...(byTarget.get(targetId) ?? []), line]);
        }
        await fs.mkdir(this.byTargetDir, { recursive: true });
        // Whole files, not appends: a split interrupted earlier is simply done again.
        for (const [targetId, lines] of byTarget) await fs.writeFile(this.targetFile(targetId), lines.join('\n') + '\n', 'utf8');
        await fs.writeFile(marker, new Date().toISOString(), 'utf8');
      }
      this.indexed = true;
    });
  }

  async list(filter: { targetId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    if (filter.targetId) {
      await this.ensureIndexed();
      return select(parseLines(await readText(this.targetFile(filter.targetId))), filter);
    }
    // Everyone's newest records: read the main trail from its end, only as far back as needed.
    return select(await readLastEntries(this.file, filter.limit ?? 50), filter);
  }
}

/** Appends a line, starting it on a new line if the file ends in a torn one, and flushes it to disk. */
async function appendLine(file: string, line: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const handle = await fs.open(file, 'a+');
  try {
    const { size } = await handle.stat();
    let torn = false;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      torn = last[0] !== 0x0a;
    }
    await handle.appendFile((torn ? '\n' : '') + line + '\n', 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The last `count` readable entries of a JSONL file, in file order, reading backwards in chunks. */
async function readLastEntries(file: string, count: number): Promise<AuditEntry[]> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    let position = (await handle.stat()).size;
    let pending = Buffer.alloc(0); // bytes before the earliest newline seen: maybe part of a line
    const entries: AuditEntry[] = [];
    while (position > 0 && entries.length < count) {
      const length = Math.min(TAIL_CHUNK, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, position);
      pending = Buffer.concat([chunk, pending]);
      // Split on newline bytes only, so a multi-byte character is never cut; the first piece may be incomplete.
      const pieces: Buffer[] = [];
      let end = pending.length;
      for (let i = pending.length - 1; i >= 0; i--) {
        if (pending[i] !== 0x0a) continue;
        pieces.push(pending.subarray(i + 1, end));
        end = i;
      }
      pending = pending.subarray(0, end);
      if (position === 0) pieces.push(pending);
      for (const piece of pieces) entries.unshift(...parseLines(piece.toString('utf8')).reverse());
    }
    return entries.slice(Math.max(0, entries.length - count));
  } finally {
    await handle.close();
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return '';
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

function parseLines(text: string): AuditEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as AuditEntry];
      } catch {
        return []; // a torn last line after a crash is skipped, earlier lines stay readable
      }
    });
}

function targetIdOf(line: string): string | undefined {
  if (!line) return undefined;
  try {
    const id = (JSON.parse(line) as Partial<AuditEntry>).target?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records written before `changes` existed carry only the immutable id's before/after: read them
 * as one change of onPremisesImmutableId, so history and undo treat every record alike.
 */
export function normaliseAuditEntry(entry: AuditEntry): AuditEntry {
  if (entry.changes || (entry.before === undefined && entry.after === undefined)) return entry;
  if (!entry.event.startsWith('change.')) return entry;
  return { ...entry, changes: [{ attribute: 'onPremisesImmutableId', before: entry.before ?? null, after: entry.after ?? null }] };
}

function select(entries: AuditEntry[], filter: { targetId?: string; limit?: number }): AuditEntry[] {
  return entries
    .map(normaliseAuditEntry)
    .filter((e) => !filter.targetId || e.target.id === filter.targetId)
    .slice()
    .reverse()
    .slice(0, filter.limit ?? 50);
}
