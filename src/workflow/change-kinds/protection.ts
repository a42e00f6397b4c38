/** Blockers every kind shares: protected accounts and synced users. Pure. */
import type { UserSnapshot } from '../../directory/types';
import type { Blocker } from '../types';

/** Graph names roles (and lists PIM eligibility) only for an app holding this permission. */
export const ROLE_READ_PERMISSION = 'RoleManagement.Read.Directory';

/**
 * Roles whose holders only Privileged Authentication Administrators may change, plus other
 * roles Microsoft marks privileged. Any role whose name ends in "Administrator" counts too.
 */
const PRIVILEGED_ROLE_TEMPLATE_IDS = new Set([
  '62e90394-69f5-4237-9190-012177145e10', // Global Administrator
  '7be44c8a-adaf-4e2a-84d6-ab2649e08a13', // Privileged Authentication Administrator
  'e8611ab8-c189-46e8-94e1-60213ab1f814', // Privileged Role Administrator
  'c4e39bd9-1100-46d3-8c65-fb160da0071f', // Authentication Administrator
  'fe930be7-5e62-47db-91af-98c3a49a38b1', // User Administrator
  '729827e3-9c14-49f7-bb1b-9608f156bbb8', // Helpdesk Administrator
  '8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2', // Hybrid Identity Administrator
  '194ae4cb-b126-40b2-bd5b-6091b380977d', // Security Administrator
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3', // Application Administrator
  '158c047a-c907-4556-b7ef-446551a6b5f7', // Cloud Application Administrator
  'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9', // Conditional Access Administrator
  'f28a1f50-f6e7-4571-818b-6a12f2af6b6c', // SharePoint Administrator
  '29232cdf-9323-42fd-ade2-1d097af3e4de', // Exchange Administrator
  '3a2c62db-5318-420d-8d74-23affee5d9d5', // Intune Administrator
  '966707d0-3269-4727-9be2-8c3a10f19b9d', // Password Administrator
]);

export interface Protection {
  /** ALLOW_PRIVILEGED_TARGETS: admins may be changed. */
  allowPrivilegedTargets: boolean;
  /** The target is a (transitive) member of PROTECTED_GROUP_ID; the string names the group. */
  protectedGroup?: string;
}

/** Policy blockers: a protected group member, or a privileged-role holder (unless allowed). */
export function protectionBlockers(snapshot: UserSnapshot, protection: Protection): Blocker[] {
  const blockers: Blocker[] = [];
  if (protection.protectedGroup) {
    blockers.push({ kind: 'protected', reason: 'protected-group', detail: protection.protectedGroup });
  }
  if (!protection.allowPrivilegedTargets) {
    const privileged = privilegedRoles(snapshot);
    if (privileged === null) {
      const detail =
        snapshot.rolesProblem === 'missing-permission'
          ? `roles the bot may not read: grant the app ${ROLE_READ_PERMISSION}`
          : 'roles that could not be read (checked to be safe)';
      blockers.push({ kind: 'protected', reason: 'privileged-role', detail });
    } else if (privileged.length > 0) {
      blockers.push({ kind: 'protected', reason: 'privileged-role', detail: privileged.join(', ') });
    }
  }
  return blockers;
}

/** Graph refuses to change on-prem attributes of a user that is still synced. */
export function syncedBlockers(snapshot: UserSnapshot): Blocker[] {
  return snapshot.user.onPremisesSyncEnabled === true ? [{ kind: 'synced', lastSyncDateTime: snapshot.user.onPremisesLastSyncDateTime }] : [];
}

/**
 * Names of the user's privileged roles, active or PIM-eligible; null when the roles could not be
 * read. Fails closed: a role Graph returned without details (no template id) counts as privileged.
 */
export function privilegedRoles(snapshot: UserSnapshot): string[] | null {
  if (snapshot.roles === null) return null;
  const unidentified = snapshot.roles.filter((r) => r.roleTemplateId === null).length;
  const named = snapshot.roles
    .filter((r) => (r.roleTemplateId && PRIVILEGED_ROLE_TEMPLATE_IDS.has(r.roleTemplateId)) || /administrator$/i.test(r.displayName))
    .filter((r) => r.roleTemplateId !== null)
    .map((r) => (r.eligible ? `${r.displayName} (eligible through PIM)` : r.displayName));
  if (unidentified > 0) {
    named.push(`${unidentified === 1 ? 'a role' : `${unidentified} roles`} the bot cannot identify: grant the app ${ROLE_READ_PERMISSION}`);
  }
  return named;
}
