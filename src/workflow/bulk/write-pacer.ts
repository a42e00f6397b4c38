/**
 * Spaces directory writes evenly so a bulk job stays under BULK_MAX_WRITES_PER_MINUTE (Graph's
 * identity write limit is 3,000 per 150 s per app and tenant, i.e. 1,200 a minute). One pacer
 * per process, shared by every running job; a Retry-After pauses all of them.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class WritePacer {
  private nextSlot = 0;
  private readonly spacingMs: number;

  constructor(maxWritesPerMinute: number) {
    this.spacingMs = 60_000 / maxWritesPerMinute;
  }

  /** Resolves when the next write may start; rejects with AbortError when `signal` aborts. */
  async wait(signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.spacingMs;
    if (slot > now) await sleep(slot - now, undefined, signal ? { signal } : undefined);
  }

  /** Graph said Retry-After: no write from any job before then. */
  pauseFor(ms: number): void {
    this.nextSlot = Math.max(this.nextSlot, Date.now() + ms);
  }
}
