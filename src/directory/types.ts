/** Plain data about directory objects, as the rest of the bot sees them (no Graph SDK types). */

/** A user as read from Microsoft Graph, with only the fields this product uses. */
export interface DirectoryUser {
  id: string;
  displayName: string | null;
  userPrincipalName: string;
  mail: string | null;
  /** Base64 anchor written by Entra Connect; null when cleared or never set. */
  onPremisesImmutableId: string | null;
  /** true: synced now; false: was synced, no longer; null: never synced. */
  onPremisesSyncEnabled: boolean | null;
  onPremisesLastSyncDateTime: string | null;
  onPremisesUserPrincipalName: string | null;
  accountEnabled: boolean | null;
  /** "Member" or "Guest". */
  userType: string | null;
  /** e.g. ["SMTP:alice@contoso.com", "smtp:a.smith@contoso.com"]; upper-case SMTP is the primary. */
  proxyAddresses: string[];
  /** Sync errors Entra Connect reported for this user (PropertyConflict on UPN or proxy address). */
  onPremisesProvisioningErrors?: ProvisioningError[];
}

/** The tenant's Entra Connect matching flags (GET /directory/onPremisesSynchronization, features). */
export interface TenantSyncFlags {
  blockSoftMatchEnabled: boolean;
  blockCloudObjectTakeoverThroughHardMatchEnabled: boolean;
  softMatchOnUpnEnabled: boolean;
}

/** What the bot knows of the tenant's sync settings: read, or not readable with the app's permissions. */
export type TenantSync =
  | { kind: 'read'; flags: TenantSyncFlags }
  /** 403: the app lacks OnPremDirectorySynchronization.Read.All. */
  | { kind: 'forbidden' }
  /** Graph failed otherwise (throttled, unavailable): nothing said about the tenant. */
  | { kind: 'unknown' };

export type DomainAuthenticationType = 'Managed' | 'Federated' | 'Unknown';

/** The domain of a user's UPN and how it authenticates. */
export interface DomainInfo {
  id: string;
  authenticationType: DomainAuthenticationType;
  /** The tenant's initial *.onmicrosoft.com domain (listed by GET /domains). */
  isInitial?: boolean;
}

/** A directory role the user holds, active or PIM-eligible. */
export interface DirectoryRoleInfo {
  displayName: string;
  /** null when Graph returned the role without details (the app may not read roles): unidentified. */
  roleTemplateId: string | null;
  /** A PIM-eligible assignment the user can activate at any time (roleEligibilitySchedules). */
  eligible?: boolean;
}

/** Everything the bot knows about a target user at one moment. */
export interface UserSnapshot {
  user: DirectoryUser;
  domain: DomainInfo;
  /** null when the roles could not be read (the card says "unknown"). */
  roles: DirectoryRoleInfo[] | null;
  /**
   * Why roles are null or some are unidentified: the app lacks RoleManagement.Read.Directory, or
   * Graph failed; undefined when every role is known.
   */
  rolesProblem?: 'missing-permission' | 'read-failed';
  /** ISO time the snapshot was read. */
  readAt: string;
  /** The tenant's matching flags (cached; absent when not read with this snapshot). */
  tenantSync?: TenantSync;
  /** Set when the user was found only in deleted items (its UPN is then the one it had before). */
  deleted?: { deletedDateTime: string | null };
  /** Of the groups asked about with the read (FindUserOptions.memberOfGroups), those the user is in, transitively. */
  memberOfGroups?: string[];
}

export interface FindUserOptions {
  /** Groups to check the user's transitive membership of in the same round trip (e.g. the protected group). */
  memberOfGroups?: readonly string[];
}

/** The on-premises attributes Microsoft documents as clearable on cloud-only users (most need the beta endpoint to write). */
export const ON_PREMISES_ATTRIBUTES = [
  'onPremisesDistinguishedName',
  'onPremisesDomainName',
  'onPremisesImmutableId',
  'onPremisesObjectIdentifier',
  'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier',
  'onPremisesUserPrincipalName',
] as const;

export type OnPremisesAttribute = (typeof ON_PREMISES_ATTRIBUTES)[number];

/** A user attribute an approved change may write: any on-prem attribute, or the UPN. */
export type UserAttribute = OnPremisesAttribute | 'userPrincipalName';

/** Values to write (null clears); also what `readUser` returns for the attributes asked for. */
export type UserPatch = Partial<Record<UserAttribute, string | null>>;

/** A soft-deleted user in `/directory/deletedItems` (kept 30 days). */
export interface DeletedUser {
  id: string;
  displayName: string | null;
  /** Graph prefixes a deleted user's UPN with its object id without dashes. */
  userPrincipalName: string;
  mail: string | null;
  deletedDateTime: string | null;
  onPremisesImmutableId: string | null;
  onPremisesSyncEnabled: boolean | null;
}

/** One entry of `onPremisesProvisioningErrors`, e.g. a PropertyConflict on ProxyAddress. */
export interface ProvisioningError {
  category: string;
  occurredDateTime: string | null;
  /** "UserPrincipalName" or "ProxyAddress". */
  propertyCausingError: string;
  /** The value in conflict. */
  value: string;
}

/** A user with sync (provisioning) errors. */
export interface SyncErrorUser {
  id: string;
  userPrincipalName: string;
  displayName: string | null;
  errors: ProvisioningError[];
}

/** One page of users with sync errors; `nextPage` is opaque (Graph's nextLink). */
export interface SyncErrorPage {
  users: SyncErrorUser[];
  nextPage?: string;
}

/** A group, as found by name, mail or id (for `members of <group>`). */
export interface GroupInfo {
  id: string;
  displayName: string;
  mail: string | null;
}

/** One page of a group's transitive user members; `nextPage` is opaque (Graph's nextLink). */
export interface GroupMembersPage {
  users: { id: string; userPrincipalName: string }[];
  nextPage?: string;
}
