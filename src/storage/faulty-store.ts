/**
 * Sandbox only: storage faults by workflow step, so tests can make the bot's own storage fail at
 * each point of a change (the claim, a lease renewal, the intent, a step record, the outcome) and
 * check that no request is left stuck and the user hears the truth. The store and audit log are
 * wrapped only when SANDBOX_MODE=true and a rule is armed; otherwise every call passes through.
 */
import type { AuditEntry, AuditLog } from './audit-log';
import type { KeyValueStore } from './key-value-store';

/** Where a change touches storage: request writes (claim, renew, finish) and audit records (intent, step, outcome). */
export const STORAGE_FAULT_STEPS = ['claim', 'renew', 'finish', 'intent', 'step', 'outcome'] as const;
export type StorageFaultStep = (typeof STORAGE_FAULT_STEPS)[number];

export interface StorageFaultRule {
  step: StorageFaultStep;
  /** How many matching writes fail; default 1. */
  times?: number;
  /** How many matching writes go through first (e.g. 1: the second renewal fails); default 0. */
  after?: number;
}

export class StorageFaultError extends Error {
  constructor(readonly step: StorageFaultStep) {
    super(`Injected storage fault (sandbox): the ${step} write failed`);
    this.name = 'StorageFaultError';
  }
}

const OUTCOME_EVENTS: ReadonlySet<AuditEntry['event']> = new Set<AuditEntry['event']>([
  'change.succeeded',
  'change.failed',
  'change.unconfirmed',
  'change.stale',
  'change.reconciled',
]);

export class StorageFaults {
  private rules: Array<{ step: StorageFaultStep; remaining: number; skip: number }> = [];

  /** Validates and arms a rule; returns a problem to report, or undefined. */
  arm(input: unknown): string | undefined {
    const rule = input as Partial<StorageFaultRule> | undefined;
    if (!rule || typeof rule !== 'object' || !STORAGE_FAULT_STEPS.includes(rule.step as StorageFaultStep)) {
      return `"step" must be one of ${STORAGE_FAULT_STEPS.join(', ')}`;
    }
    const times = rule.times ?? 1;
    if (!Number.isInteger(times) || times < 1 || times > 1000) return '"times" must be a whole number from 1 to 1000';
    const after = rule.after ?? 0;
    if (!Number.isInteger(after) || after < 0 || after > 1000) return '"after" must be a whole number from 0 to 1000';
    this.rules.push({ step: rule.step as StorageFaultStep, remaining: times, skip: after });
    return undefined;
  }

  clear(): void {
    this.rules = [];
  }

  list(): StorageFaultRule[] {
    return this.rules.filter((r) => r.remaining > 0).map((r) => ({ step: r.step, times: r.remaining, after: r.skip }));
  }

  get armed(): boolean {
    return this.rules.some((r) => r.remaining > 0);
  }

  /** Throws when a rule for this step has uses left (and uses one). */
  check(step: StorageFaultStep | undefined): void {
    if (!step) return;
    const rule = this.rules.find((r) => r.step === step && r.remaining > 0);
    if (!rule) return;
    if (rule.skip > 0) {
      rule.skip -= 1;
      return;
    }
    rule.remaining -= 1;
    throw new StorageFaultError(step);
  }
}

type Stated = { state?: unknown } | null | undefined;

/** Which step a request write is, from the state it leaves and the state it replaces. */
function requestStep(before: Stated, after: Stated): StorageFaultStep | undefined {
  const from = before?.state;
  const to = after?.state;
  if (to === 'executing') return from === 'executing' ? 'renew' : 'claim';
  return from === 'executing' ? 'finish' : undefined;
}

/** The store, with request writes failing where a rule says (reads, lists and deletes pass through). */
export function withStorageFaults(store: KeyValueStore, faults: StorageFaults): KeyValueStore {
  const write: KeyValueStore['write'] = async (key, value, condition) => {
    if (faults.armed && key.startsWith('request_')) {
      const current = await store.read<Stated>(key);
      faults.check(requestStep(current?.value, value as Stated));
    }
    return store.write(key, value, condition);
  };
  return new Proxy(store, {
    get: (target, property) => {
      if (property === 'write') return write;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The audit log, with the intent, step and outcome records failing where a rule says. */
export function withAuditFaults(audit: AuditLog, faults: StorageFaults): AuditLog {
  const append: AuditLog['append'] = async (entry) => {
    if (faults.armed) {
      faults.check(entry.event === 'change.intent' ? 'intent' : entry.event === 'change.step' ? 'step' : OUTCOME_EVENTS.has(entry.event) ? 'outcome' : undefined);
    }
    // Looked up at call time: a test may have replaced the log's own append.
    return audit.append(entry);
  };
  return new Proxy(audit, {
    get: (target, property) => {
      if (property === 'append') return append;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
