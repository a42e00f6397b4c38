/**
 * Graph's identity write limit, emulated: at most `writes` accepted writes in any sliding window
 * of `perSeconds`; past it a write answers 429 with the Retry-After after which it would fit.
 * Real Graph: 3,000 writes per 150 s per app and tenant. Tests lower it so throttling is quick.
 */

export interface WriteLimit {
  writes: number;
  perSeconds: number;
}

/** Microsoft Graph's identity write limit per app and tenant. */
export const GRAPH_IDENTITY_WRITE_LIMIT: WriteLimit = { writes: 3000, perSeconds: 150 };

export function validateWriteLimit(value: unknown): asserts value is WriteLimit {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (!Number.isInteger(v.writes) || (v.writes as number) < 1) throw new Error('writes must be a positive integer');
  if (typeof v.perSeconds !== 'number' || !(v.perSeconds > 0)) throw new Error('perSeconds must be a positive number');
}

export class WriteLimiter {
  private accepted: number[] = [];

  constructor(private limit: WriteLimit = GRAPH_IDENTITY_WRITE_LIMIT) {}

  get current(): WriteLimit {
    return { ...this.limit };
  }

  set(limit: WriteLimit): void {
    validateWriteLimit(limit);
    this.limit = { ...limit };
    this.accepted = [];
  }

  /** Counts one write; returns the Retry-After (whole seconds, ≥ 1) when it is over the limit. */
  take(now = Date.now()): number | undefined {
    const windowMs = this.limit.perSeconds * 1000;
    this.accepted = this.accepted.filter((at) => now - at < windowMs);
    if (this.accepted.length < this.limit.writes) {
      this.accepted.push(now);
      return undefined;
    }
    const oldest = this.accepted[0] ?? now;
    return Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
  }
}

/** Which Graph calls count as identity writes (reads posted as POST do not). */
export function isIdentityWrite(method: string, decodedPath: string): boolean {
  const m = method.toUpperCase();
  if (m === 'GET' || m === 'HEAD') return false;
  if (m === 'POST' && /\/(\$batch|checkMemberGroups|checkMemberObjects|getMemberGroups|getMemberObjects|getByIds)$/i.test(decodedPath)) return false;
  return true;
}
