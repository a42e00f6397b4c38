/** The contract every change kind fulfils; the approval flow around it is the same for all. */
import type { Directory } from '../../directory/graph-directory';
import type { DirectoryUser, UserPatch, UserSnapshot } from '../../directory/types';
import type { AttributeChange, Blocker, ChangeKind, ChangeRequest, StepName } from '../types';
import type { Protection } from './protection';

/** What a kind needs, beyond the user, to plan its changes. */
export interface PlanInput {
  /** set-immutable-id: the anchor to write (base64). */
  immutableId?: string;
  /** undo: the changes to reverse, as the audit recorded them (before = the value to restore). */
  reverse?: readonly AttributeChange[];
  /** move-upn-and-clear: the tenant's initial .onmicrosoft.com domain (GET /domains, isInitial). */
  initialDomain?: string;
  /** restore-upn: the UPN to move back to. */
  upn?: string;
  /** clear-on-prem-attributes: the current values of the on-prem attributes. */
  onPremises?: UserPatch;
}

/** Facts read before assessing, besides the user: policy, and who else holds a value to be written. */
export interface AssessContext {
  protection: Protection;
  /** Users other than the target that hold a value this change would write (unique values only). */
  holders: DirectoryUser[];
}

/** Text that differs by kind; everything else on the cards is shared. Bot-written (may hold markdown). */
export interface ChangeWording {
  /** Fits "The request to … of **alice@contoso.com**": "clear the immutable ID". */
  action: string;
  /** Fits "… of **alice@contoso.com** failed": "Clearing the immutable ID". */
  doing: string;
  /** Fits "The immutable ID of **alice@contoso.com** …": "was cleared". */
  done: string;
  /** Outcome card headline once read back: "Immutable ID cleared". */
  doneTitle: string;
  /** Outcome card headline while replication lags. */
  pendingTitle: string;
  /** What to do next, after the change completed (one line in the chat). */
  next: string;
  /** Title of the approve button, when not the clear's "Confirm" / "Approve & clear". */
  approveTitle?: string;
}

export interface ChangeKindModule {
  kind: ChangeKind;
  /** The attribute changes for this user (pure). */
  plan(snapshot: UserSnapshot, input: PlanInput): AttributeChange[];
  /** Why the change cannot succeed or must not run now (pure); empty means it may go ahead. */
  assess(snapshot: UserSnapshot, changes: readonly AttributeChange[], context: AssessContext): Blocker[];
  /** Whether assess needs the holders of the written immutable id looked up first (Graph keeps it unique). */
  checksUniqueness: boolean;
  /** The directory writes in order, then 'verify'. */
  steps: readonly StepName[];
  /** Runs one write step (every step but 'verify'); resolves with Graph's request id. */
  apply(step: StepName, directory: Directory, request: ChangeRequest): Promise<{ requestId?: string }>;
  /**
   * The changes of a fresh request when the user changed before this one ran (so the requester
   * gets a new card), or null when the kind must be asked for again (e.g. undo).
   */
  planAgain(snapshot: UserSnapshot, previous: ChangeRequest): AttributeChange[] | null;
  wording: ChangeWording;
  /** How the card presents a pending request of this kind (default: the plain clear's card). */
  present?(request: Pick<ChangeRequest, 'changes' | 'targetUpn'>, snapshot: UserSnapshot): CardChangeText;
  /** Reads the user again before writing (default: the live user by object id). */
  readTarget?(directory: Directory, request: ChangeRequest): Promise<UserSnapshot>;
  /** Says exactly what state the user is left in when this write step failed (multi-step kinds). */
  leftState?(failed: StepName, request: ChangeRequest): string;
}

/** What a request card says about a kind (bot-written markdown; user values already escaped). */
export interface CardChangeText {
  headline: string;
  explanation: string;
  facts: Array<{ title: string; value: string }>;
  approveNote?: string;
}
