/** Looks a user up and, when the change that clears its immutable ID can succeed, records a pending request. */
import type { UserSnapshot } from '../directory/types';
import type { UserKey } from '../directory/user-key';
import { kindModule } from './change-kinds';
import { createRequest, type RequestInput } from './create-request';
import type { WorkflowDeps } from './deps';
import { lookUp } from './look-up';
import type { Blocker, ChangeKind, ChangeRequest } from './types';

export interface StartClearInput extends RequestInput {
  target: UserKey;
}

export type StartClearResult =
  | { kind: 'not-allowed' }
  /** `request` is present when the change can go ahead and awaits approval; `change` is the kind that fits. */
  | { kind: 'ok'; snapshot: UserSnapshot; blockers: Blocker[]; change: ChangeKind; request?: ChangeRequest };

/** Checks the requester role, reads the target (throws DirectoryError) and saves a request if nothing blocks it. */
export async function startClear(deps: WorkflowDeps, input: StartClearInput): Promise<StartClearResult> {
  if (!(await deps.roles.canRequest(input.requester))) return { kind: 'not-allowed' };
  const { snapshot, blockers, kind, changes } = await lookUp(deps, input.target);
  if (blockers.length > 0) return { kind: 'ok', snapshot, blockers, change: kind };
  const request = await createRequest(deps, kind, snapshot, changes, input);
  return { kind: 'ok', snapshot, blockers, change: kind, request };
}

/** Saves a new clear request for this snapshot and audits it. */
export function createClearRequest(deps: WorkflowDeps, snapshot: UserSnapshot, input: RequestInput): Promise<ChangeRequest> {
  return createRequest(deps, 'clear-immutable-id', snapshot, kindModule('clear-immutable-id').plan(snapshot, {}), input);
}
