/** Reads a target with everything needed to decide which change fits and whether it may run. */
import { DirectoryError } from '../directory/directory-error';
import type { UserSnapshot } from '../directory/types';
import type { UserKey } from '../directory/user-key';
import { kindModule, type AssessContext, type PlanInput } from './change-kinds';
import type { WorkflowDeps } from './deps';
import { deletedSnapshot } from './find-deleted';
import type { AttributeChange, Blocker, ChangeKind } from './types';

export interface Assessment {
  snapshot: UserSnapshot;
  blockers: Blocker[];
  /** The change that fits this user: a clear, or restore-and-clear (deleted), or move-UPN-and-clear (federated). */
  kind: ChangeKind;
  changes: AttributeChange[];
}

/**
 * Finds the user (throws DirectoryError) and assesses the change that clears its immutable ID:
 * a plain clear; restore-and-clear when it is found only in deleted items; move-UPN-and-clear
 * when its federated domain is the only thing in the way.
 */
export async function lookUp(deps: WorkflowDeps, target: UserKey): Promise<Assessment> {
  let snapshot: UserSnapshot;
  try {
    snapshot = await findTarget(deps, target);
  } catch (error) {
    if (!(error instanceof DirectoryError) || error.code !== 'directory.user_not_found') throw error;
    const deleted = await deletedSnapshot(deps.directory, target);
    if (!deleted) throw error;
    return assessKind(deps, 'restore-and-clear', deleted, {});
  }
  const clear = await assessKind(deps, 'clear-immutable-id', snapshot, {});
  const kinds = new Set(clear.blockers.map((b) => b.kind));
  if (kinds.has('federated') && !kinds.has('synced') && !kinds.has('already-empty')) {
    const initial = (await deps.directory.listDomains()).find((d) => d.isInitial);
    return assessKind(deps, 'move-upn-and-clear', snapshot, initial ? { initialDomain: initial.id } : {});
  }
  return clear;
}

/** The group whose members are protected, when the policy checks one. */
function protectedGroupOf(deps: WorkflowDeps): string | undefined {
  return deps.protection.allowPrivilegedTargets ? undefined : deps.protection.protectedGroupId;
}

/**
 * Reads the target with what its assessment needs, the protected-group check included, in one
 * Graph round trip (before the card, and again before every write).
 */
export function findTarget(deps: WorkflowDeps, target: UserKey): Promise<UserSnapshot> {
  const groupId = protectedGroupOf(deps);
  return deps.directory.findUser(target, groupId ? { memberOfGroups: [groupId] } : {});
}

/** Plans and assesses one kind of change for a user. */
export async function assessKind(deps: WorkflowDeps, kind: ChangeKind, snapshot: UserSnapshot, input: PlanInput): Promise<Assessment> {
  const changes = kindModule(kind).plan(snapshot, input);
  return { snapshot, kind, changes, blockers: await assessChange(deps, kind, snapshot, changes) };
}

/** The blockers of one kind of change for this user: policy (protected accounts), uniqueness, the kind's own rules. */
export async function assessChange(
  deps: WorkflowDeps,
  kind: ChangeKind,
  snapshot: UserSnapshot,
  changes: readonly AttributeChange[],
): Promise<Blocker[]> {
  const module = kindModule(kind);
  return module.assess(snapshot, changes, await assessContext(deps, snapshot, module.checksUniqueness ? changes : []));
}

/** Protected-group membership and, for the immutable id a change writes, who else holds it. */
async function assessContext(deps: WorkflowDeps, snapshot: UserSnapshot, unique: readonly AttributeChange[]): Promise<AssessContext> {
  // Protected-group members and privileged-role holders are refused unless ALLOW_PRIVILEGED_TARGETS=true.
  const groupId = protectedGroupOf(deps);
  // A deleted user's groups cannot be checked (checkMemberGroups needs a live object): treat as protected only if known.
  // Read with the snapshot when it was asked for (findTarget), else asked now.
  const memberOf = !groupId || snapshot.deleted ? [] : (snapshot.memberOfGroups ?? (await deps.directory.checkMemberGroups(snapshot.user.id, [groupId])));
  const inProtectedGroup = groupId !== undefined && memberOf.length > 0;
  const holders = [];
  for (const c of unique) {
    if (c.attribute !== 'onPremisesImmutableId' || !c.after) continue;
    holders.push(...(await deps.directory.findUsersByImmutableId(c.after)).filter((u) => u.id !== snapshot.user.id));
  }
  return {
    protection: { allowPrivilegedTargets: deps.protection.allowPrivilegedTargets, ...(inProtectedGroup && groupId ? { protectedGroup: groupId } : {}) },
    holders,
  };
}
