import type { UserSnapshot } from '../directory/types';
import type { ClearBlocker } from '../workflow/types';
import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { escapeCardText, sanitizeBotText } from './escape';
import {
  decodedGuid,
  describeAccount,
  describeRoles,
  describeSync,
  displayNameOf,
  formatImmutableId,
  formatUtc,
  primarySmtp,
} from './format';
import template from './user.card.json';
import { isRequestId } from './verbs';

export interface UserCardInput {
  snapshot: UserSnapshot;
  blockers: ClearBlocker[];
  /** Needed for the Confirm/Cancel buttons; without it a clear card shows no buttons. */
  requestId?: string;
  purpose: 'clear' | 'show';
  sandbox: boolean;
  /** Shown at the top in an attention style. Bot-written text: markdown is kept, so user values in it must be escaped by the caller. */
  notice?: string;
  /** Display name of the requester. */
  requestedBy?: string;
}

interface UserCardViewModel {
  sandbox: boolean;
  hasNotice: boolean;
  notice: string;
  isClearReady: boolean;
  isClearBlocked: boolean;
  isShow: boolean;
  hasRequestedBy: boolean;
  requestedBy: string;
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
  hasBlockers: boolean;
  blockedBySync: boolean;
  syncedLastSync: string;
  blockedByFederation: boolean;
  federatedDomain: string;
  alreadyEmpty: boolean;
  showActions: boolean;
  requestId: string;
  showHint: boolean;
  readAt: string;
}

type SyncedBlocker = Extract<ClearBlocker, { kind: 'synced' }>;
type FederatedBlocker = Extract<ClearBlocker, { kind: 'federated' }>;

const card = new CardTemplate<UserCardViewModel>('user', template);

/** Renders a user's current state; for `clear` adds Confirm/Cancel (only when unblocked and a requestId is given) or the reasons it is blocked. */
export function renderUserCard(input: UserCardInput): AdaptiveCardJson {
  const { snapshot, blockers, purpose } = input;
  const { user, domain, roles } = snapshot;
  const synced = blockers.find((b): b is SyncedBlocker => b.kind === 'synced');
  const federated = blockers.find((b): b is FederatedBlocker => b.kind === 'federated');
  const blocked = blockers.length > 0;
  const guid = decodedGuid(user.onPremisesImmutableId);
  const notice = input.notice?.trim() ? sanitizeBotText(input.notice) : '';
  const requestedBy = input.requestedBy?.trim() ? escapeCardText(input.requestedBy, 100) : '';
  const showActions = purpose === 'clear' && !blocked && input.requestId !== undefined;
  // Buttons carrying an id that parseActionData would reject could never work: fail loudly.
  if (input.requestId !== undefined && !isRequestId(input.requestId)) {
    throw new Error('renderUserCard: requestId is not a valid request id');
  }

  return card.expand({
    sandbox: input.sandbox,
    hasNotice: notice !== '',
    notice,
    isClearReady: purpose === 'clear' && !blocked,
    isClearBlocked: purpose === 'clear' && blocked,
    isShow: purpose === 'show',
    hasRequestedBy: requestedBy !== '',
    requestedBy,
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
    hasRoles: roles !== null && roles.length > 0,
    rolesUnknown: roles === null,
    hasBlockers: blocked,
    blockedBySync: synced !== undefined,
    syncedLastSync: formatUtc(synced?.lastSyncDateTime, 'unknown'),
    blockedByFederation: federated !== undefined,
    federatedDomain: escapeCardText(federated?.domain ?? domain.id),
    alreadyEmpty: blockers.some((b) => b.kind === 'already-empty'),
    showActions,
    requestId: showActions ? (input.requestId ?? '') : '',
    showHint: purpose === 'show' && !blocked,
    readAt: formatUtc(snapshot.readAt),
  });
}
