/** `clear on-prem attributes for <user>`: reads the seven attributes (beta) and records a request when they can be cleared. */
import { ON_PREMISES_ATTRIBUTES, type UserSnapshot } from '../directory/types';
import type { UserKey } from '../directory/user-key';
import { createRequest, type RequestInput } from './create-request';
import type { WorkflowDeps } from './deps';
import { assessKind } from './look-up';
import type { AttributeChange, Blocker, ChangeRequest } from './types';

export type StartClearAttributesResult =
  | { kind: 'not-allowed' }
  | { kind: 'ok'; snapshot: UserSnapshot; blockers: Blocker[]; changes: AttributeChange[]; request?: ChangeRequest };

/** Checks the requester role, reads the user and its on-prem attributes (throws DirectoryError), saves a request if nothing blocks it. */
export async function startClearAttributes(deps: WorkflowDeps, input: RequestInput & { target: UserKey }): Promise<StartClearAttributesResult> {
  if (!(await deps.roles.canRequest(input.requester))) return { kind: 'not-allowed' };
  const snapshot = await deps.directory.findUser(input.target);
  const onPremises = await deps.directory.readUser(snapshot.user.id, ON_PREMISES_ATTRIBUTES);
  const { blockers, changes } = await assessKind(deps, 'clear-on-prem-attributes', snapshot, { onPremises });
  if (blockers.length > 0) return { kind: 'ok', snapshot, blockers, changes };
  const request = await createRequest(deps, 'clear-on-prem-attributes', snapshot, changes, input);
  return { kind: 'ok', snapshot, blockers, changes, request };
}
