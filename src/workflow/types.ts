/** The change-request model: data kept on the server, never in card payloads. */
import type { UserSnapshot } from '../directory/types';

/** Kinds of approved directory change. Only the clear exists today; others fit the same flow. */
export type ChangeKind = 'clear-immutable-id';

export type RequestState =
  | 'awaiting-approval'
  | 'executing'
  | 'completed'
  | 'cancelled'
  | 'failed'
  /** The directory changed after the card was shown; nothing was written. */
  | 'superseded'
  | 'rejected'
  | 'expired';

/** States after which nothing more happens to a request. */
export const FINAL_STATES: readonly RequestState[] = ['completed', 'cancelled', 'failed', 'superseded', 'rejected', 'expired'];

/** A person as Teams identifies them. */
export interface Actor {
  /** Entra object id (Teams `from.aadObjectId`); empty when Teams did not send one. */
  aadObjectId: string;
  name: string;
}

export interface Approval {
  actor: Actor;
  at: string;
}

/** Why a clear cannot succeed (or must not be done) right now; shown on the card instead of a button. */
export type ClearBlocker =
  | { kind: 'synced'; lastSyncDateTime: string | null }
  | { kind: 'federated'; domain: string }
  | { kind: 'already-empty' }
  | { kind: 'protected'; reason: 'privileged-role' | 'protected-group'; detail: string };

/** A copy of a request's card in some conversation, so every copy can be updated later. */
export interface CardCopy {
  /** Teams conversation id the card was posted in (a channel thread keeps its ;messageid=). */
  conversationId: string;
  activityId: string;
  role: 'requester' | 'approvers';
}

export interface ChangeRequest {
  /** Opaque, unguessable id: the only thing a card action carries. */
  id: string;
  kind: ChangeKind;
  state: RequestState;
  /** Target user's object id and UPN at the time of the request. */
  targetId: string;
  targetUpn: string;
  targetDisplayName: string | null;
  /** The immutable id the requester saw on the card; confirm checks it is still the same. */
  shownValue: string | null;
  /** The value the change writes (null clears). */
  newValue: string | null;
  requester: Actor;
  /** Reason or ticket id the requester gave ("… because INC0012345"). */
  reason?: string;
  /** Teams conversation the request was made in (without any ;messageid= suffix). */
  conversationId: string;
  /** Other conversations whose cards may act on it (the approvers' channel), without ;messageid=. */
  approvalConversationIds?: string[];
  tenantId: string;
  createdAt: string;
  updatedAt: string;
  /** When the request expires if nobody decides. */
  expiresAt: string;
  remindedAt?: string;
  /** Distinct approvals so far. */
  approvals: Approval[];
  requiredApprovals: number;
  /** The approver whose approval completed the set (the one who ran the change). */
  approvedBy?: Actor;
  approvedAt?: string;
  rejectedBy?: Actor;
  rejectionReason?: string;
  /** Who withdrew the request (requester or approver), when cancelled. */
  cancelledBy?: Actor;
  /** What the requester's card showed: lets every copy be re-rendered without reading Graph again. */
  snapshot?: UserSnapshot;
  /** Where the request's card is shown. */
  cards?: CardCopy[];
  outcome?: ChangeOutcome;
}

/** What happened when the change ran (or why it never did). */
export interface ChangeOutcome {
  status: 'cleared' | 'cleared-pending-replication' | 'failed' | 'cancelled' | 'stale' | 'rejected' | 'expired';
  before: string | null;
  /** The value read back after the change (null when cleared). */
  after: string | null;
  at: string;
  /** Graph request id of the PATCH, for the audit. */
  graphRequestId?: string;
  /** User-facing explanation when status is failed or stale. */
  message?: string;
}
