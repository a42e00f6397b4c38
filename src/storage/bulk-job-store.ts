/**
 * Bulk jobs and their per-user progress on a KeyValueStore. The job item holds the plan, state,
 * lease and counters; each user touched gets its own small item, so progress survives a crash
 * without rewriting the whole plan per user. Every job transition is an eTag compare-and-set.
 */
import type { BulkItemRecord, BulkJob, BulkJobState } from '../workflow/bulk/types';
import { EtagConflictError, type KeyValueStore } from './key-value-store';

const JOB = 'bulkjob_';
const ITEM = 'bulkitem_';

export class BulkJobStore {
  constructor(private readonly store: KeyValueStore) {}

  async get(id: string): Promise<BulkJob | undefined> {
    return (await this.store.read<BulkJob>(JOB + id))?.value;
  }

  async create(job: BulkJob): Promise<void> {
    await this.store.write(JOB + job.id, job, { kind: 'absent' });
  }

  /**
   * Applies `update` when `accept(current)` holds, unless someone else wrote first (then it reads
   * again and re-decides). Returns the new job, or `{ lost }` with the job as it is.
   */
  async transition(
    id: string,
    accept: (current: BulkJob) => boolean,
    update: (current: BulkJob) => BulkJob,
  ): Promise<{ won: BulkJob } | { lost: BulkJob | undefined }> {
    for (;;) {
      const item = await this.store.read<BulkJob>(JOB + id);
      if (!item || !accept(item.value)) return { lost: item?.value };
      const next = { ...update(item.value), updatedAt: new Date().toISOString() };
      try {
        await this.store.write(JOB + id, next, { kind: 'etag', etag: item.etag });
        return { won: next };
      } catch (error) {
        if (!(error instanceof EtagConflictError)) throw error;
      }
    }
  }

  /** Shorthand: move from one of `from` states. */
  transitionFrom(id: string, from: readonly BulkJobState[], update: (current: BulkJob) => BulkJob) {
    return this.transition(id, (j) => from.includes(j.state), update);
  }

  async listByState(states: readonly BulkJobState[]): Promise<BulkJob[]> {
    const keys = await this.store.list(JOB);
    const items = await Promise.all(keys.map((k) => this.store.read<BulkJob>(k)));
    return items.flatMap((i) => (i && states.includes(i.value.state) ? [i.value] : []));
  }

  async saveItem(jobId: string, record: BulkItemRecord): Promise<void> {
    await this.store.write(`${ITEM}${jobId}_${record.userId}`, record);
  }

  /** Every per-user record of the job, by user id. */
  async items(jobId: string): Promise<Map<string, BulkItemRecord>> {
    const keys = await this.store.list(`${ITEM}${jobId}_`);
    const out = new Map<string, BulkItemRecord>();
    for (const key of keys) {
      const item = await this.store.read<BulkItemRecord>(key);
      if (item) out.set(item.value.userId, item.value);
    }
    return out;
  }
}
