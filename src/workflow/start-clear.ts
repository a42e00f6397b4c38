/** Looks a user up and, when a clear can succeed, records a pending request for an approver. */
import type { Target } from '../conversation/target';
import type { UserSnapshot } from '../directory/types';
import { assessClear } from './assess-clear';
import { newRequestId, nowIso, WorkflowDeps } from './deps';
import type { Actor, ChangeRequest, ClearBlocker } from './types';

export interface StartClearInput {
  target: Target;
  requester: Actor;
  conversationId: string;
  tenantId: string;
  reason?: string;
}

export interface StartClearResult {
  snapshot: UserSnapshot;
  blockers: ClearBlocker[];
  /** Present when the clear can go ahead and awaits approval. */
  request?: ChangeRequest;
}

/** Reads the target (throws DirectoryError) and saves an awaiting-approval request if nothing blocks it. */
export async function startClear(deps: WorkflowDeps, input: StartClearInput): Promise<StartClearResult> {
  const snapshot = await deps.directory.findUser(input.target);
  const blockers = assessClear(snapshot);
  if (blockers.length > 0) return { snapshot, blockers };
  const request = await createClearRequest(deps, snapshot, input);
  return { snapshot, blockers, request };
}

/** Saves a new request for this snapshot and audits it. */
export async function createClearRequest(
  deps: WorkflowDeps,
  snapshot: UserSnapshot,
  input: Omit<StartClearInput, 'target'>,
): Promise<ChangeRequest> {
  const at = nowIso(deps);
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
    conversationId: baseConversationId(input.conversationId),
    tenantId: input.tenantId,
    createdAt: at,
    updatedAt: at,
  };
  await deps.requests.create(request);
  await deps.audit.append({
    event: 'request.created',
    requestId: request.id,
    actor: request.requester,
    target: { id: request.targetId, upn: request.targetUpn },
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
