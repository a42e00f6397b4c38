/** The bulk-job model: one approval for many users, run in the background with per-user progress. */
import type { Actor, Approval, CardCopy } from '../types';

/** One attribute a job writes for a user: the value the preview read, and the value written (null clears). */
export interface AttributeChangeLike {
  attribute: string;
  before: string | null;
  after: string | null;
}

/** The change kinds a bulk job may apply (the same modules as for one user). */
export type BulkKind = 'clear-immutable-id' | 'clear-on-prem-attributes';

/** Why a user is left out of a bulk job (the preview groups by it). */
export type ExclusionReason = 'not-found' | 'synced' | 'federated' | 'protected' | 'already-empty' | 'other';

export interface BulkExclusion {
  reason: ExclusionReason;
  /** What the requester typed, or the user's UPN. */
  name: string;
  /** Bot-written detail, e.g. "Global Administrator" or a Graph error explanation. */
  detail?: string;
}

/** One user the job will change, as the preview read them. */
export interface BulkItem {
  userId: string;
  upn: string;
  displayName: string | null;
  changes: AttributeChangeLike[];
}

export type BulkJobState = 'awaiting-approval' | 'running' | 'stopping' | 'stopped' | 'completed' | 'rejected' | 'cancelled' | 'expired';

export const FINAL_BULK_STATES: readonly BulkJobState[] = ['completed', 'rejected', 'cancelled', 'expired'];

export interface BulkProgress {
  done: number;
  failed: number;
  /** Changed by someone else since the preview (nothing written). */
  unchanged: number;
}

export interface BulkJob {
  /** Opaque, unguessable id (card buttons carry only this). */
  id: string;
  kind: BulkKind;
  state: BulkJobState;
  /** What was asked for: a list, or a group's members. */
  source: { type: 'list'; count: number } | { type: 'group'; id: string; name: string };
  requester: Actor;
  reason?: string;
  conversationId: string;
  tenantId: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  items: BulkItem[];
  excluded: BulkExclusion[];
  approvals: Approval[];
  requiredApprovals: number;
  approvedBy?: Actor;
  approvedAt?: string;
  rejectedBy?: Actor;
  rejectionReason?: string;
  cancelledBy?: Actor;
  stoppedBy?: Actor;
  cards: CardCopy[];
  /** Who runs it now; another runner may take over only after `expiresAt` (compare-and-set on the job's eTag). */
  lease?: { owner: string; expiresAt: string };
  progress: BulkProgress;
  startedAt?: string;
  finishedAt?: string;
}

/** Per-user progress, one stored item per user touched: written before the PATCH and after it. */
export interface BulkItemRecord {
  userId: string;
  upn: string;
  /** writing: the PATCH may have been sent (on resume the user is read back, never written blindly twice). */
  status: 'writing' | 'done' | 'failed' | 'unchanged';
  at: string;
  /** Values before the change, as read just before writing (the rollback record). */
  before: AttributeChangeLike[];
  graphRequestId?: string;
  /** Why it failed or was left unchanged (bot-written). */
  detail?: string;
}
