import type { UserSnapshot } from '../directory/types';
import type { ClearBlocker } from '../workflow/types';
import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { escapeCardText, sanitizeBotText } from './escape';
import {
  decodedGuid,
  describeAccount,
  displayNameOf,
  describeRoles,
  describeSync,
  formatApprovals,
  formatImmutableId,
  formatUtc,
  primarySmtp,
  protectedDetails,
  ALLOW_PRIVILEGED_SETTING,
} from './format';
import { describeMatchDiagnostics } from './match-diagnostics';
import template from './user.card.json';
import { isRequestId, Verbs } from './verbs';

/** Which buttons a clear card shows (when it has a requestId and nothing blocks). */
export interface UserCardButtons {
  /** Confirm / "Approve & clear" (verb clear.confirm). Default true. */
  approve?: boolean;
  /** Reject, with a required reason (verb clear.reject). Default true. */
  reject?: boolean;
  /** Cancel (verb clear.cancel). Default true. */
  cancel?: boolean;
  /** Add reason (verb request.reason). Default false. */
  addReason?: boolean;
}

export interface UserCardInput {
  snapshot: UserSnapshot;
  blockers: ClearBlocker[];
  /** Needed for the buttons; without it a clear card shows no buttons. */
  requestId?: string;
  purpose: 'clear' | 'show';
  sandbox: boolean;
  /** Shown at the top in an attention style. Bot-written text: markdown is kept, so user values in it must be escaped by the caller. */
  notice?: string;
  /** Display name of the requester. */
  requestedBy?: string;
  /** The requester's reason or ticket id, as typed (escaped here). */
  reason?: string;
  /** Approvals so far (names as Teams gives them, escaped here). */
  approvals?: Array<{ name: string; at: string }>;
  /** How many distinct approvals the request needs; the approvals line shows when > 1 or when there are approvals. */
  requiredApprovals?: number;
  /** Which buttons to show; each omitted key keeps its default ({ approve, reject, cancel } on, addReason off). */
  buttons?: UserCardButtons;
  /** Title of the approve button; default "Confirm". Bot-written. */
  approveTitle?: string;
  /**
   * Adds a Universal Actions `refresh` (verb request.refresh) for these users when a requestId is
   * given; at most 60 are kept (Teams' limit). [] still adds it, so nobody is refreshed automatically.
   */
  refreshUserIds?: string[];
  /** Shows the request id and how to withdraw the request by message (needs a requestId). */
  showRequestId?: boolean;
  /** The tenant blocks cloud-object takeover through hard match; default: from the snapshot's tenant sync flags. */
  takeoverBlocked?: boolean;
  /** A change other than the plain clear (restore and clear, move UPN and clear, …): what it does and writes. */
  change?: CardChange;
  /** Reasons the template has no block of its own for (bot-written markdown; user values escaped by the caller). */
  otherReasons?: string[];
  /** Offers "Clear when unsynced" for this synced user (its object id; the server re-reads the user on the tap). */
  whenUnsyncedUserId?: string;
}

/** How a change kind presents itself on the request card. All text bot-written; values escaped by the caller. */
export interface CardChange {
  /** Replaces "Clear the immutable ID?". */
  headline: string;
  /** What approving does, in a sentence or two (markdown). */
  explanation: string;
  /** The values it writes, e.g. { title: 'UPN', value: 'carol@fabrikam.com → carol@contoso.onmicrosoft.com' }. */
  facts: Array<{ title: string; value: string }>;
  /** Replaces the note under the buttons. */
  approveNote?: string;
}

/** Teams refreshes a card automatically for at most 60 users. */
export const MAX_REFRESH_USER_IDS = 60;

const DEFAULT_BUTTONS: Required<UserCardButtons> = { approve: true, reject: true, cancel: true, addReason: false };

const DEFAULT_APPROVE_TITLE = 'Confirm';

interface UserCardViewModel {
  sandbox: boolean;
  /** Who the card is about, for its title: the display name, or the UPN. */
  subjectName: string;
  takeoverBlocked: boolean;
  hasNotice: boolean;
  notice: string;
  isClearReady: boolean;
  isClearBlocked: boolean;
  blockedHeadline: string;
  isShow: boolean;
  hasRequestedBy: boolean;
  /** "Requested by" when a request was made; "Looked up by" on a blocked or show card (nothing was requested). */
  requestedByLabel: string;
  requestedBy: string;
  hasReason: boolean;
  reason: string;
  hasApprovals: boolean;
  approvals: string;
  displayName: string;
  upn: string;
  objectId: string;
  primarySmtp: string;
  immutableId: string;
  hasGuid: boolean;
  guid: string;
  syncState: string;
  lastSync: string;
  account: string;
  userType: string;
  domain: string;
  roles: string;
  hasRoles: boolean;
  rolesUnknown: boolean;
  showPrivilegedNote: boolean;
  hasBlockers: boolean;
  blockersStyle: string;
  blockersHeading: string;
  blockedByProtection: boolean;
  blockedBySync: boolean;
  syncedSeparator: boolean;
  syncedLastSync: string;
  blockedByFederation: boolean;
  federatedSeparator: boolean;
  federatedDomain: string;
  alreadyEmpty: boolean;
  alreadyEmptySeparator: boolean;
  showAlreadyEmptyTitle: boolean;
  blockedByPrivilegedRole: boolean;
  privilegedRoles: string;
  allowPrivilegedSetting: string;
  blockedByProtectedGroup: boolean;
  protectedGroups: string;
  showActions: boolean;
  showApproveNote: boolean;
  approveNote: string;
  showApprove: boolean;
  approveTitle: string;
  showReject: boolean;
  showAddReason: boolean;
  showCancel: boolean;
  requestId: string;
  showRequestId: boolean;
  requestIdText: string;
  showHint: boolean;
  readAt: string;
  /** What decides the next sync match (markdown bullets), on every card that shows the user's state. */
  hasDiagnostics: boolean;
  diagnostics: Array<{ text: string }>;
  readyHeadline: string;
  hasChange: boolean;
  changeExplanation: string;
  changeFacts: Array<{ title: string; value: string }>;
  hasOtherReasons: boolean;
  otherReasons: string;
  showWhenUnsynced: boolean;
  whenUnsyncedId: string;
}

type SyncedBlocker = Extract<ClearBlocker, { kind: 'synced' }>;
type FederatedBlocker = Extract<ClearBlocker, { kind: 'federated' }>;

const card = new CardTemplate<UserCardViewModel>('user', template);

/** Non-blank ids, first occurrence only, at most MAX_REFRESH_USER_IDS. */
function refreshUserIds(ids: string[]): string[] {
  const kept = ids.filter((id): id is string => typeof id === 'string' && id.trim() !== '').map((id) => id.trim());
  return [...new Set(kept)].slice(0, MAX_REFRESH_USER_IDS);
}

/**
 * Which reason blocks the card shows, in the template's order. A block gets a separator line
 * only when another block is shown above it (`separator` false is dropped by CardTemplate).
 */
function reasonBlocks(shown: { protection: boolean; synced: boolean; federated: boolean; alreadyEmpty: boolean }): {
  syncedSeparator: boolean;
  federatedSeparator: boolean;
  alreadyEmptySeparator: boolean;
} {
  return {
    syncedSeparator: shown.protection,
    federatedSeparator: shown.protection || shown.synced,
    alreadyEmptySeparator: shown.protection || shown.synced || shown.federated,
  };
}

function approveNote(requiredApprovals: number | undefined): string {
  const kept = "The current value is kept in the bot's records.";
  if (requiredApprovals !== undefined && requiredApprovals > 1) {
    return `Once ${requiredApprovals} different approvers approve, the immutable ID is set to empty so Entra Connect can match this user again. ${kept} Only approvers can approve.`;
  }
  return `Confirming sets the immutable ID to empty so Entra Connect can match this user again. ${kept} Only an approver can confirm.`;
}

/**
 * Renders a user's current state. For `clear`, adds the buttons chosen by `buttons` (only when
 * nothing blocks and a requestId is given) or the reasons it is blocked.
 */
export function renderUserCard(input: UserCardInput): AdaptiveCardJson {
  const { snapshot, blockers, purpose } = input;
  const { user, domain, roles } = snapshot;
  const synced = blockers.find((b): b is SyncedBlocker => b.kind === 'synced');
  const federated = blockers.find((b): b is FederatedBlocker => b.kind === 'federated');
  const privilegedRoles = protectedDetails(blockers, 'privileged-role', 'an admin role');
  const protectedGroups = protectedDetails(blockers, 'protected-group', '(name not recorded)');
  const blocked = blockers.length > 0;
  const alreadyEmpty = blockers.some((b) => b.kind === 'already-empty');
  // "Nothing to clear" is not a failure: when it is the only reason, the card says so plainly.
  const onlyAlreadyEmpty = alreadyEmpty && blockers.every((b) => b.kind === 'already-empty');
  const nothingToClear = purpose === 'clear' && onlyAlreadyEmpty;
  // On `show` an empty immutable ID is good news: Entra Connect can match the user.
  const readyToMatch = purpose === 'show' && onlyAlreadyEmpty;
  const subjectName = escapeCardText(displayNameOf(user.displayName, user.userPrincipalName));
  const shown = {
    protection: privilegedRoles !== '' || protectedGroups !== '',
    synced: synced !== undefined,
    federated: federated !== undefined,
    alreadyEmpty,
  };
  const hasRoles = roles !== null && roles.length > 0;
  const guid = decodedGuid(user.onPremisesImmutableId);
  const notice = input.notice?.trim() ? sanitizeBotText(input.notice) : '';
  const requestedBy = input.requestedBy?.trim() ? escapeCardText(input.requestedBy, 100) : '';
  const reason = input.reason?.trim() ? escapeCardText(input.reason, 500) : '';
  const approvals = input.approvals ?? [];
  const showApprovals = approvals.length > 0 || (input.requiredApprovals ?? 0) > 1;
  // Buttons carrying an id that parseActionData would reject could never work: fail loudly.
  if (input.requestId !== undefined && !isRequestId(input.requestId)) {
    throw new Error('renderUserCard: requestId is not a valid request id');
  }
  const hasRequest = input.requestId !== undefined;
  const buttonsAllowed = purpose === 'clear' && !blocked && hasRequest;
  const show = {
    approve: buttonsAllowed && (input.buttons?.approve ?? DEFAULT_BUTTONS.approve),
    reject: buttonsAllowed && (input.buttons?.reject ?? DEFAULT_BUTTONS.reject),
    cancel: buttonsAllowed && (input.buttons?.cancel ?? DEFAULT_BUTTONS.cancel),
    addReason: buttonsAllowed && (input.buttons?.addReason ?? DEFAULT_BUTTONS.addReason),
  };
  const showActions = show.approve || show.reject || show.cancel || show.addReason;
  const approveTitle = input.approveTitle?.trim() ? sanitizeBotText(input.approveTitle, 40) : DEFAULT_APPROVE_TITLE;
  const showRequestId = hasRequest && input.showRequestId === true;
  const change = input.change;
  const otherReasons = (input.otherReasons ?? []).map((r) => sanitizeBotText(r)).filter((r) => r !== '');
  if (input.whenUnsyncedUserId !== undefined && !isRequestId(input.whenUnsyncedUserId)) {
    throw new Error('renderUserCard: whenUnsyncedUserId is not an id a card action may carry');
  }

  const expanded = card.expand({
    sandbox: input.sandbox,
    subjectName,
    takeoverBlocked:
      input.takeoverBlocked ?? (snapshot.tenantSync?.kind === 'read' && snapshot.tenantSync.flags.blockCloudObjectTakeoverThroughHardMatchEnabled),
    hasNotice: notice !== '',
    notice,
    isClearReady: purpose === 'clear' && !blocked,
    isClearBlocked: purpose === 'clear' && blocked,
    blockedHeadline: nothingToClear
      ? `Nothing to clear: the immutable ID of ${subjectName} is already empty`
      : `The immutable ID of ${subjectName} can't be cleared right now`,
    isShow: purpose === 'show',
    hasRequestedBy: requestedBy !== '',
    requestedByLabel: purpose === 'clear' && !blocked ? 'Requested by' : 'Looked up by',
    requestedBy,
    hasReason: reason !== '',
    reason,
    hasApprovals: showApprovals,
    approvals: showApprovals ? formatApprovals(approvals, input.requiredApprovals) : '',
    displayName: escapeCardText(user.displayName),
    upn: escapeCardText(user.userPrincipalName),
    objectId: escapeCardText(user.id),
    primarySmtp: escapeCardText(primarySmtp(user)),
    immutableId: formatImmutableId(user.onPremisesImmutableId),
    hasGuid: guid !== '',
    guid,
    syncState: describeSync(user.onPremisesSyncEnabled),
    lastSync: formatUtc(user.onPremisesLastSyncDateTime, 'Never'),
    account: describeAccount(user.accountEnabled),
    userType: escapeCardText(user.userType, 40),
    domain: `${escapeCardText(domain.id)} (${escapeCardText(domain.authenticationType, 20)})`,
    roles: describeRoles(roles),
    hasRoles,
    rolesUnknown: roles === null,
    // Graph refuses (403) to change an admin unless the app itself holds this role.
    showPrivilegedNote: purpose === 'clear' && !blocked && hasRoles,
    hasBlockers: blocked,
    blockersStyle: readyToMatch ? 'good' : nothingToClear ? 'emphasis' : 'attention',
    blockersHeading: readyToMatch ? '✅ No immutable ID: ready to match' : nothingToClear ? 'What to do instead' : "Why this can't be cleared",
    blockedByProtection: shown.protection,
    blockedBySync: shown.synced,
    syncedLastSync: formatUtc(synced?.lastSyncDateTime, 'unknown'),
    blockedByFederation: shown.federated,
    federatedDomain: escapeCardText(federated?.domain ?? domain.id),
    alreadyEmpty,
    // The headline already says "Nothing to clear" when that is the only reason.
    showAlreadyEmptyTitle: !nothingToClear && !readyToMatch,
    ...reasonBlocks(shown),
    blockedByPrivilegedRole: privilegedRoles !== '',
    privilegedRoles,
    allowPrivilegedSetting: ALLOW_PRIVILEGED_SETTING,
    blockedByProtectedGroup: protectedGroups !== '',
    protectedGroups,
    showActions,
    showApproveNote: show.approve,
    approveNote: change?.approveNote ? sanitizeBotText(change.approveNote) : approveNote(input.requiredApprovals),
    showApprove: show.approve,
    approveTitle,
    showReject: show.reject,
    showAddReason: show.addReason,
    showCancel: show.cancel,
    requestId: showActions ? (input.requestId ?? '') : '',
    showRequestId,
    requestIdText: showRequestId ? escapeCardText(input.requestId, 128) : '',
    showHint: purpose === 'show' && !blocked,
    readAt: formatUtc(snapshot.readAt),
    hasDiagnostics: true,
    diagnostics: describeMatchDiagnostics(snapshot).map((text) => ({ text })),
    readyHeadline: change ? sanitizeBotText(change.headline, 120) : `Clear the immutable ID of ${subjectName}?`,
    hasChange: change !== undefined,
    changeExplanation: change ? sanitizeBotText(change.explanation, 1000) : '',
    changeFacts: (change?.facts ?? []).map((f) => ({ title: sanitizeBotText(f.title, 60), value: sanitizeBotText(f.value, 300) })),
    hasOtherReasons: otherReasons.length > 0,
    otherReasons: otherReasons.join('\n\n'),
    showWhenUnsynced: input.whenUnsyncedUserId !== undefined,
    whenUnsyncedId: input.whenUnsyncedUserId ?? '',
  });

  if (input.requestId === undefined || input.refreshUserIds === undefined) return expanded;
  return {
    ...expanded,
    refresh: {
      action: { type: 'Action.Execute', verb: Verbs.refreshRequest, data: { requestId: input.requestId } },
      userIds: refreshUserIds(input.refreshUserIds),
    },
  };
}
