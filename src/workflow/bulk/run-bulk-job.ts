/**
 * Runs an approved bulk job in the background, user by user, so that a crash, a restart or a
 * second instance resumes it where it stopped and no user is written twice:
 *  - a lease on the job (compare-and-set on its eTag) means one runner at a time; it is renewed
 *    every second and another runner may take over only once it has expired;
 *  - each user gets a "writing" record before its PATCH; a resumed job reads such a user back and
 *    records the change as done when it is already applied, instead of writing again;
 *  - writes are paced under BULK_MAX_WRITES_PER_MINUTE, and 429/503/504 (and timeouts) are retried
 *    after Retry-After for as long as it takes, so throttling only slows the job down.
 */
import type { AuditLog } from '../../storage/audit-log';
import type { BulkJobStore } from '../../storage/bulk-job-store';
import type { Logger } from '../../log';
import type { BulkItem, BulkItemRecord, BulkJob, BulkProgress } from './types';
import type { WritePacer } from './write-pacer';

/** The directory as a bulk job sees it (read a few attributes, write them). */
export interface BulkWriter {
  read(userId: string, attributes: readonly string[]): Promise<Record<string, string | null>>;
  write(userId: string, patch: Record<string, string | null>): Promise<{ requestId?: string }>;
}

export interface BulkRunDeps {
  jobs: BulkJobStore;
  audit: AuditLog;
  log: Logger;
  pacer: WritePacer;
  writer: BulkWriter;
  /** This process's id in job leases. */
  owner: string;
  leaseMs: number;
  /** How often the cards are updated while the job runs. */
  progressEveryMs: number;
  /** Turns a failure into a sentence for the final card. */
  explain(error: unknown, upn: string): string;
  /** Whether a failure is throttling or a transient outage worth waiting out; seconds to wait when known. */
  transient(error: unknown): { retryAfterSeconds?: number; uncertain: boolean } | undefined;
  onProgress(job: BulkJob): Promise<void>;
  onStopped(job: BulkJob): Promise<void>;
  onFinished(job: BulkJob): Promise<void>;
  /** Aborts at shutdown: the job stops after the current user and is resumed by the next start. */
  signal: AbortSignal;
}

export type RunResult = 'completed' | 'stopped' | 'shutdown' | 'busy' | 'lost-lease';

const RENEW_EVERY_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Runs (or resumes) the job if it is running and nobody else holds a live lease. `takeOver`:
 * ignore a lease that has not expired yet (start-up with single-process file storage: the
 * previous holder was this bot's previous process).
 */
export async function runBulkJob(deps: BulkRunDeps, jobId: string, options: { takeOver?: boolean } = {}): Promise<RunResult> {
  const leaseUntil = () => new Date(Date.now() + deps.leaseMs).toISOString();
  const acquired = await deps.jobs.transition(
    jobId,
    (j) => j.state === 'running' && (!j.lease || j.lease.owner === deps.owner || options.takeOver === true || Date.parse(j.lease.expiresAt) <= Date.now()),
    (j) => ({ ...j, lease: { owner: deps.owner, expiresAt: leaseUntil() }, startedAt: j.startedAt ?? new Date().toISOString() }),
  );
  if (!('won' in acquired)) return 'busy';
  let job = acquired.won;
  const records = await deps.jobs.items(jobId);
  deps.log.info('bulk.run', { jobId, users: job.items.length, alreadyDone: records.size });

  const progress = countOf(records);
  let lastRenew = Date.now();
  let lastProgress = Date.now();

  /** Renews the lease and saves the counters; says whether to go on. */
  const renew = async (): Promise<'go' | 'stop' | 'lost'> => {
    const renewed = await deps.jobs.transition(
      jobId,
      (j) => j.lease?.owner === deps.owner && (j.state === 'running' || j.state === 'stopping'),
      (j) => ({ ...j, lease: { owner: deps.owner, expiresAt: leaseUntil() }, progress: { ...progress } }),
    );
    if (!('won' in renewed)) return 'lost';
    job = renewed.won;
    return job.state === 'stopping' ? 'stop' : 'go';
  };

  for (const item of job.items) {
    const record = records.get(item.userId);
    if (record && record.status !== 'writing') continue;
    if (Date.now() - lastRenew >= RENEW_EVERY_MS || deps.signal.aborted) {
      lastRenew = Date.now();
      const next = deps.signal.aborted ? 'shutdown' : await renew();
      if (next === 'lost') return 'lost-lease';
      if (next === 'stop') return stop(deps, jobId, progress);
      if (next === 'shutdown') return release(deps, jobId, progress);
    }
    if (Date.now() - lastProgress >= deps.progressEveryMs) {
      lastProgress = Date.now();
      await deps.onProgress({ ...job, progress: { ...progress } }).catch((error: unknown) => deps.log.warn('bulk.progress_update_failed', { error: error as Error }));
    }
    const result = await processUser(deps, job, item, record);
    if (result === 'shutdown') return release(deps, jobId, progress);
    records.set(item.userId, result);
    progress[result.status === 'done' ? 'done' : result.status === 'failed' ? 'failed' : 'unchanged'] += 1;
  }

  const finished = await deps.jobs.transition(
    jobId,
    (j) => j.lease?.owner === deps.owner && (j.state === 'running' || j.state === 'stopping'),
    (j) => {
      const { lease: _lease, ...rest } = j;
      return { ...rest, state: 'completed', progress: { ...progress }, finishedAt: new Date().toISOString() };
    },
  );
  if (!('won' in finished)) return 'lost-lease';
  deps.log.info('bulk.completed', { jobId, ...progress });
  await deps.onFinished(finished.won);
  return 'completed';
}

function countOf(records: Map<string, BulkItemRecord>): BulkProgress {
  const progress: BulkProgress = { done: 0, failed: 0, unchanged: 0 };
  for (const r of records.values()) {
    if (r.status === 'done') progress.done += 1;
    else if (r.status === 'failed') progress.failed += 1;
    else if (r.status === 'unchanged') progress.unchanged += 1;
  }
  return progress;
}

async function stop(deps: BulkRunDeps, jobId: string, progress: BulkProgress): Promise<RunResult> {
  const stopped = await deps.jobs.transition(
    jobId,
    (j) => j.lease?.owner === deps.owner && j.state === 'stopping',
    (j) => {
      const { lease: _lease, ...rest } = j;
      return { ...rest, state: 'stopped', progress: { ...progress } };
    },
  );
  if ('won' in stopped) {
    deps.log.info('bulk.stopped', { jobId, ...progress });
    await deps.onStopped(stopped.won);
  }
  return 'stopped';
}

/** Shutdown: give the lease back so the next start (or another instance) resumes at once. */
async function release(deps: BulkRunDeps, jobId: string, progress: BulkProgress): Promise<RunResult> {
  await deps.jobs.transition(
    jobId,
    (j) => j.lease?.owner === deps.owner,
    (j) => {
      const { lease: _lease, ...rest } = j;
      return { ...rest, progress: { ...progress } };
    },
  );
  return 'shutdown';
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/** Calls `run` until it succeeds or fails for good; waits out throttling. undefined: shutdown. */
async function withRetry<T>(deps: BulkRunDeps, run: () => Promise<T>, onUncertain?: () => Promise<T | undefined>): Promise<{ value: T } | { error: unknown } | undefined> {
  let backoffMs = 1000;
  for (;;) {
    try {
      return { value: await run() };
    } catch (error) {
      const transient = deps.transient(error);
      if (!transient) return { error };
      if (transient.uncertain && onUncertain) {
        // A timeout may hide a write that happened: read before writing again.
        const settled = await onUncertain().catch(() => undefined);
        if (settled !== undefined) return { value: settled };
      }
      const waitMs = transient.retryAfterSeconds !== undefined ? transient.retryAfterSeconds * 1000 : backoffMs;
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      deps.pacer.pauseFor(waitMs);
      deps.log.info('bulk.throttled', { waitMs });
      await sleep(waitMs, deps.signal);
      if (deps.signal.aborted) return undefined;
    }
  }
}

async function processUser(deps: BulkRunDeps, job: BulkJob, item: BulkItem, record: BulkItemRecord | undefined): Promise<BulkItemRecord | 'shutdown'> {
  const attributes = item.changes.map((c) => c.attribute);
  const base = { userId: item.userId, upn: item.upn };
  const at = () => new Date().toISOString();
  const actor = job.approvedBy ?? job.requester;
  const target = { id: item.userId, upn: item.upn };
  const primary = item.changes[0];
  const applied = (values: Record<string, string | null>) => item.changes.every((c) => (values[c.attribute] ?? null) === c.after);
  const save = async (r: BulkItemRecord): Promise<BulkItemRecord> => {
    await deps.jobs.saveItem(job.id, r);
    return r;
  };

  const read = await withRetry(deps, () => deps.writer.read(item.userId, attributes));
  if (read === undefined) return 'shutdown';
  if ('error' in read) {
    return save({ ...base, status: 'failed', at: at(), before: item.changes, detail: deps.explain(read.error, item.upn) });
  }
  const current = read.value;
  if (record?.status === 'writing') {
    // Interrupted after the intent: the PATCH may have gone through. Never write blindly twice.
    if (applied(current)) {
      await deps.audit.append({ event: 'change.reconciled', requestId: job.id, actor, target, before: primary?.before ?? null, after: primary?.after ?? null, detail: `Bulk job ${job.id}: the change was found applied after a restart. ${describe(record.before)}` });
      return save({ ...record, status: 'done', at: at() });
    }
  } else if (applied(current)) {
    return save({ ...base, status: 'unchanged', at: at(), before: item.changes, detail: 'Already had the target value (changed by someone else since the preview); nothing written.' });
  } else if (item.changes.some((c) => (current[c.attribute] ?? null) !== c.before)) {
    return save({ ...base, status: 'unchanged', at: at(), before: item.changes, detail: 'Changed since the preview; nothing written. Ask again for this user to see the new state.' });
  }
  const before = item.changes.map((c) => ({ attribute: c.attribute, before: current[c.attribute] ?? null, after: c.after }));
  const patch = Object.fromEntries(item.changes.map((c) => [c.attribute, c.after]));

  // Intent first (audit and per-user record), so an interrupted write is never lost or repeated.
  await deps.audit.append({ event: 'change.intent', requestId: job.id, actor, target, before: before[0]?.before ?? null, after: primary?.after ?? null, detail: `Bulk job ${job.id}. ${describe(before)}` });
  await save({ ...base, status: 'writing', at: at(), before });
  try {
    await deps.pacer.wait(deps.signal);
  } catch {
    return 'shutdown';
  }
  const written = await withRetry(
    deps,
    () => deps.writer.write(item.userId, patch),
    async () => (applied(await deps.writer.read(item.userId, attributes)) ? ({} as { requestId?: string }) : undefined),
  );
  if (written === undefined) return 'shutdown';
  if ('error' in written) {
    const detail = deps.explain(written.error, item.upn);
    await deps.audit.append({ event: 'change.failed', requestId: job.id, actor, target, before: before[0]?.before ?? null, detail: `Bulk job ${job.id}: ${detail}` });
    return save({ ...base, status: 'failed', at: at(), before, detail });
  }
  const graphRequestId = written.value.requestId;
  await deps.audit.append({
    event: 'change.succeeded',
    requestId: job.id,
    actor,
    target,
    before: before[0]?.before ?? null,
    after: primary?.after ?? null,
    ...(graphRequestId ? { graphRequestId } : {}),
    detail: `Bulk job ${job.id}. ${describe(before)}`,
  });
  return save({ ...base, status: 'done', at: at(), before, ...(graphRequestId ? { graphRequestId } : {}) });
}

/** "Previous values: onPremisesImmutableId=abc, onPremisesSamAccountName=alice" for the audit. */
function describe(changes: readonly { attribute: string; before: string | null }[]): string {
  return `Previous values: ${changes.map((c) => `${c.attribute}=${c.before ?? '(empty)'}`).join(', ')}`;
}
