/** Decisions other than approval: reject (approvers, with a reason), cancel (requester or approver), add a reason. */
import { primaryChange } from './changes';
import { auditRequest, nowIso, WorkflowDeps } from './deps';
import { isRequestConversation } from './create-request';
import { expireIfDue } from './sweep-requests';
import type { Actor, ChangeRequest } from './types';

export type DecisionResult =
  | { kind: 'not-found' }
  | { kind: 'wrong-conversation' }
  | { kind: 'not-allowed'; request: ChangeRequest; role: 'approver' | 'requester or approver' | 'requester' }
  | { kind: 'reason-required'; request: ChangeRequest }
  | { kind: 'already-handled'; request: ChangeRequest }
  | { kind: 'done'; request: ChangeRequest };

interface DecisionInput {
  requestId: string;
  actor: Actor;
  /** Undefined for chat commands (`cancel <id>`), which may come from any conversation. */
  conversationId?: string;
}

/** An approver rejects a pending request; the reason is required, shown to the requester and audited. */
export async function rejectRequest(deps: WorkflowDeps, input: DecisionInput & { reason?: string }): Promise<DecisionResult> {
  const pending = await load(deps, input);
  if ('kind' in pending) return pending;
  if (!(await deps.roles.canApprove(input.actor))) return { kind: 'not-allowed', request: pending.request, role: 'approver' };
  const reason = input.reason?.trim();
  if (!reason) return { kind: 'reason-required', request: pending.request };
  const result = await deps.requests.transition(pending.request.id, ['awaiting-approval'], (r) => ({
    ...r,
    state: 'rejected',
    rejectedBy: input.actor,
    rejectionReason: reason,
    outcome: { status: 'rejected', before: primaryChange(r).before, after: primaryChange(r).before, at: nowIso(deps), message: reason },
  }));
  if ('lost' in result) return result.lost ? { kind: 'already-handled', request: result.lost } : { kind: 'not-found' };
  await auditRequest(deps, result.won, 'request.rejected', { actor: input.actor, before: primaryChange(result.won).before, detail: `reason: ${reason}` });
  return { kind: 'done', request: result.won };
}

/** The requester or an approver withdraws a pending request. */
export async function cancelRequest(deps: WorkflowDeps, input: DecisionInput): Promise<DecisionResult> {
  const pending = await load(deps, input, ['awaiting-approval', 'waiting-for-unsync']);
  if ('kind' in pending) return pending;
  const request = pending.request;
  const isRequester = input.actor.aadObjectId !== '' && input.actor.aadObjectId.toLowerCase() === request.requester.aadObjectId.toLowerCase();
  if (!isRequester && !(await deps.roles.canApprove(input.actor))) return { kind: 'not-allowed', request, role: 'requester or approver' };
  const result = await deps.requests.transition(request.id, ['awaiting-approval', 'waiting-for-unsync'], (r) => ({
    ...r,
    state: 'cancelled',
    cancelledBy: input.actor,
    outcome: { status: 'cancelled', before: primaryChange(r).before, after: primaryChange(r).before, at: nowIso(deps) },
  }));
  if ('lost' in result) return result.lost ? { kind: 'already-handled', request: result.lost } : { kind: 'not-found' };
  await auditRequest(deps, result.won, 'request.cancelled', { actor: input.actor, before: primaryChange(result.won).before });
  return { kind: 'done', request: result.won };
}

/** The requester adds (or replaces) the reason or ticket id while the request is pending. */
export async function addReason(deps: WorkflowDeps, input: DecisionInput & { reason?: string }): Promise<DecisionResult> {
  const pending = await load(deps, input);
  if ('kind' in pending) return pending;
  const request = pending.request;
  if (input.actor.aadObjectId.toLowerCase() !== request.requester.aadObjectId.toLowerCase()) {
    return { kind: 'not-allowed', request, role: 'requester' };
  }
  const reason = input.reason?.trim();
  if (!reason) return { kind: 'reason-required', request };
  const result = await deps.requests.transition(request.id, ['awaiting-approval'], (r) => ({ ...r, reason: reason.slice(0, 500) }));
  if ('lost' in result) return result.lost ? { kind: 'already-handled', request: result.lost } : { kind: 'not-found' };
  await auditRequest(deps, result.won, 'request.reason', { actor: input.actor, detail: `reason: ${reason}` });
  return { kind: 'done', request: result.won };
}

async function load(
  deps: WorkflowDeps,
  input: DecisionInput,
  states: readonly ChangeRequest['state'][] = ['awaiting-approval'],
): Promise<{ request: ChangeRequest } | Extract<DecisionResult, { kind: 'not-found' | 'wrong-conversation' | 'already-handled' }>> {
  const stored = await deps.requests.get(input.requestId);
  if (!stored) return { kind: 'not-found' };
  if (input.conversationId !== undefined && !isRequestConversation(stored, input.conversationId)) return { kind: 'wrong-conversation' };
  const request = await expireIfDue(deps, stored);
  if (!states.includes(request.state)) return { kind: 'already-handled', request };
  return { request };
}
