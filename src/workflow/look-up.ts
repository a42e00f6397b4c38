/** Reads a target with everything needed to decide whether a change may run. */
import type { UserSnapshot } from '../directory/types';
import type { UserKey } from '../directory/user-key';
import { kindModule, type AssessContext } from './change-kinds';
import type { WorkflowDeps } from './deps';
import type { AttributeChange, Blocker, ChangeKind } from './types';

export interface Assessment {
  snapshot: UserSnapshot;
  blockers: Blocker[];
}

/** Finds the user (throws DirectoryError) and assesses a clear, including protected accounts. */
export async function lookUp(deps: WorkflowDeps, target: UserKey): Promise<Assessment> {
  const snapshot = await deps.directory.findUser(target);
  const changes = kindModule('clear-immutable-id').plan(snapshot, {});
  return { snapshot, blockers: await assessChange(deps, 'clear-immutable-id', snapshot, changes) };
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
  const groupId = deps.protection.allowPrivilegedTargets ? undefined : deps.protection.protectedGroupId;
  const inProtectedGroup = groupId ? (await deps.directory.checkMemberGroups(snapshot.user.id, [groupId])).length > 0 : false;
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
