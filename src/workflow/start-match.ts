/**
 * Hard match: reads the user, looks up who already holds the anchor (Graph keeps immutable ids
 * unique) and, when nothing blocks, records a request to set it, for approvers.
 */
import type { UserSnapshot } from '../directory/types';
import type { UserKey } from '../directory/user-key';
import { kindModule } from './change-kinds';
import { createRequest, type RequestInput } from './create-request';
import type { WorkflowDeps } from './deps';
import { assessChange } from './look-up';
import type { AttributeChange, Blocker, ChangeRequest } from './types';

export interface StartMatchInput extends RequestInput {
  target: UserKey;
  /** The anchor as base64 (onPremisesImmutableId). */
  immutableId: string;
}

export type StartMatchResult =
  | { kind: 'not-allowed' }
  | { kind: 'ok'; snapshot: UserSnapshot; changes: AttributeChange[]; blockers: Blocker[]; request?: ChangeRequest };

/** Checks the requester role, reads the target and the anchor's holder (throws DirectoryError), saves a request if nothing blocks. */
export async function startMatch(deps: WorkflowDeps, input: StartMatchInput): Promise<StartMatchResult> {
  if (!(await deps.roles.canRequest(input.requester))) return { kind: 'not-allowed' };
  const snapshot = await deps.directory.findUser(input.target);
  const changes = kindModule('set-immutable-id').plan(snapshot, { immutableId: input.immutableId });
  const blockers = await assessChange(deps, 'set-immutable-id', snapshot, changes);
  if (blockers.length > 0) return { kind: 'ok', snapshot, changes, blockers };
  const request = await createRequest(deps, 'set-immutable-id', snapshot, changes, input);
  return { kind: 'ok', snapshot, changes, blockers, request };
}
