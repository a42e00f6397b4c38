/** The requester or an approver withdraws a pending request. */
import { nowIso, WorkflowDeps } from './deps';
import { baseConversationId } from './start-clear';
import type { Actor, ChangeRequest } from './types';

export type CancelResult =
  | { kind: 'not-found' }
  | { kind: 'wrong-conversation' }
  | { kind: 'not-allowed'; request: ChangeRequest }
  | { kind: 'already-handled'; request: ChangeRequest }
  | { kind: 'cancelled'; request: ChangeRequest };

export async function cancelRequest(
  deps: WorkflowDeps,
  input: { requestId: string; actor: Actor; conversationId: string },
): Promise<CancelResult> {
  const pending = await deps.requests.get(input.requestId);
  if (!pending) return { kind: 'not-found' };
  if (pending.conversationId !== baseConversationId(input.conversationId)) return { kind: 'wrong-conversation' };
  const isRequester = input.actor.aadObjectId !== '' && input.actor.aadObjectId === pending.requester.aadObjectId;
  if (!isRequester && !(await deps.approvers.canApprove(input.actor))) return { kind: 'not-allowed', request: pending };

  const result = await deps.requests.transition(pending.id, ['awaiting-approval'], (r) => ({
    ...r,
    state: 'cancelled',
    cancelledBy: input.actor,
    outcome: { status: 'cancelled', before: r.shownValue, after: r.shownValue, at: nowIso(deps) },
  }));
  if ('lost' in result) return result.lost ? { kind: 'already-handled', request: result.lost } : { kind: 'not-found' };
  await deps.audit.append({
    event: 'request.cancelled',
    requestId: pending.id,
    actor: input.actor,
    target: { id: pending.targetId, upn: pending.targetUpn },
    before: pending.shownValue,
  });
  return { kind: 'cancelled', request: result.won };
}
