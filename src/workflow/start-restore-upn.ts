/** "Restore UPN" on a completed move-UPN-and-clear: a new request that moves the UPN back, through approval. */
import type { UserSnapshot } from '../directory/types';
import { movedFromUpn } from './change-kinds';
import { createRequest, isRequestConversation, type RequestInput } from './create-request';
import type { WorkflowDeps } from './deps';
import { assessKind } from './look-up';
import type { Blocker, ChangeRequest } from './types';

export type StartRestoreUpnResult =
  | { kind: 'not-found' }
  | { kind: 'wrong-conversation' }
  | { kind: 'not-allowed' }
  /** The request is not a completed move of the UPN. */
  | { kind: 'not-applicable'; from: ChangeRequest }
  | { kind: 'ok'; from: ChangeRequest; snapshot: UserSnapshot; blockers: Blocker[]; request?: ChangeRequest };

/** Re-reads the user (throws DirectoryError) and records a restore-upn request when nothing blocks it. */
export async function startRestoreUpn(deps: WorkflowDeps, input: RequestInput & { fromRequestId: string }): Promise<StartRestoreUpnResult> {
  const from = await deps.requests.get(input.fromRequestId);
  if (!from) return { kind: 'not-found' };
  if (!isRequestConversation(from, input.conversationId)) return { kind: 'wrong-conversation' };
  const moved = movedFromUpn(from.changes);
  if (from.kind !== 'move-upn-and-clear' || from.state !== 'completed' || !moved) return { kind: 'not-applicable', from };
  if (!(await deps.roles.canRequest(input.requester))) return { kind: 'not-allowed' };
  const snapshot = await deps.directory.findUser({ kind: 'objectId', value: from.targetId });
  const { blockers, changes } = await assessKind(deps, 'restore-upn', snapshot, { upn: moved.from });
  if (blockers.length > 0) return { kind: 'ok', from, snapshot, blockers };
  const request = await createRequest(deps, 'restore-upn', snapshot, changes, input);
  return { kind: 'ok', from, snapshot, blockers, request };
}
