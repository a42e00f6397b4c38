/**
 * The sandbox directory's mutable state (users, groups, domains) and the directory rules a
 * PATCH must obey. Reads go through `readView`, which applies replication lag: Entra ID is
 * eventually consistent and a GET right after a write may still show the old value.
 */
import {
  DIRECTORY_ROLES,
  PRIVILEGED_ROLE_TEMPLATE_IDS,
  type DirectoryRoleDefinition,
  type PatchableValues,
  type SeedData,
  type SeedDomain,
  type SeedGroup,
  type SeedUser,
  deletedUserPrincipalName,
} from './seed';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isGuid = (value: string): boolean => GUID.test(value);

export const upnDomain = (upn: string): string => upn.slice(upn.lastIndexOf('@') + 1).toLowerCase();

/** The matching flags of onPremisesDirectorySynchronizationFeature the bot explains. */
export interface SyncFeatures {
  blockSoftMatchEnabled: boolean;
  blockCloudObjectTakeoverThroughHardMatchEnabled: boolean;
  softMatchOnUpnEnabled: boolean;
}

/** A tenant as Microsoft creates it: soft match allowed (also on UPN), hard-match takeover allowed. */
export const DEFAULT_SYNC_FEATURES: SyncFeatures = {
  blockSoftMatchEnabled: false,
  blockCloudObjectTakeoverThroughHardMatchEnabled: false,
  softMatchOnUpnEnabled: true,
};

export class DirectoryState {
  users: SeedUser[] = [];
  /** Soft-deleted users, as deleted items shows them (prefixed UPN, deletedDateTime). */
  deletedUsers: SeedUser[] = [];
  groups: SeedGroup[] = [];
  domains: SeedDomain[] = [];
  privilegedRoleGranted = false;
  /** Global replication lag in ms (0: reads see writes at once, except per-user lag). */
  replicationLagMs = 0;
  /** Server-driven paging: collections answer at most this many items per page (undefined: $top). */
  maxPageSize: number | undefined;
  /**
   * The app may not read directory roles (no RoleManagement.Read.Directory): role objects come
   * back with only an id, and PIM eligibility schedules answer 403.
   */
  rolesIdOnly = false;
  /** Every seeded role assignment is PIM-eligible instead of active (e.g. an eligible-only Global Administrator). */
  rolesEligibleOnly = false;

  /** The tenant's Entra Connect matching flags (GET /directory/onPremisesSynchronization). */
  syncFeatures: SyncFeatures = { ...DEFAULT_SYNC_FEATURES };
  /** The app may not read the tenant sync settings (no OnPremDirectorySynchronization.Read.All): 403. */
  syncSettingsForbidden = false;

  constructor(private readonly seed: SeedData) {
    this.reset();
  }

  reset(): void {
    const copy = structuredClone(this.seed);
    this.users = copy.users;
    this.deletedUsers = copy.deletedUsers;
    this.groups = copy.groups;
    this.domains = copy.domains;
    this.privilegedRoleGranted = copy.app.privilegedRoleGranted;
    this.replicationLagMs = 0;
    this.maxPageSize = undefined;
    this.rolesIdOnly = false;
    this.rolesEligibleOnly = false;
    this.syncFeatures = { ...DEFAULT_SYNC_FEATURES };
    this.syncSettingsForbidden = false;
  }

  get organization(): SeedData['organization'] {
    return this.seed.organization;
  }

  // --- users -------------------------------------------------------------------------------

  /** Current (written) state by object id or UPN, case-insensitive. */
  findUser(key: string): SeedUser | undefined {
    const lower = key.toLowerCase();
    return isGuid(key)
      ? this.users.find((u) => u.id.toLowerCase() === lower)
      : this.users.find((u) => u.userPrincipalName.toLowerCase() === lower);
  }

  /**
   * What a read sees: within the lag window after a write, the value from before it. Lag is the
   * larger of the global switch and the user's own (seeded) lag.
   */
  readView(user: SeedUser, now = Date.now()): SeedUser {
    const lag = Math.max(this.replicationLagMs, user.replicationLagMs ?? 0);
    if (lag <= 0 || user.history.length === 0) return user;
    let view: SeedUser = user;
    // Newest first: each older in-window write overrides with its own "previous", so the view
    // ends at the state before the oldest write still inside the window.
    for (let i = user.history.length - 1; i >= 0; i -= 1) {
      const change = user.history[i];
      if (!change || now - Date.parse(change.at) >= lag) break;
      view = { ...view, ...change.previous };
    }
    return view;
  }

  /** Users as a read sees them (lag applied). */
  readUsers(): SeedUser[] {
    const now = Date.now();
    return this.users.map((u) => this.readView(u, now));
  }

  /** Lookup for reads: against the lagged view, so a just-renamed UPN may 404 for a while. */
  findUserForRead(key: string): SeedUser | undefined {
    const lower = key.toLowerCase();
    const views = this.readUsers();
    return isGuid(key)
      ? views.find((u) => u.id.toLowerCase() === lower)
      : views.find((u) => u.userPrincipalName.toLowerCase() === lower);
  }

  // --- deleted items ------------------------------------------------------------------------

  findDeletedUser(id: string): SeedUser | undefined {
    const lower = id.toLowerCase();
    return this.deletedUsers.find((u) => u.id.toLowerCase() === lower);
  }

  /** Soft-deletes: Graph moves the user to deleted items and prefixes the UPN with its id. */
  deleteUser(user: SeedUser): void {
    this.users = this.users.filter((u) => u !== user);
    user.userPrincipalName = deletedUserPrincipalName(user.id, user.userPrincipalName);
    user.deletedDateTime = new Date().toISOString();
    this.deletedUsers.push(user);
  }

  /** The UPN a restore gives back (the prefix removed). */
  restoredUpn(user: SeedUser): string {
    const prefix = user.id.replace(/-/g, '');
    return user.userPrincipalName.toLowerCase().startsWith(prefix.toLowerCase()) ? user.userPrincipalName.slice(prefix.length) : user.userPrincipalName;
  }

  /**
   * Restores a deleted user. A previously synced user comes back cloud-only (sync no longer
   * enabled) with its anchor and on-prem attributes, until a sync matches it again.
   */
  restoreUser(user: SeedUser): void {
    this.deletedUsers = this.deletedUsers.filter((u) => u !== user);
    user.userPrincipalName = this.restoredUpn(user);
    user.deletedDateTime = null;
    if (user.onPremisesSyncEnabled === true) user.onPremisesSyncEnabled = false;
    this.users.push(user);
  }

  /** A deleted user by object id, deleted-items UPN or the UPN it had before. */
  findDeletedByKey(key: string): SeedUser | undefined {
    const lower = key.toLowerCase();
    return this.deletedUsers.find((u) => u.id.toLowerCase() === lower || u.userPrincipalName.toLowerCase() === lower || this.restoredUpn(u).toLowerCase() === lower);
  }

  /** Entra Connect stops syncing a user: soft-deleted (left sync scope) or converted to cloud-only. */
  stopSync(user: SeedUser, softDelete: boolean): void {
    user.onPremisesSyncEnabled = false;
    if (softDelete) this.deleteUser(user);
  }

  /** Whether any other object, live or soft-deleted, holds this immutable id. */
  immutableIdTaken(value: string, except: SeedUser): boolean {
    return [...this.users, ...this.deletedUsers].some((u) => u !== except && u.onPremisesImmutableId === value);
  }

  findDomain(name: string): SeedDomain | undefined {
    const lower = name.toLowerCase();
    return this.domains.find((d) => d.id.toLowerCase() === lower);
  }

  /** Graph's own guard on changing admins looks at active roles only. */
  isPrivileged(user: SeedUser): boolean {
    if (this.rolesEligibleOnly) return false;
    return user.roleTemplateIds.some((t) => PRIVILEGED_ROLE_TEMPLATE_IDS.includes(t));
  }

  /** Active role assignments (what transitiveMemberOf lists). */
  rolesOf(user: SeedUser): DirectoryRoleDefinition[] {
    if (this.rolesEligibleOnly) return [];
    return DIRECTORY_ROLES.filter((r) => user.roleTemplateIds.includes(r.roleTemplateId));
  }

  /** PIM-eligible role assignments (what roleEligibilitySchedules lists). */
  eligibleRolesOf(user: SeedUser): DirectoryRoleDefinition[] {
    if (!this.rolesEligibleOnly) return [];
    return DIRECTORY_ROLES.filter((r) => user.roleTemplateIds.includes(r.roleTemplateId));
  }

  /** Records a successful write (history doubles as the replication-lag source). */
  applyWrite(user: SeedUser, next: PatchableValues, requestId: string): void {
    const previous: PatchableValues = {};
    for (const key of Object.keys(next) as (keyof PatchableValues)[]) {
      Object.assign(previous, { [key]: user[key] });
    }
    user.history.push({ at: new Date().toISOString(), requestId, previous, next: { ...next } });
    Object.assign(user, next);
  }

  // --- groups ------------------------------------------------------------------------------

  findGroup(id: string): SeedGroup | undefined {
    const lower = id.toLowerCase();
    return this.groups.find((g) => g.id.toLowerCase() === lower);
  }

  /** All users and groups inside `group`, through nested groups (cycle-safe). */
  transitiveMemberIds(group: SeedGroup, seen = new Set<string>()): Set<string> {
    for (const memberId of group.memberIds) {
      if (seen.has(memberId)) continue;
      seen.add(memberId);
      const nested = this.findGroup(memberId);
      if (nested) this.transitiveMemberIds(nested, seen);
    }
    return seen;
  }

  /** Groups the object (user or group) belongs to, directly or through nesting. */
  transitiveGroupsOf(objectId: string): SeedGroup[] {
    return this.groups.filter((g) => this.transitiveMemberIds(g).has(objectId));
  }
}
