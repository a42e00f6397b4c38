/** Looks a user up and, when a clear can succeed, records a pending request for approvers. */
import type { Target } from '../conversation/target';
import type { UserSnapshot } from '../directory/types';
import { auditRequest, newRequestId, nowIso, WorkflowDeps } from './deps';
import { lookUp } from './look-up';
import type { Actor, ChangeRequest, ClearBlocker } from './types';

export interface StartClearInput {
  target: Target;
  requester: Actor;
  conversationId: string;
  tenantId: string;
  reason?: string;
}

export type StartClearResult =
  | { kind: 'not-allowed' }
  /** `request` is present when the clear can go ahead and awaits approval. */
  | { kind: 'ok'; snapshot: UserSnapshot; blockers: ClearBlocker[]; request?: ChangeRequest };

/** Checks the requester role, reads the target (throws DirectoryError) and saves a request if nothing blocks it. */
export async function startClear(deps: WorkflowDeps, input: StartClearInput): Promise<StartClearResult> {
  if (!(await deps.roles.canRequest(input.requester))) return { kind: 'not-allowed' };
  const { snapshot, blockers } = await lookUp(deps, input.target);
  if (blockers.length > 0) return { kind: 'ok', snapshot, blockers };
  const request = await createClearRequest(deps, snapshot, input);
  return { kind: 'ok', snapshot, blockers, request };
}

/** Saves a new request for this snapshot and audits it. */
export async function createClearRequest(
  deps: WorkflowDeps,
  snapshot: UserSnapshot,
  input: Omit<StartClearInput, 'target'>,
): Promise<ChangeRequest> {
  const at = nowIso(deps);
  const channel = deps.approvals.channelId;
  const conversationId = baseConversationId(input.conversationId);
  const request: ChangeRequest = {
    id: (deps.newRequestId ?? newRequestId)(),
    kind: 'clear-immutable-id',
    state: 'awaiting-approval',
    targetId: snapshot.user.id,
    targetUpn: snapshot.user.userPrincipalName,
    targetDisplayName: snapshot.user.displayName,
    shownValue: snapshot.user.onPremisesImmutableId,
    newValue: null,
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
    before: request.shownValue,
    ...(request.reason ? { detail: `reason: ${request.reason}` } : {}),
  });
  deps.log.info('request.created', { requestId: request.id, targetId: request.targetId });
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
