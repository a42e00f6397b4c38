/** Saves a new pending request of any kind, and the conversation rules every request shares. */
import type { UserSnapshot } from '../directory/types';
import { pendingSteps, primaryChange } from './changes';
import { kindModule } from './change-kinds';
import { auditRequest, newRequestId, nowIso, WorkflowDeps } from './deps';
import type { Actor, AttributeChange, ChangeKind, ChangeRequest } from './types';

export interface RequestInput {
  requester: Actor;
  conversationId: string;
  tenantId: string;
  reason?: string;
}

/** Saves a request to make these changes to the snapshot's user, and audits it. */
export async function createRequest(
  deps: WorkflowDeps,
  kind: ChangeKind,
  snapshot: UserSnapshot,
  changes: AttributeChange[],
  input: RequestInput,
  extra: Partial<Pick<ChangeRequest, 'undoOf' | 'state' | 'nextCheckAt'>> = {},
): Promise<ChangeRequest> {
  const at = nowIso(deps);
  const channel = deps.approvals.channelId;
  const conversationId = baseConversationId(input.conversationId);
  const request: ChangeRequest = {
    id: (deps.newRequestId ?? newRequestId)(),
    kind,
    state: 'awaiting-approval',
    targetId: snapshot.user.id,
    targetUpn: snapshot.user.userPrincipalName,
    targetDisplayName: snapshot.user.displayName,
    changes,
    steps: pendingSteps(kindModule(kind).steps),
    ...extra,
    requester: input.requester,
    ...(input.reason ? { reason: input.reason } : {}),
    conversationId,
    ...(channel && channel !== conversationId ? { approvalConversationIds: [channel] } : {}),
    tenantId: input.tenantId,
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(Date.parse(at) + deps.approvals.requestTtlMs).toISOString(),
    snapshot,
    approvals: [],
    requiredApprovals: deps.roles.config.requiredApprovals,
    cards: [],
  };
  await deps.requests.create(request);
  await auditRequest(deps, request, 'request.created', {
    before: primaryChange(request).before,
    changes,
    detail: [kind === 'clear-immutable-id' ? '' : `kind: ${kind}`, request.reason ? `reason: ${request.reason}` : ''].filter(Boolean).join('; ') || undefined,
  });
  deps.log.info('request.created', { requestId: request.id, targetId: request.targetId, kind });
  return request;
}

/** Channel threads carry ";messageid=…" on the conversation id; requests belong to the channel. */
export function baseConversationId(conversationId: string): string {
  const i = conversationId.indexOf(';messageid=');
  return i === -1 ? conversationId : conversationId.slice(0, i);
}

/** Whether a card action from this conversation may act on the request. */
export function isRequestConversation(request: ChangeRequest, conversationId: string): boolean {
  const base = baseConversationId(conversationId);
  return base === request.conversationId || (request.approvalConversationIds ?? []).includes(base);
}

/** Whether an approver other than the requester is needed (so the approvers' channel should see it). */
export async function needsOthersApproval(deps: WorkflowDeps, request: ChangeRequest): Promise<boolean> {
  if (request.requiredApprovals > 1 || deps.roles.config.requireSeparateApprover) return true;
  return !(await deps.roles.canApprove(request.requester));
}
