/** Per-user command rate limit: a sliding one-minute window, in memory (per instance). */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a command; returns 0 when allowed, else the milliseconds until the next one is. */
  take(key: string): number {
    const t = this.now();
    const recent = (this.hits.get(key) ?? []).filter((at) => at > t - 60_000);
    if (recent.length >= this.perMinute) {
      this.hits.set(key, recent);
      return (recent[0] as number) + 60_000 - t;
    }
    recent.push(t);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.hits.delete(this.hits.keys().next().value as string);
    return 0;
  }
}
