/**
 * Runs approved bulk jobs in the background of this process: starts them on approval and resume,
 * resumes the ones a previous process (or a dead instance) left running, keeps their cards up to
 * date, and tells the requester and the approvers' channel when a job ends.
 */
import { DirectoryError, toDirectoryError } from '../directory/directory-error';
import { runBulkJob, type BulkRunDeps, type BulkWriter } from '../workflow/bulk/run-bulk-job';
import type { BulkJob } from '../workflow/bulk/types';
import type { WritePacer } from '../workflow/bulk/write-pacer';
import { escapeCardText } from '../cards';
import type { BulkDeps, BulkJobRunner } from './bulk-jobs';
import { renderJob, updateOtherCopies } from './bulk-jobs';
import { explainDirectoryError } from './explain-error';
import { text } from './replies';

export interface BulkRunnerOptions {
  pacer: WritePacer;
  writer: BulkWriter;
  /** This process's id in job leases. */
  owner: string;
  leaseMs: number;
  progressEveryMs: number;
}

export class BulkJobCoordinator implements BulkJobRunner {
  private readonly running = new Map<string, Promise<unknown>>();
  private readonly shutdown = new AbortController();
  private deps: BulkDeps | undefined;

  constructor(private readonly options: BulkRunnerOptions) {}

  /** The deps hold this runner too, so they are attached after both exist. */
  attach(deps: BulkDeps): void {
    this.deps = deps;
  }

  start(jobId: string, takeOver = false): void {
    const deps = this.deps;
    if (!deps || this.running.has(jobId) || this.shutdown.signal.aborted) return;
    const run = runBulkJob(this.runDeps(deps), jobId, { takeOver })
      .then((result) => deps.log.info('bulk.run_ended', { jobId, result }))
      .catch((error: unknown) => deps.log.error('bulk.run_failed', { jobId, error: error as Error }))
      .finally(() => this.running.delete(jobId));
    this.running.set(jobId, run);
  }

  /**
   * Picks up jobs left running (their lease expired, or `takeOver` at start-up with single-process
   * storage) and settles jobs left "stopping" by a runner that is gone.
   */
  async resumeAll(takeOver: boolean): Promise<void> {
    const deps = this.deps;
    if (!deps) return;
    for (const job of await deps.bulkJobs.listByState(['running', 'stopping'])) {
      const free = takeOver || !job.lease || Date.parse(job.lease.expiresAt) <= Date.now();
      if (!free || this.running.has(job.id)) continue;
      if (job.state === 'running') {
        this.start(job.id, takeOver);
        continue;
      }
      const stopped = await deps.bulkJobs.transition(
        job.id,
        (j) => j.state === 'stopping' && (takeOver || !j.lease || Date.parse(j.lease.expiresAt) <= Date.now()),
        (j) => {
          const { lease: _lease, ...rest } = j;
          return { ...rest, state: 'stopped' };
        },
      );
      if ('won' in stopped) await updateOtherCopies(deps, stopped.won, renderJob(deps, stopped.won));
    }
  }

  /** Stops every job after its current user (they resume at the next start) and waits for them. */
  async close(): Promise<void> {
    this.shutdown.abort();
    await Promise.all([...this.running.values()]);
  }

  private runDeps(deps: BulkDeps): BulkRunDeps {
    return {
      jobs: deps.bulkJobs,
      audit: deps.audit,
      log: deps.log,
      pacer: this.options.pacer,
      writer: this.options.writer,
      owner: this.options.owner,
      leaseMs: this.options.leaseMs,
      progressEveryMs: this.options.progressEveryMs,
      signal: this.shutdown.signal,
      explain: (error, upn) => explainDirectoryError(error instanceof DirectoryError ? error : toDirectoryError(error, 'The user'), upn),
      transient: (error) => {
        if (!(error instanceof DirectoryError)) return undefined;
        if (error.code === 'directory.throttled' || error.code === 'directory.unavailable') {
          return { uncertain: false, ...(error.details.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.details.retryAfterSeconds } : {}) };
        }
        if (error.code === 'directory.timeout' || error.code === 'directory.network') return { uncertain: true };
        return undefined;
      },
      onProgress: (job) => updateOtherCopies(deps, job, renderJob(deps, job)),
      onStopped: (job) => updateOtherCopies(deps, job, renderJob(deps, job)),
      onFinished: (job) => this.finish(deps, job),
    };
  }

  private async finish(deps: BulkDeps, job: BulkJob): Promise<void> {
    const records = [...(await deps.bulkJobs.items(job.id)).values()];
    await updateOtherCopies(deps, job, renderJob(deps, job, records));
    const { done, failed, unchanged } = job.progress;
    const what = (deps.bulkPlanners[job.kind]?.action ?? 'change users').toLowerCase();
    const summary = text(
      `✅ The bulk request to ${what} (asked by ${escapeCardText(job.requester.name)}) has finished: ${done} changed, ${failed} failed${unchanged ? `, ${unchanged} changed by others meanwhile` : ''}, ${job.excluded.length} could not be changed. The card shows every failure; send \`history\` and a user's UPN to see that user's previous value.`,
    );
    await deps.chat?.postTo(job.conversationId, [summary]).catch(() => false);
    const approverThreads = job.cards.filter((c) => c.role === 'approvers').map((c) => c.conversationId);
    for (const thread of approverThreads) await deps.chat?.postTo(thread, [summary]).catch(() => false);
    if (approverThreads.length === 0 && deps.approvals.channelId && deps.approvals.channelId !== job.conversationId) {
      await deps.chat?.postToChannel(deps.approvals.channelId, renderJob(deps, job, records), 'approvers').catch(() => undefined);
    }
  }
}
