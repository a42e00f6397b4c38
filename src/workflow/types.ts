/** The change-request model: data kept on the server, never in card payloads. */

/** Kinds of approved directory change. Only the clear exists today; others fit the same flow. */
export type ChangeKind = 'clear-immutable-id';

export type RequestState =
  | 'awaiting-approval'
  | 'executing'
  | 'completed'
  | 'cancelled'
  | 'failed'
  /** The directory changed after the card was shown; nothing was written. */
  | 'superseded';

/** A person as Teams identifies them. */
export interface Actor {
  /** Entra object id (Teams `from.aadObjectId`); empty when Teams did not send one. */
  aadObjectId: string;
  name: string;
}

/** Why a clear cannot succeed right now; shown on the card instead of a button. */
export type ClearBlocker =
  | { kind: 'synced'; lastSyncDateTime: string | null }
  | { kind: 'federated'; domain: string }
  | { kind: 'already-empty' };

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
  tenantId: string;
  createdAt: string;
  updatedAt: string;
  approvedBy?: Actor;
  /** Who withdrew the request (requester or approver), when cancelled. */
  cancelledBy?: Actor;
  approvedAt?: string;
  outcome?: ChangeOutcome;
}

/** What happened when the change ran. */
export interface ChangeOutcome {
  status: 'cleared' | 'cleared-pending-replication' | 'failed' | 'cancelled' | 'stale';
  before: string | null;
  /** The value read back after the change (null when cleared). */
  after: string | null;
  at: string;
  /** Graph request id of the PATCH, for the audit. */
  graphRequestId?: string;
  /** User-facing explanation when status is failed or stale. */
  message?: string;
}
