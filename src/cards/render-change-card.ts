/**
 * The request card of a change that writes an immutable id (hard match, undo): the current and
 * the new value, each also as the on-prem GUID it stands for, what blocks it, and the buttons.
 * The clear keeps its own card (user.card.json).
 */
import type { UserSnapshot } from '../directory/types';
import type { Blocker } from '../workflow/types';
import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { escapeCardText, sanitizeBotText } from './escape';
import { decodedGuid, describeSync, formatApprovals, formatImmutableId, formatUtc, protectedDetails, ALLOW_PRIVILEGED_SETTING } from './format';
import template from './change.card.json';
import { isRequestId } from './verbs';

export interface ChangeCardInput {
  snapshot: UserSnapshot;
  /** The value the card proposes to write. */
  newValue: string | null;
  /** The value the change expects to find (defaults to what the snapshot holds). */
  currentValue?: string | null;
  /** Bot-written: "Hard match: set the immutable ID?" */
  title: string;
  /** Bot-written: one sentence on what approving does. */
  summary: string;
  blockers: Blocker[];
  /** Without it the card shows no buttons (a refusal). */
  requestId?: string;
  sandbox: boolean;
  notice?: string;
  requestedBy?: string;
  reason?: string;
  approvals?: Array<{ name: string; at: string }>;
  requiredApprovals?: number;
  buttons?: { approve?: boolean; reject?: boolean; cancel?: boolean };
  approveTitle?: string;
}

interface ChangeCardViewModel {
  sandbox: boolean;
  hasNotice: boolean;
  notice: string;
  title: string;
  summary: string;
  user: string;
  upn: string;
  objectId: string;
  syncState: string;
  currentId: string;
  currentGuid: string;
  newId: string;
  newGuid: string;
  hasRequestedBy: boolean;
  requestedByLabel: string;
  requestedBy: string;
  hasReason: boolean;
  reason: string;
  hasApprovals: boolean;
  approvals: string;
  hasBlockers: boolean;
  blockersHeading: string;
  blockers: string;
  showApproveNote: boolean;
  approveNote: string;
  showActions: boolean;
  showApprove: boolean;
  approveTitle: string;
  showReject: boolean;
  showCancel: boolean;
  requestId: string;
  showRequestId: boolean;
  requestIdText: string;
  readAt: string;
}

const card = new CardTemplate<ChangeCardViewModel>('change', template);

/** One line per blocker, in words a helpdesk acts on; directory values escaped. */
export function describeBlocker(blocker: Blocker, all: Blocker[]): string {
  switch (blocker.kind) {
    case 'value-taken': {
      const who = blocker.heldBy.displayName ? `${escapeCardText(blocker.heldBy.displayName, 100)} (${escapeCardText(blocker.heldBy.userPrincipalName)})` : escapeCardText(blocker.heldBy.userPrincipalName);
      return `- **${who}** already holds this immutable ID, and Graph keeps it unique: a write would fail. Clear it on that user first (\`clear immutable id for ${escapeCardText(blocker.heldBy.userPrincipalName)}\`) if that account is the wrong one.`;
    }
    case 'same-value':
      return '- The user already has this immutable ID: nothing to change. If the user still does not join, check that the on-prem object is in sync scope and run a delta sync.';
    case 'changed-since':
      return `- The user's ${escapeCardText(blocker.attribute, 60)} is now ${formatImmutableId(blocker.current)}, not ${formatImmutableId(blocker.expected)} as that change left it: someone or something changed it since, so undoing would overwrite that.`;
    case 'synced':
      return `- The user is still synced from on-premises (last sync ${formatUtc(blocker.lastSyncDateTime, 'unknown')}): Graph refuses to change the anchor of a synced user. Take the on-prem object out of sync scope first.`;
    case 'federated':
      return `- The UPN is in the federated domain ${escapeCardText(blocker.domain)}.`;
    case 'already-empty':
      return '- The immutable ID is already empty.';
    case 'not-deleted':
      return '- The user is no longer in deleted items (restored or purged since).';
    case 'no-initial-domain':
      return '- No initial .onmicrosoft.com domain was found to move the UPN to.';
    case 'needs-anchor':
      return `- ${escapeCardText(blocker.upn)} is on a federated domain, which needs an immutable ID first: let the next sync match the user, or set the anchor in the same change.`;
    case 'protected':
      return blocker.reason === 'privileged-role'
        ? `- The user holds ${protectedDetails(all, 'privileged-role', 'an admin role')}: protected accounts are not changed unless ${ALLOW_PRIVILEGED_SETTING}.`
        : `- The user is in the protected group ${protectedDetails(all, 'protected-group', '(name not recorded)')}.`;
  }
}

/** Renders a set/undo request (or why it can't run). */
export function renderChangeCard(input: ChangeCardInput): AdaptiveCardJson {
  const { snapshot, blockers } = input;
  const { user } = snapshot;
  if (input.requestId !== undefined && !isRequestId(input.requestId)) throw new Error('renderChangeCard: requestId is not a valid request id');
  const current = input.currentValue === undefined ? user.onPremisesImmutableId : input.currentValue;
  const blocked = blockers.length > 0;
  const hasRequest = input.requestId !== undefined && !blocked;
  const show = {
    approve: hasRequest && (input.buttons?.approve ?? true),
    reject: hasRequest && (input.buttons?.reject ?? true),
    cancel: hasRequest && (input.buttons?.cancel ?? true),
  };
  const showActions = show.approve || show.reject || show.cancel;
  const approvals = input.approvals ?? [];
  const showApprovals = approvals.length > 0 || (input.requiredApprovals ?? 0) > 1;
  const requestedBy = input.requestedBy?.trim() ? escapeCardText(input.requestedBy, 100) : '';
  const reason = input.reason?.trim() ? escapeCardText(input.reason, 500) : '';
  const notice = input.notice?.trim() ? sanitizeBotText(input.notice) : '';
  const guidOr = (v: string | null) => decodedGuid(v) || '—';
  return card.expand({
    sandbox: input.sandbox,
    hasNotice: notice !== '',
    notice,
    title: sanitizeBotText(input.title, 120),
    summary: sanitizeBotText(input.summary, 600),
    user: escapeCardText(user.displayName ?? user.userPrincipalName),
    upn: escapeCardText(user.userPrincipalName),
    objectId: escapeCardText(user.id),
    syncState: describeSync(user.onPremisesSyncEnabled),
    currentId: formatImmutableId(current),
    currentGuid: guidOr(current),
    newId: formatImmutableId(input.newValue),
    newGuid: guidOr(input.newValue),
    hasRequestedBy: requestedBy !== '',
    requestedByLabel: hasRequest ? 'Requested by' : 'Looked up by',
    requestedBy,
    hasReason: reason !== '',
    reason,
    hasApprovals: showApprovals,
    approvals: showApprovals ? formatApprovals(approvals, input.requiredApprovals) : '',
    hasBlockers: blocked,
    blockersHeading: "Why this can't be done",
    blockers: blockers.map((b) => describeBlocker(b, blockers)).join('\n'),
    showApproveNote: show.approve,
    approveNote: "The current value is kept in the bot's records, so the change can be undone. Only an approver can approve.",
    showActions,
    showApprove: show.approve,
    approveTitle: input.approveTitle?.trim() ? sanitizeBotText(input.approveTitle, 40) : 'Approve',
    showReject: show.reject,
    showCancel: show.cancel,
    requestId: showActions ? (input.requestId ?? '') : '',
    showRequestId: hasRequest,
    requestIdText: hasRequest ? escapeCardText(input.requestId, 128) : '',
    readAt: formatUtc(snapshot.readAt),
  });
}
