/**
 * Turns a list of users (or a group's members) into a bulk job's plan: who will be changed,
 * who cannot be and why. Reads only; nothing is written before approval.
 */
import type { BulkExclusion, BulkItem, ExclusionReason, AttributeChangeLike } from './types';

/** What one user's look-up and assessment gave (the same rules as for one user). */
export interface AssessedUser {
  user: { id: string; userPrincipalName: string; displayName: string | null };
  changes: AttributeChangeLike[];
  /** Blocker kinds (empty: may be changed). */
  blockers: { kind: string; detail?: string }[];
}

export type AssessOutcome = { ok: true; assessed: AssessedUser } | { ok: false; notFound: boolean; detail: string };

/** The most users one bulk request may name (the limit). */
export const MAX_BULK_USERS = 1000;
/** Look-ups in flight at once (each is one $batch round trip). */
const CONCURRENCY = 8;

function reasonOf(blockerKind: string): ExclusionReason {
  switch (blockerKind) {
    case 'synced':
    case 'federated':
    case 'protected':
    case 'already-empty':
      return blockerKind;
    default:
      return 'other';
  }
}

/** Assesses every name (a few at a time), keeps each user once, and splits them into items and exclusions. */
export async function planBulkJob(names: readonly string[], assess: (name: string) => Promise<AssessOutcome>): Promise<{ items: BulkItem[]; excluded: BulkExclusion[] }> {
  const outcomes: AssessOutcome[] = new Array<AssessOutcome>(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const i = next++;
      outcomes[i] = await assess(names[i] as string);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, names.length) }, worker));

  const items: BulkItem[] = [];
  const excluded: BulkExclusion[] = [];
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const outcome = outcomes[i] as AssessOutcome;
    if (!outcome.ok) {
      excluded.push({ reason: outcome.notFound ? 'not-found' : 'other', name, ...(outcome.notFound ? {} : { detail: outcome.detail }) });
      return;
    }
    const { user, changes, blockers } = outcome.assessed;
    if (seen.has(user.id)) return; // the same user named twice (UPN and mail, or in two groups)
    seen.add(user.id);
    const first = blockers[0];
    if (first) excluded.push({ reason: reasonOf(first.kind), name: user.userPrincipalName, ...(first.detail ? { detail: first.detail } : {}) });
    else items.push({ userId: user.id, upn: user.userPrincipalName, displayName: user.displayName, changes });
  });
  return { items, excluded };
}
