import type { UserSnapshot } from '../directory/types';
import type { ClearBlocker } from '../workflow/types';
import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { escapeCardText, sanitizeBotText } from './escape';
import {
  ALLOW_PRIVILEGED_SETTING,
  describeSync,
  formatImmutableId,
  formatUtc,
  protectedDetails,
} from './format';
import template from './sync-error.card.json';
import { isRequestId } from './verbs';

export interface SyncErrorCardInput {
  /** The UPN the monitoring script reported (untrusted: escaped here). */
  upn: string;
  /** The sync error name, e.g. "InvalidSoftMatch" (escaped here). */
  error: string;
  /** The error detail as reported (escaped here, cut to about 1000 characters). */
  detail: string;
  /** The user as read from Entra ID; omit when the lookup failed. */
  snapshot?: UserSnapshot;
  /**
   * Why the user could not be looked up, shown when there is no snapshot. Bot-written text (e.g.
   * from explainDirectoryError): markdown is kept, so values in it must be escaped by the caller.
   */
  lookupError?: string;
  /** Id of the stored notification; carried by "Request clear". Same format as request ids. */
  notificationId: string;
  /** What stops a clear (from assessClear on the snapshot); "Request clear" only shows when empty. */
  blockers: ClearBlocker[];
  sandbox: boolean;
  /** Found by the sync-error watch: which property conflicts with which value, and who holds it (escaped here). */
  conflict?: { property: string; value: string; holder?: { displayName: string | null; userPrincipalName: string } };
  /** ISO time a watch pass found the error gone: the card says "resolved" and offers no button. */
  resolvedAt?: string;
  /**
   * The on-prem object's anchor (as a GUID) when it is known: a button sends `match <holder> to
   * <anchor>`, which opens the normal hard-match request for the holder.
   */
  matchAnchorGuid?: string;
}

interface SyncErrorCardViewModel {
  sandbox: boolean;
  error: string;
  upn: string;
  hasDetail: boolean;
  detail: string;
  isInvalidSoftMatch: boolean;
  hasSnapshot: boolean;
  displayName: string;
  snapshotUpn: string;
  objectId: string;
  immutableId: string;
  syncState: string;
  domain: string;
  hasLookupError: boolean;
  lookupError: string;
  hasBlockers: boolean;
  blockedBySync: boolean;
  syncedLastSync: string;
  blockedByFederation: boolean;
  federatedDomain: string;
  alreadyEmpty: boolean;
  blockedByPrivilegedRole: boolean;
  privilegedRoles: string;
  allowPrivilegedSetting: string;
  blockedByProtectedGroup: boolean;
  protectedGroups: string;
  showButton: boolean;
  notificationId: string;
  hasReadAt: boolean;
  readAt: string;
  isResolved: boolean;
  resolvedAt: string;
  hasConflict: boolean;
  showConflictHelp: boolean;
  conflictProperty: string;
  conflictValue: string;
  conflictHolder: string;
  showMatch: boolean;
  matchTitle: string;
  matchHint: string;
  matchCommand: string;
}

type SyncedBlocker = Extract<ClearBlocker, { kind: 'synced' }>;
type FederatedBlocker = Extract<ClearBlocker, { kind: 'federated' }>;

/** Longest error detail shown, in code points. */
const MAX_DETAIL_LENGTH = 1000;

const card = new CardTemplate<SyncErrorCardViewModel>('sync-error', template);

/**
 * Renders an Entra Connect sync error for the approvers' channel: the reported error and detail,
 * the user's current state (or why it could not be read), what blocks a clear, and — when the
 * user was read and nothing blocks — a "Request clear" button (verb notify.request).
 */
export function renderSyncErrorCard(input: SyncErrorCardInput): AdaptiveCardJson {
  if (!isRequestId(input.notificationId)) {
    throw new Error('renderSyncErrorCard: notificationId is not a valid request id');
  }
  const { snapshot, blockers } = input;
  const user = snapshot?.user;
  const synced = blockers.find((b): b is SyncedBlocker => b.kind === 'synced');
  const federated = blockers.find((b): b is FederatedBlocker => b.kind === 'federated');
  const privilegedRoles = protectedDetails(blockers, 'privileged-role', 'an admin role');
  const protectedGroups = protectedDetails(blockers, 'protected-group', '(name not recorded)');
  const detail = input.detail?.trim() ? escapeCardText(input.detail, MAX_DETAIL_LENGTH) : '';
  const lookupError = snapshot === undefined && input.lookupError?.trim() ? sanitizeBotText(input.lookupError, 600) : '';
  const resolved = input.resolvedAt !== undefined;
  const showButton = !resolved && snapshot !== undefined && blockers.length === 0;
  const holder = input.conflict?.holder;

  return card.expand({
    sandbox: input.sandbox,
    error: escapeCardText(input.error, 80),
    upn: escapeCardText(input.upn),
    hasDetail: detail !== '',
    detail,
    isInvalidSoftMatch: /InvalidSoftMatch/i.test(input.error ?? ''),
    hasSnapshot: user !== undefined,
    displayName: escapeCardText(user?.displayName),
    snapshotUpn: escapeCardText(user?.userPrincipalName),
    objectId: escapeCardText(user?.id),
    immutableId: user ? formatImmutableId(user.onPremisesImmutableId) : '',
    syncState: user ? describeSync(user.onPremisesSyncEnabled) : '',
    domain: snapshot ? `${escapeCardText(snapshot.domain.id)} (${escapeCardText(snapshot.domain.authenticationType, 20)})` : '',
    hasLookupError: lookupError !== '',
    lookupError,
    hasBlockers: blockers.length > 0,
    blockedBySync: synced !== undefined,
    syncedLastSync: formatUtc(synced?.lastSyncDateTime, 'unknown'),
    blockedByFederation: federated !== undefined,
    federatedDomain: escapeCardText(federated?.domain ?? snapshot?.domain.id),
    alreadyEmpty: blockers.some((b) => b.kind === 'already-empty'),
    blockedByPrivilegedRole: privilegedRoles !== '',
    privilegedRoles,
    allowPrivilegedSetting: ALLOW_PRIVILEGED_SETTING,
    blockedByProtectedGroup: protectedGroups !== '',
    protectedGroups,
    showButton,
    notificationId: showButton ? input.notificationId : '',
    hasReadAt: snapshot !== undefined,
    readAt: formatUtc(snapshot?.readAt),
    isResolved: resolved,
    resolvedAt: formatUtc(input.resolvedAt),
    hasConflict: input.conflict !== undefined,
    showConflictHelp: !resolved && holder !== undefined,
    conflictProperty: escapeCardText(input.conflict?.property, 80),
    conflictValue: escapeCardText(input.conflict?.value),
    showMatch: !resolved && holder !== undefined && input.matchAnchorGuid !== undefined,
    matchTitle: holder ? `Match ${escapeCardText(holder.displayName ?? holder.userPrincipalName, 60)} to this anchor` : '',
    matchHint: holder && input.matchAnchorGuid ? `set the immutable ID of ${escapeCardText(holder.userPrincipalName)} to the on-premises object's anchor ${escapeCardText(input.matchAnchorGuid, 40)} (delete the duplicate ${escapeCardText(input.upn)} first).` : '',
    // A chat command, not card text: the bot parses and re-checks it like anything typed.
    matchCommand: holder && input.matchAnchorGuid && /^[0-9a-f-]{36}$/i.test(input.matchAnchorGuid) ? `match ${holder.userPrincipalName} to ${input.matchAnchorGuid}` : '',
    conflictHolder: holder
      ? `${escapeCardText(holder.displayName ?? holder.userPrincipalName)} (${escapeCardText(holder.userPrincipalName)})`
      : 'no user found with this UPN or address (it may be a group, a contact or a deleted user)',
  });
}
