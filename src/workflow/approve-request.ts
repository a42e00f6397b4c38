/**
 * An approver approves a pending clear. Each distinct approval is recorded; the one that
 * completes the set moves the request to "executing" (only one tap can), re-reads the user,
 * PATCHes once, verifies, and records the change before (intent) and after (outcome).
 */
import { DirectoryError, toDirectoryError } from '../directory/directory-error';
import type { UserSnapshot } from '../directory/types';
import { auditRequest, nowIso, WorkflowDeps } from './deps';
import { lookUp } from './look-up';
import { createClearRequest, isRequestConversation } from './start-clear';
import { expireIfDue } from './sweep-requests';
import type { Actor, ChangeOutcome, ChangeRequest, ClearBlocker } from './types';

export type ApproveResult =
  | { kind: 'not-found' }
  | { kind: 'wrong-conversation' }
  | { kind: 'not-allowed'; request: ChangeRequest }
  /** Four-eyes: the requester tried to approve their own request. */
  | { kind: 'own-request'; request: ChangeRequest }
  | { kind: 'already-approved-by-you'; request: ChangeRequest }
  | { kind: 'already-handled'; request: ChangeRequest }
  /** The audit record of the intent could not be written, so nothing was changed; the request waits again. */
  | { kind: 'not-recorded'; request: ChangeRequest }
  /** Approval recorded; more distinct approvals are needed before the change runs. */
  | { kind: 'approval-recorded'; request: ChangeRequest }
  /** The user changed since the card was shown: nothing written; a fresh card (and request) instead. */
  | { kind: 'stale'; request: ChangeRequest; snapshot: UserSnapshot; blockers: ClearBlocker[]; freshRequest?: ChangeRequest }
  /** The change ran: cleared, cleared-pending-replication or failed (see request.outcome). */
  | { kind: 'done'; request: ChangeRequest; snapshot?: UserSnapshot; error?: DirectoryError };

export interface ApproveInput {
  requestId: string;
  actor: Actor;
  conversationId: string;
}

/** Runs an approval. Never throws for directory failures: they come back as a failed outcome. */
export async function approveRequest(deps: WorkflowDeps, input: ApproveInput): Promise<ApproveResult> {
  const stored = await deps.requests.get(input.requestId);
  if (!stored) return { kind: 'not-found' };
  if (!isRequestConversation(stored, input.conversationId)) return { kind: 'wrong-conversation' };
  const pending = await expireIfDue(deps, stored);
  if (pending.state !== 'awaiting-approval') return { kind: 'already-handled', request: pending };
  if (!(await deps.roles.canApprove(input.actor))) {
    await auditRequest(deps, pending, 'request.refused', { actor: input.actor, detail: 'approval by someone who is not an approver' });
    return { kind: 'not-allowed', request: pending };
  }
  const actorId = input.actor.aadObjectId.toLowerCase();
  if (deps.roles.config.requireSeparateApprover && actorId === pending.requester.aadObjectId.toLowerCase()) {
    await auditRequest(deps, pending, 'request.refused', { actor: input.actor, detail: 'requester tried to approve their own request (four-eyes)' });
    return { kind: 'own-request', request: pending };
  }
  if (pending.approvals.some((a) => a.actor.aadObjectId.toLowerCase() === actorId)) {
    return { kind: 'already-approved-by-you', request: pending };
  }

  let completes = false;
  const claim = await deps.requests.transition(pending.id, ['awaiting-approval'], (r) => {
    if (r.approvals.some((a) => a.actor.aadObjectId.toLowerCase() === actorId)) return r;
    const at = nowIso(deps);
    const approvals = [...r.approvals, { actor: input.actor, at }];
    completes = approvals.length >= r.requiredApprovals;
    return completes
      ? { ...r, approvals, state: 'executing', approvedBy: input.actor, approvedAt: at }
      : { ...r, approvals };
  });
  if ('lost' in claim) return claim.lost ? { kind: 'already-handled', request: claim.lost } : { kind: 'not-found' };
  const request = claim.won;
  await auditRequest(deps, request, 'request.approved', {
    actor: input.actor,
    detail: `approval ${request.approvals.length} of ${request.requiredApprovals}`,
  });
  if (!completes) return { kind: 'approval-recorded', request };
  return executeChange(deps, request);
}

/** Runs an approved request that this process has claimed (state "executing"). */
export async function executeChange(deps: WorkflowDeps, request: ChangeRequest): Promise<ApproveResult> {
  const approver = request.approvedBy ?? request.requester;
  // Re-read: the card may be old. If what the approvers saw is no longer true, change nothing.
  let snapshot: UserSnapshot;
  let blockers: ClearBlocker[];
  try {
    ({ snapshot, blockers } = await lookUp(deps, { kind: 'objectId', value: request.targetId }));
  } catch (error) {
    return fail(deps, request, toDirectoryError(error, 'The user'), 'before');
  }
  if (snapshot.user.onPremisesImmutableId !== request.shownValue || blockers.length > 0) {
    return supersede(deps, request, snapshot, blockers);
  }

  // No record, no change: if the intent cannot be written, put the request back and write nothing.
  try {
    await auditRequest(deps, request, 'change.intent', { actor: approver, before: request.shownValue, after: request.newValue });
  } catch (error) {
    deps.log.error('audit.intent_failed', { requestId: request.id, error: error as Error });
    const back = await deps.requests.transition(request.id, ['executing'], (r) => ({
      ...r,
      state: 'awaiting-approval',
      approvals: r.approvals.slice(0, -1),
    }));
    return { kind: 'not-recorded', request: 'won' in back ? back.won : request };
  }
  let graphRequestId: string | undefined;
  try {
    graphRequestId = (await deps.directory.setImmutableId(request.targetId, request.newValue)).requestId;
  } catch (error) {
    const failure = toDirectoryError(error, 'The user');
    // A PATCH that timed out or lost its connection may still have been applied: look before recording a failure.
    if (!(await changeLanded(deps, request, failure))) return fail(deps, request, failure, 'patch');
  }

  const readBack = await pollUntilCleared(deps, request.targetId);
  const outcome: ChangeOutcome = {
    status: readBack === null ? 'cleared' : 'cleared-pending-replication',
    before: request.shownValue,
    after: readBack === undefined ? request.shownValue : readBack,
    at: nowIso(deps),
    ...(graphRequestId ? { graphRequestId } : {}),
  };
  const finished = await finish(deps, request, 'completed', outcome);
  await appendWithRetry(deps, request, () =>
    auditRequest(deps, request, 'change.succeeded', {
      actor: approver,
      before: outcome.before,
      after: null,
      ...(graphRequestId ? { graphRequestId } : {}),
      detail: outcome.status === 'cleared' ? 'verified by reading back' : 'PATCH accepted (204); reads still showed the old value (replication)',
    }),
  );
  deps.log.info('change.succeeded', { requestId: request.id, status: outcome.status, graphRequestId });
  return { kind: 'done', request: finished, snapshot: withValue(snapshot, readBack === null ? null : snapshot.user.onPremisesImmutableId) };
}

/** After an uncertain PATCH failure (timeout, network, 5xx), whether the directory already holds the new value. */
async function changeLanded(deps: WorkflowDeps, request: ChangeRequest, failure: DirectoryError): Promise<boolean> {
  if (!['directory.timeout', 'directory.network', 'directory.unavailable'].includes(failure.code)) return false;
  try {
    return (await deps.directory.readImmutableId(request.targetId)) === request.newValue;
  } catch {
    return false;
  }
}

/** The outcome record must not be lost to a passing storage error: retry, then log it in full. */
async function appendWithRetry(deps: WorkflowDeps, request: ChangeRequest, append: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await append();
      return;
    } catch (error) {
      if (attempt >= 3) {
        deps.log.error('audit.outcome_failed', { requestId: request.id, targetId: request.targetId, before: request.shownValue, after: request.newValue, error: error as Error });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/**
 * Reads the value back with bounded backoff. null: verified cleared; a string: still the old
 * value when time ran out; undefined: reads failed (e.g. the transient 404 after a write).
 */
async function pollUntilCleared(deps: WorkflowDeps, userId: string): Promise<string | null | undefined> {
  const deadline = Date.now() + deps.verifyMaxWaitMs;
  let delay = 150;
  let last: string | null | undefined;
  for (;;) {
    try {
      last = await deps.directory.readImmutableId(userId);
      if (last === null) return null;
    } catch (error) {
      deps.log.warn('verify.read_failed', { userId, code: toDirectoryError(error, 'The user').code });
    }
    if (Date.now() + delay > deadline) return last;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2000);
  }
}

async function supersede(
  deps: WorkflowDeps,
  request: ChangeRequest,
  snapshot: UserSnapshot,
  blockers: ClearBlocker[],
): Promise<ApproveResult> {
  const outcome: ChangeOutcome = {
    status: 'stale',
    before: request.shownValue,
    after: snapshot.user.onPremisesImmutableId,
    at: nowIso(deps),
    message: 'The user changed after the card was shown, so nothing was changed.',
  };
  const finished = await finish(deps, request, 'superseded', outcome);
  await auditRequest(deps, request, 'change.stale', {
    actor: request.approvedBy ?? request.requester,
    before: request.shownValue,
    after: snapshot.user.onPremisesImmutableId,
    detail: 'nothing written: the immutable id or sync state changed since the card was shown',
  });
  const freshRequest =
    blockers.length === 0
      ? await createClearRequest(deps, snapshot, {
          requester: request.requester,
          conversationId: request.conversationId,
          tenantId: request.tenantId,
          ...(request.reason ? { reason: request.reason } : {}),
        })
      : undefined;
  return { kind: 'stale', request: finished, snapshot, blockers, ...(freshRequest ? { freshRequest } : {}) };
}

async function fail(
  deps: WorkflowDeps,
  request: ChangeRequest,
  error: DirectoryError,
  stage: 'before' | 'patch',
): Promise<ApproveResult> {
  const outcome: ChangeOutcome = {
    status: 'failed',
    before: request.shownValue,
    after: request.shownValue,
    at: nowIso(deps),
    message: error.message,
    ...(error.details.requestId ? { graphRequestId: error.details.requestId } : {}),
  };
  const finished = await finish(deps, request, 'failed', outcome);
  await auditRequest(deps, request, 'change.failed', {
    actor: request.approvedBy ?? request.requester,
    before: request.shownValue,
    after: request.shownValue,
    ...(error.details.requestId ? { graphRequestId: error.details.requestId } : {}),
    detail: `${stage === 'patch' ? 'PATCH' : 're-read'} failed: ${error.code}${error.details.status ? ` (HTTP ${error.details.status})` : ''}`,
  });
  deps.log.warn('change.failed', { requestId: request.id, code: error.code, status: error.details.status });
  return { kind: 'done', request: finished, error };
}

async function finish(
  deps: WorkflowDeps,
  request: ChangeRequest,
  state: ChangeRequest['state'],
  outcome: ChangeOutcome,
): Promise<ChangeRequest> {
  const result = await deps.requests.transition(request.id, ['executing'], (r) => ({ ...r, state, outcome }));
  return 'won' in result ? result.won : { ...request, state, outcome };
}

function withValue(snapshot: UserSnapshot, value: string | null): UserSnapshot {
  return { ...snapshot, user: { ...snapshot.user, onPremisesImmutableId: value } };
}
