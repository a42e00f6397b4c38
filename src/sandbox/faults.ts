/**
 * Injected failures: throttling, outages, slow answers and dropped connections, matched on
 * method and decoded path, for top-level requests and $batch sub-requests alike.
 */

export interface FaultRule {
  /** HTTP method to match (case-insensitive); any when absent. */
  method?: string;
  /**
   * Substring of the decoded path, e.g. a user id, "grace@contoso.com" or "/oauth2/v2.0/token".
   * Case-insensitive (UPNs and GUIDs are). An array matches when any entry matches: a user is
   * addressed by id or by UPN and one rule must count both. Any path when absent.
   */
  pathIncludes?: string | string[];
  /** Answer with this status. Absent: the rule only delays/drops; with neither, 500. */
  status?: 429 | 500 | 503 | 504;
  /** Retry-After header (seconds) on 429/503/504. */
  retryAfterSeconds?: number;
  /** How many matching requests the rule affects; default: all of them. */
  times?: number;
  /** Delay the answer by this much (then answer normally, or with `status`). */
  delayMs?: number;
  /** Destroy the socket instead of answering (inside $batch: the whole batch connection). */
  dropConnection?: boolean;
}

/** What the server must do for one request that matched a rule. */
export interface FaultAction {
  delayMs: number;
  dropConnection: boolean;
  /** undefined: answer normally after the delay. */
  status?: number;
  retryAfterSeconds?: number;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

export class FaultSet {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    validateFaultRule(rule);
    this.rules.push({ rule: { ...rule }, remaining: rule.times ?? Infinity });
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.filter((r) => r.remaining > 0).map((r) => ({ ...r.rule }));
  }

  /** First rule that matches and still has uses left; consumes one use. */
  take(method: string, decodedPath: string): FaultAction | undefined {
    const lowerPath = decodedPath.toLowerCase();
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.pathIncludes !== undefined) {
        const needles = Array.isArray(rule.pathIncludes) ? rule.pathIncludes : [rule.pathIncludes];
        if (!needles.some((needle) => lowerPath.includes(needle.toLowerCase()))) continue;
      }
      active.remaining -= 1;
      const onlyShapes = rule.delayMs !== undefined || rule.dropConnection === true;
      return {
        delayMs: rule.delayMs ?? 0,
        dropConnection: rule.dropConnection === true,
        status: rule.status ?? (onlyShapes ? undefined : 500),
        retryAfterSeconds: rule.retryAfterSeconds,
      };
    }
    return undefined;
  }
}

/** Rejects rules that would silently never match or mean nothing (they come over HTTP too). */
export function validateFaultRule(rule: unknown): asserts rule is FaultRule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) throw new Error('fault rule must be an object');
  const r = rule as Record<string, unknown>;
  const known = ['method', 'pathIncludes', 'status', 'retryAfterSeconds', 'times', 'delayMs', 'dropConnection'];
  for (const key of Object.keys(r)) if (!known.includes(key)) throw new Error(`unknown fault rule field: ${key}`);
  if (r.method !== undefined && typeof r.method !== 'string') throw new Error('method must be a string');
  const p = r.pathIncludes;
  if (p !== undefined && typeof p !== 'string' && !(Array.isArray(p) && p.every((x) => typeof x === 'string'))) {
    throw new Error('pathIncludes must be a string or an array of strings');
  }
  if (r.status !== undefined && ![429, 500, 503, 504].includes(r.status as number)) throw new Error('status must be 429, 500, 503 or 504');
  for (const key of ['retryAfterSeconds', 'times', 'delayMs']) {
    const v = r[key];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0))) throw new Error(`${key} must be a non-negative number`);
  }
  if (r.dropConnection !== undefined && typeof r.dropConnection !== 'boolean') throw new Error('dropConnection must be a boolean');
}
