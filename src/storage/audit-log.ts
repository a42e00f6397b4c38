/**
 * The audit trail: every request, decision, change and failure, written before a change
 * (intent) and after it (outcome). The value before a clear is the rollback record.
 */
import { randomUUID } from 'node:crypto';
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
 */
export class FileAuditLog implements AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  async append(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
    const full = { id: randomUUID(), at: new Date().toISOString(), ...entry };
    // One append at a time in this process, so the "does the file end in a newline" check holds.
    const run = this.tail.then(() => this.appendLine(JSON.stringify(full)));
    this.tail = run.catch(() => undefined);
    await run;
    return full;
  }

  private async appendLine(line: string): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const handle = await fs.open(this.file, 'a+');
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

  async list(filter: { targetId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    let text = '';
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const entries = text
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as AuditEntry];
        } catch {
          return []; // a torn last line after a crash is skipped, earlier lines stay readable
        }
      });
    return select(entries, filter);
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
