/** The change-request model: data kept on the server, never in card payloads. */
import type { UserAttribute, UserSnapshot } from '../directory/types';

/**
 * Kinds of approved directory change; each has one module in change-kinds/ (the table there is
 * keyed by this union, so the compiler checks every kind has one). Planned next, each one more
 * member here plus one module: 'restore-and-clear', 'move-upn-and-clear', 'clear-on-prem-attributes'.
 */
export type ChangeKind =
  | 'clear-immutable-id'
  | 'set-immutable-id'
  | 'undo'
  | 'restore-and-clear'
  | 'move-upn-and-clear'
  | 'restore-upn'
  | 'clear-on-prem-attributes';

/** One attribute the change writes: the value the approvers saw, and the value it writes (null clears). */
export interface AttributeChange {
  attribute: UserAttribute;
  before: string | null;
  after: string | null;
}

/** The directory writes a change is made of, in order (e.g. restore → patch → verify). */
export type StepName = 'restore' | 'patch' | 'verify';

export type StepStatus = 'pending' | 'done' | 'failed' | 'skipped';

/** What has been done so far, so an interrupted or failed change says exactly where it stopped. */
export interface RequestStep {
  name: StepName;
  status: StepStatus;
  at?: string;
  graphRequestId?: string;
  /** e.g. why it failed, or "still replicating". */
  detail?: string;
}

export type RequestState =
  | 'awaiting-approval'
  /** "Clear when unsynced": waits until the user no longer syncs, then awaits approval. */
  | 'waiting-for-unsync'
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

/** Which process runs an executing request, and until when (renewed while the change runs). */
export interface ExecutionLease {
  /** The instance id of the process (new at every start). */
  owner: string;
  expiresAt: string;
}

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

/** Why a change cannot succeed (or must not be done) right now; shown on the card instead of a button. */
export type Blocker =
  | { kind: 'synced'; lastSyncDateTime: string | null }
  | { kind: 'federated'; domain: string }
  | { kind: 'already-empty' }
  | { kind: 'protected'; reason: 'privileged-role' | 'protected-group'; detail: string }
  /** Hard match: the value is already this user's. */
  | { kind: 'same-value' }
  /** Hard match / undo: another user holds the value (Graph keeps it unique). */
  | { kind: 'value-taken'; heldBy: { id: string; userPrincipalName: string; displayName: string | null } }
  /** Undo: the user's value is no longer what the change wrote. */
  | { kind: 'changed-since'; attribute: UserAttribute; expected: string | null; current: string | null }
  /** Restore and clear: the user is no longer in deleted items (restored or purged since). */
  | { kind: 'not-deleted' }
  /** Move UPN and clear: GET /domains named no initial .onmicrosoft.com domain to move the UPN to. */
  | { kind: 'no-initial-domain' }
  /** Restore UPN: a federated UPN needs an anchor first (the match, or a hard match). */
  | { kind: 'needs-anchor'; upn: string };

/** The blockers of a clear (the first kind); kept as a name for the cards and tests that use it. */
export type ClearBlocker = Blocker;

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
  /** The attributes the change writes; `before` is what the card showed (re-checked before writing). */
  changes: AttributeChange[];
  /** The writes, in order, with what has been done (pending until the change runs). */
  steps: RequestStep[];
  /** Undo: the request whose change this one reverses. */
  undoOf?: string;
  /** waiting-for-unsync: when the user is read again to see whether it still syncs. */
  nextCheckAt?: string;
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
  /** While executing: who runs the change; once expired, any instance may take over and settle it. */
  lease?: ExecutionLease;
  outcome?: ChangeOutcome;
}

/** What happened when the change ran (or why it never did). */
export interface ChangeOutcome {
  /**
   * completed: verified by reading back; completed-pending-replication: Graph accepted it, reads still lag;
   * unconfirmed: the write got an uncertain answer (timeout, reset, 5xx) and reads still showed the old value.
   */
  status: 'completed' | 'completed-pending-replication' | 'failed' | 'unconfirmed' | 'cancelled' | 'stale' | 'rejected' | 'expired';
  /** The first (primary) attribute's value before the change; `changes` lists every attribute. */
  before: string | null;
  /** The primary attribute's value read back after the change. */
  after: string | null;
  /** Every attribute: before, and the value read back (or the unchanged value when nothing ran). */
  changes?: AttributeChange[];
  at: string;
  /** Graph request id of the PATCH, for the audit. */
  graphRequestId?: string;
  /** User-facing explanation when status is failed or stale. */
  message?: string;
}
