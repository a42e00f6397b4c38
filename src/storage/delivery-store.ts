/**
 * Activity ids already delivered, kept in the shared store for a bounded time so that a Teams
 * retry reaching another instance is still recognised. The conditional create (write if absent) is
 * the atomic "first one wins" between instances; an entry past its time is taken over the same way.
 */
import { createHash } from 'node:crypto';
import { EtagConflictError, KeyValueStore } from './key-value-store';

const PREFIX = 'delivered_';

interface Delivered {
  until: string;
}

export class DeliveryStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly keepMs: number,
  ) {}

  /** True for the first delivery of `id` within the window; false when another delivery (any instance) got it first. */
  async claim(id: string, now = new Date()): Promise<boolean> {
    const key = PREFIX + createHash('sha256').update(id).digest('hex');
    const entry: Delivered = { until: new Date(now.getTime() + this.keepMs).toISOString() };
    try {
      await this.store.write(key, entry, { kind: 'absent' });
      return true;
    } catch (error) {
      if (!(error instanceof EtagConflictError)) throw error;
    }
    const current = await this.store.read<Delivered>(key);
    if (current && Date.parse(current.value.until) > now.getTime()) return false;
    try {
      await this.store.write(key, entry, current ? { kind: 'etag', etag: current.etag } : { kind: 'absent' });
      return true;
    } catch (error) {
      if (error instanceof EtagConflictError) return false;
      throw error;
    }
  }

  /** Deletes entries whose window has passed (housekeeping); resolves with how many. */
  async purge(now = new Date()): Promise<number> {
    let purged = 0;
    for (const key of await this.store.list(PREFIX)) {
      const item = await this.store.read<Delivered>(key);
      if (item && Date.parse(item.value.until) <= now.getTime()) {
        await this.store.delete(key);
        purged++;
      }
    }
    return purged;
  }
}
