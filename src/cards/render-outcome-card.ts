import { kindModule } from '../workflow/change-kinds';
import type { ChangeOutcome, ChangeRequest } from '../workflow/types';
import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { escapeCardText } from './escape';
import { describeTarget, displayNameOf, formatApproverNames, formatImmutableId, formatUtc } from './format';
import template from './outcome.card.json';
import { isRequestId } from './verbs';

export interface OutcomeCardInput {
  request: ChangeRequest;
  sandbox: boolean;
}

interface OutcomeCardViewModel {
  sandbox: boolean;
  /** The change completed and was read back. */
  isCleared: boolean;
  isPending: boolean;
  /** A completed change with a note (recorded later, or its record could not be saved). */
  hasDoneNote: boolean;
  hasPendingNote: boolean;
  /** Headlines worded by the request's kind ("✅ Immutable ID cleared"). */
  /** Who the request is about, for the titles: the display name, or the UPN. */
  subjectName: string;
  doneHeadline: string;
  pendingHeadline: string;
  /** What the read-back showed, worded by kind. */
  doneDetail: string;
  failedHeadline: string;
  isFailed: boolean;
  /** An uncertain write whose read-backs still showed the old value: neither made nor "nothing changed". */
  isUnconfirmed: boolean;
  unconfirmedHeadline: string;
  isCancelledBy: boolean;
  isCancelledAnon: boolean;
  isRejected: boolean;
  rejectedHeadline: string;
  isExpired: boolean;
  isStale: boolean;
  isUnknown: boolean;
  cancelledBy: string;
  hasMessage: boolean;
  message: string;
  state: string;
  upn: string;
  user: string;
  hasOutcome: boolean;
  before: string;
  after: string;
  /** "After" for every outcome except pending replication, which shows "Read back" instead. */
  showAfter: boolean;
  requestedBy: string;
  hasRequestReason: boolean;
  requestReason: string;
  showConfirmedBy: boolean;
  confirmedBy: string;
  /** The list of approvers, for multi-approval requests and requests that ended without running. */
  showApprovedBy: boolean;
  approvedBy: string;
  hasRejectionReason: boolean;
  rejectionReason: string;
  when: string;
  hasGraphRequestId: boolean;
  graphRequestId: string;
  requestId: string;
  /** A completed change offers Undo (a new request, through approval). */
  showUndo: boolean;
  undoRequestId: string;
  /** Kinds that write more than the immutable ID list every attribute, before → after. */
  hasChangeList: boolean;
  changeList: Array<{ title: string; value: string }>;
  /** What must happen next (e.g. before the UPN goes back), for completed changes. */
  hasNext: boolean;
  next: string;
  /** A completed move-UPN-and-clear offers moving the UPN back, through approval. */
  showRestoreUpn: boolean;
}

const card = new CardTemplate<OutcomeCardViewModel>('outcome', template);

const DEFAULT_MESSAGES: Partial<Record<ChangeOutcome['status'], string>> = {
  failed: 'No details were recorded.',
  stale: 'The user changed after the card was shown, so the request was not run.',
  unconfirmed: 'The directory did not answer clearly; reads still show the old value. Check the user before trying again.',
};

/** The line under a completed change's headline: what reading back showed. */
const DONE_DETAIL: Partial<Record<ChangeRequest['kind'], string>> = {
  'clear-immutable-id': 'Read back from Entra ID: the immutable ID is now empty. Entra Connect can match this user again on its next sync.',
  'set-immutable-id': 'Read back from Entra ID: the immutable ID now holds the new anchor. The next sync joins the on-prem object that carries it.',
  undo: 'Read back from Entra ID: the earlier value is back.',
};

/** Outcomes where nobody confirmed and nothing ran. */
const NOT_RUN: ReadonlySet<ChangeOutcome['status'] | undefined> = new Set<ChangeOutcome['status']>(['cancelled', 'rejected', 'expired']);

/** A change that ran can be undone (through a new, approved request). */
function undoable(request: ChangeRequest): boolean {
  const status = request.outcome?.status;
  return request.state === 'completed' && (status === 'completed' || status === 'completed-pending-replication') && isRequestId(request.id);
}

/** An actor's name, escaped; '' when there is no actor or no name. */
function nameOf(actor: { name?: string } | undefined): string {
  return actor?.name?.trim() ? escapeCardText(actor.name, 100) : '';
}

/** Renders the final state of a request (replaces the confirm card); no buttons. */
export function renderOutcomeCard(input: OutcomeCardInput): AdaptiveCardJson {
  const { request } = input;
  const outcome = request.outcome;
  const status = outcome?.status;
  const notRun = NOT_RUN.has(status);
  // The person who decided: who cancelled for a cancellation, who confirmed otherwise.
  const decider = status === 'cancelled' ? nameOf(request.cancelledBy) : notRun ? '' : nameOf(request.approvedBy);
  const rejectedBy = nameOf(request.rejectedBy);
  const message = outcome?.message?.trim()
    ? escapeCardText(outcome.message, 600)
    : (status && DEFAULT_MESSAGES[status]) ?? '';
  // Older stored requests may predate approvals; treat a missing list as empty.
  const approvals = request.approvals ?? [];
  // One approval that ran the change reads as "Confirmed by"; a list otherwise (several needed,
  // or the request ended without running after some approved).
  const showApprovedBy =
    approvals.length > 0 && (notRun || approvals.length > 1 || request.requiredApprovals > 1 || decider === '');
  const rejectionReason = status === 'rejected' && request.rejectionReason?.trim() ? escapeCardText(request.rejectionReason, 500) : '';
  const requestReason = request.reason?.trim() ? escapeCardText(request.reason, 500) : '';
  const wording = kindModule(request.kind).wording;
  const subjectName = escapeCardText(displayNameOf(request.targetDisplayName, request.targetUpn));
  // A rejection's message is its reason, already shown once as the "Reason" fact.
  const shownMessage = status === 'rejected' && rejectionReason !== '' ? '' : message;
  const changes = outcome?.changes ?? request.changes;
  const listChanges = changes.length > 1 || changes.some((c) => c.attribute !== 'onPremisesImmutableId');
  const done = status === 'completed' || status === 'completed-pending-replication';

  return card.expand({
    sandbox: input.sandbox,
    isCleared: status === 'completed',
    isPending: status === 'completed-pending-replication',
    hasDoneNote: status === 'completed' && shownMessage !== '',
    hasPendingNote: status === 'completed-pending-replication' && shownMessage !== '',
    subjectName,
    doneHeadline: `✅ ${wording.doneTitle} for ${subjectName}`,
    pendingHeadline: `⏳ ${forSubject(wording.pendingTitle, subjectName)}`,
    doneDetail: DONE_DETAIL[request.kind] ?? DONE_DETAIL['clear-immutable-id'] ?? '',
    failedHeadline: `❌ ${wording.doing} for ${subjectName} failed`,
    isFailed: status === 'failed',
    isUnconfirmed: status === 'unconfirmed',
    unconfirmedHeadline: `⚠️ Could not confirm: ${wording.doing} for ${subjectName}`,
    isCancelledBy: status === 'cancelled' && decider !== '',
    isCancelledAnon: status === 'cancelled' && decider === '',
    isRejected: status === 'rejected',
    rejectedHeadline: rejectedBy === '' ? `Request for ${subjectName} rejected` : `Request for ${subjectName} rejected by ${rejectedBy}`,
    isExpired: status === 'expired',
    isStale: status === 'stale',
    isUnknown: status === undefined,
    cancelledBy: decider,
    hasMessage: shownMessage !== '',
    message: shownMessage,
    state: escapeCardText(request.state, 40),
    upn: escapeCardText(request.targetUpn),
    user: describeTarget(request.targetDisplayName, request.targetUpn),
    hasOutcome: outcome !== undefined,
    before: formatImmutableId(outcome?.before),
    after: formatImmutableId(outcome?.after),
    showAfter: outcome !== undefined && status !== 'completed-pending-replication',
    requestedBy: escapeCardText(request.requester.name, 100),
    hasRequestReason: requestReason !== '',
    requestReason,
    showConfirmedBy: !notRun && decider !== '' && !showApprovedBy,
    confirmedBy: decider,
    showApprovedBy,
    approvedBy: showApprovedBy ? formatApproverNames(approvals.map((a) => a.actor.name)) : '',
    hasRejectionReason: rejectionReason !== '',
    rejectionReason,
    when: formatUtc(outcome?.at ?? request.updatedAt),
    hasGraphRequestId: Boolean(outcome?.graphRequestId?.trim()),
    graphRequestId: escapeCardText(outcome?.graphRequestId, 100),
    requestId: escapeCardText(request.id, 128),
    showUndo: undoable(request),
    undoRequestId: undoable(request) ? request.id : '',
    hasChangeList: done && listChanges,
    changeList: done && listChanges ? changes.map((c) => ({ title: escapeCardText(c.attribute, 60), value: `${escapeCardText(c.before, 200)} → ${escapeCardText(c.after, 200)}` })) : [],
    hasNext: done && request.kind !== 'clear-immutable-id',
    next: done ? escapeCardText(wording.next, 600) : '',
    showRestoreUpn: done && request.kind === 'move-upn-and-clear',
  });
}

/** "Cleared — waiting for …" → "Cleared for Alice Smith — waiting for …": the title names the user. */
function forSubject(title: string, subject: string): string {
  const dash = title.indexOf(' — ');
  return dash === -1 ? `${title} for ${subject}` : `${title.slice(0, dash)} for ${subject}${title.slice(dash)}`;
}
