/** Reads a target with everything needed to decide whether a clear may run. */
import type { Target } from '../conversation/target';
import type { UserSnapshot } from '../directory/types';
import { assessClear } from './assess-clear';
import type { WorkflowDeps } from './deps';
import type { ClearBlocker } from './types';

export interface Assessment {
  snapshot: UserSnapshot;
  blockers: ClearBlocker[];
}

/** Finds the user (throws DirectoryError) and assesses the clear, including protected accounts. */
export async function lookUp(deps: WorkflowDeps, target: Target): Promise<Assessment> {
  const snapshot = await deps.directory.findUser(target);
  // Protected-group members and privileged-role holders are refused unless ALLOW_PRIVILEGED_TARGETS=true.
  const groupId = deps.protection.allowPrivilegedTargets ? undefined : deps.protection.protectedGroupId;
  const inProtectedGroup = groupId ? (await deps.directory.checkMemberGroups(snapshot.user.id, [groupId])).length > 0 : false;
  const blockers = assessClear(snapshot, {
    allowPrivilegedTargets: deps.protection.allowPrivilegedTargets,
    ...(inProtectedGroup && groupId ? { protectedGroup: groupId } : {}),
  });
  return { snapshot, blockers };
}
