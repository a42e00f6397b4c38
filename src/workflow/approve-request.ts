/**
 * An approver approves a pending request. Each distinct approval is recorded; the one that
 * completes the set moves the request to "executing" (only one tap can), re-reads the user,
 * runs the kind's writes once, verifies, and records the change before (intent) and after (outcome).
 */
import { DirectoryError, toDirectoryError } from '../directory/directory-error';
import type { UserPatch, UserSnapshot } from '../directory/types';
import { allApplied, attributesOf, primaryChange, valueOn, withChanges } from './changes';
import { kindModule } from './change-kinds';
import { createRequest, isRequestConversation } from './create-request';
import { auditRequest, nowIso, WorkflowDeps } from './deps';
import { assessChange, findTarget } from './look-up';
import { DEFAULT_EXECUTION_LEASE_MS, instanceOf, newLease, renewLease, settleUnderLease } from './execution-lease';
import { expireIfDue } from './sweep-requests';
import type { Actor, AttributeChange, Blocker, ChangeOutcome, ChangeRequest, RequestStep, StepName } from './types';

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
  | { kind: 'stale'; request: ChangeRequest; snapshot: UserSnapshot; blockers: Blocker[]; freshRequest?: ChangeRequest }
  /** The change ran: completed, completed-pending-replication or failed (see request.outcome). */
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
  // Uncached: this tap may write to the directory, and group membership may have just been revoked.
  if (!(await deps.roles.canApprove(input.actor, { fresh: true }))) {
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
      ? { ...r, approvals, state: 'executing', approvedBy: input.actor, approvedAt: at, lease: newLease(deps) }
      : { ...r, approvals };
  });
  if ('lost' in claim) return claim.lost ? { kind: 'already-handled', request: claim.lost } : { kind: 'not-found' };
  const request = claim.won;
  // The approval itself is in the request; a passing storage error on its audit line must not strand the claim.
  await appendWithRetry(deps, request, () =>
    auditRequest(deps, request, 'request.approved', {
      actor: input.actor,
      detail: `approval ${request.approvals.length} of ${request.requiredApprovals}`,
    }),
  );
  if (!completes) return { kind: 'approval-recorded', request };
  return executeChange(deps, request);
}

/** Runs an approved request that this process has claimed (state "executing"). */
export async function executeChange(deps: WorkflowDeps, request: ChangeRequest): Promise<ApproveResult> {
  const approver = request.approvedBy ?? request.requester;
  const module = kindModule(request.kind);
  // Re-read: the card may be old. If what the approvers saw is no longer true, change nothing.
  let snapshot: UserSnapshot;
  let blockers: Blocker[];
  let unchanged: boolean;
  try {
    snapshot = module.readTarget
      ? await module.readTarget(deps.directory, request)
      : await findTarget(deps, { kind: 'objectId', value: request.targetId });
    const current = await currentValues(deps, snapshot, request.changes);
    unchanged = request.changes.every((c) => (current[c.attribute] ?? null) === c.before);
    const assessed = unchanged ? request.changes : (module.planAgain(snapshot, request) ?? request.changes);
    blockers = await assessChange(deps, request.kind, snapshot, assessed);
  } catch (error) {
    return fail(deps, request, toDirectoryError(error, 'The user'), 'before');
  }
  if (!unchanged || blockers.length > 0) return supersede(deps, request, snapshot, blockers);

  // The re-read may have been slow: still ours? (Another instance may have taken over and settled it.)
  const held = await holdLease(deps, request, request.steps);
  if (held.kind !== 'held') return held.result;

  const primary = primaryChange(request);
  // No record, no change: if the intent cannot be written, put the request back and write nothing.
  try {
    await auditRequest(deps, request, 'change.intent', { actor: approver, before: primary.before, after: primary.after, changes: request.changes });
  } catch (error) {
    deps.log.error('audit.intent_failed', { requestId: request.id, error: error as Error });
    try {
      const back = await settleUnderLease(deps, request.id, (r) => ({
        ...r,
        state: 'awaiting-approval',
        approvals: r.approvals.slice(0, -1),
      }));
      return back ? { kind: 'not-recorded', request: back } : leaseLost(deps, request);
    } catch (putBackError) {
      // Still executing, nothing written: the lease runs out and a sweep settles it as unchanged.
      deps.log.error('request.put_back_failed', { requestId: request.id, error: putBackError as Error });
      return storageFailed(deps, request, request.steps, 'could not write the audit record of this change');
    }
  }

  const steps: RequestStep[] = module.steps.map((name) => ({ name, status: 'pending' }));
  const writes = module.steps.filter((name) => name !== 'verify');
  let graphRequestId: string | undefined;
  let uncertainReadBack: UserPatch | undefined;
  for (const [index, name] of writes.entries()) {
    // Right before every directory write: still executing under our unexpired lease (renewed, with the steps so far).
    const before = await holdLease(deps, request, steps);
    if (before.kind !== 'held') return before.result;
    try {
      graphRequestId = (await module.apply(name, deps.directory, request)).requestId;
      markStep(steps, name, { status: 'done', at: nowIso(deps), ...(graphRequestId ? { graphRequestId } : {}) });
    } catch (error) {
      const failure = toDirectoryError(error, 'The user');
      const last = index === writes.length - 1;
      if (!last || !isUncertain(failure)) return fail(deps, request, failure, name, steps);
      // A write that timed out, lost its connection or got a 5xx may still have been applied: read back
      // with the same bounded backoff as verification before saying anything.
      const settled = await pollUntilApplied(deps, request, () => stillHeld(deps, request, steps));
      if (settled.lost) return leaseLost(deps, request);
      if (!settled.values || !allApplied(request.changes, settled.values)) return unconfirmed(deps, request, failure, name, steps);
      markStep(steps, name, { status: 'done', at: nowIso(deps), detail: 'found applied after an uncertain answer' });
      uncertainReadBack = settled.values;
    }
    if (writes.length > 1) {
      const stepId = graphRequestId;
      await appendWithRetry(deps, request, () =>
        auditRequest(deps, request, 'change.step', { actor: approver, ...(stepId ? { graphRequestId: stepId } : {}), detail: `${name} done` }),
      );
    }
  }

  const polled = uncertainReadBack
    ? { values: uncertainReadBack, lost: false }
    : await pollUntilApplied(deps, request, () => stillHeld(deps, request, steps));
  if (polled.lost) return leaseLost(deps, request);
  const readBack = polled.values;
  const verified = readBack !== undefined && allApplied(request.changes, readBack);
  markStep(steps, 'verify', { status: verified ? 'done' : 'pending', at: nowIso(deps), ...(verified ? {} : { detail: 'reads still show the old value (replication)' }) });
  const outcome: ChangeOutcome = {
    status: verified ? 'completed' : 'completed-pending-replication',
    before: primary.before,
    after: readBack === undefined ? primary.before : (readBack[primary.attribute] ?? null),
    changes: request.changes.map((c) => ({ ...c, after: readBack === undefined ? c.before : (readBack[c.attribute] ?? null) })),
    at: nowIso(deps),
    ...(graphRequestId ? { graphRequestId } : {}),
  };
  const finished = await finish(deps, request, 'completed', outcome, steps);
  if (finished === 'lost') return leaseLost(deps, request);
  await appendWithRetry(deps, request, () =>
    auditRequest(deps, request, 'change.succeeded', {
      actor: approver,
      before: primary.before,
      after: primary.after,
      changes: request.changes,
      ...(graphRequestId ? { graphRequestId } : {}),
      detail: verified ? 'verified by reading back' : 'PATCH accepted (204); reads still showed the old value (replication)',
    }),
  );
  deps.log.info('change.succeeded', { requestId: request.id, status: outcome.status, graphRequestId });
  return { kind: 'done', request: finished, snapshot: verified ? { ...snapshot, user: withChanges(snapshot.user, request.changes) } : snapshot };
}

/** The current values of the changed attributes: from the snapshot, reading only what it does not carry. */
async function currentValues(deps: WorkflowDeps, snapshot: UserSnapshot, changes: readonly AttributeChange[]): Promise<UserPatch> {
  const values: UserPatch = {};
  const missing = changes.filter((c) => valueOn(snapshot.user, c.attribute) === undefined).map((c) => c.attribute);
  for (const c of changes) {
    const v = valueOn(snapshot.user, c.attribute);
    if (v !== undefined) values[c.attribute] = v;
  }
  return missing.length > 0 ? { ...values, ...(await deps.directory.readUser(snapshot.user.id, missing)) } : values;
}

function markStep(steps: RequestStep[], name: StepName, update: Omit<RequestStep, 'name'>): void {
  const i = steps.findIndex((s) => s.name === name);
  if (i !== -1) steps[i] = { name, ...update };
}

/** A write answered this way (timeout, connection reset, 500/502/503/504) may or may not have been applied. */
function isUncertain(failure: DirectoryError): boolean {
  const status = failure.details.status;
  return ['directory.timeout', 'directory.network', 'directory.unavailable'].includes(failure.code) || (status !== undefined && status >= 500 && status <= 504);
}

/**
 * An uncertain write whose read-backs still disagree after the whole verification wait: neither
 * "made" nor "nothing was changed". The user is told to look before trying again.
 */
async function unconfirmed(deps: WorkflowDeps, request: ChangeRequest, error: DirectoryError, stage: StepName, steps: RequestStep[]): Promise<ApproveResult> {
  const primary = primaryChange(request);
  const answer = error.details.status ? `HTTP ${error.details.status}` : error.code === 'directory.timeout' ? 'no answer in time' : 'connection lost';
  markStep(steps, stage, { status: 'failed', at: nowIso(deps), detail: `uncertain answer (${error.code}); reads still show the old value` });
  const settled = steps.map((s) => (s.status === 'pending' ? { ...s, status: 'skipped' as const } : s));
  const partly = steps.some((s) => s.name !== 'verify' && s.name !== stage && s.status === 'done');
  const left = partly ? kindModule(request.kind).leftState?.(stage, request) : undefined;
  const outcome: ChangeOutcome = {
    status: 'unconfirmed',
    before: primary.before,
    after: primary.before,
    at: nowIso(deps),
    message: `The directory did not answer clearly (${answer}); reads still show the old value.${left ? ` ${left}` : ''} Check the user with \`show ${request.targetUpn}\` before trying again.`,
    ...(error.details.requestId ? { graphRequestId: error.details.requestId } : {}),
  };
  const finished = await finish(deps, request, 'failed', outcome, settled);
  if (finished === 'lost') return leaseLost(deps, request);
  await appendWithRetry(deps, request, () =>
    auditRequest(deps, request, 'change.unconfirmed', {
      actor: request.approvedBy ?? request.requester,
      before: primary.before,
      after: primary.before,
      changes: request.changes,
      ...(error.details.requestId ? { graphRequestId: error.details.requestId } : {}),
      detail: `${stage === 'patch' ? 'PATCH' : stage} answered uncertainly: ${error.code}${error.details.status ? ` (HTTP ${error.details.status})` : ''}; reads for ${deps.verifyMaxWaitMs} ms still showed the old value${left ? `; ${left}` : ''}`,
    }),
  );
  // Logged with the error's code, status and Graph request id, for a support case.
  deps.log.warn('change.unconfirmed', { requestId: request.id, error });
  return { kind: 'done', request: finished };
}

/** The outcome record must not be lost to a passing storage error: retry, then log it in full. */
async function appendWithRetry(deps: WorkflowDeps, request: ChangeRequest, append: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await append();
      return;
    } catch (error) {
      if (attempt >= 3) {
        deps.log.error('audit.outcome_failed', { requestId: request.id, targetId: request.targetId, changes: request.changes, error: error as Error });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

/**
 * Reads the values back with bounded backoff. Returns the last values read (all applied when
 * verified, else what reads still showed when time ran out); undefined when every read failed
 * (e.g. the transient 404 after a write).
 */
async function pollUntilApplied(
  deps: WorkflowDeps,
  request: ChangeRequest,
  stillOurs: () => Promise<boolean>,
): Promise<{ values: UserPatch | undefined; lost: boolean }> {
  const deadline = Date.now() + deps.verifyMaxWaitMs;
  const attributes = attributesOf(request.changes);
  let delay = 150;
  let last: UserPatch | undefined;
  for (;;) {
    try {
      last = await deps.directory.readUser(request.targetId, attributes);
      if (allApplied(request.changes, last)) return { values: last, lost: false };
    } catch (error) {
      deps.log.warn('verify.read_failed', { userId: request.targetId, code: toDirectoryError(error, 'The user').code });
    }
    if (Date.now() + delay > deadline) return { values: last, lost: false };
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2000);
    // Keep the lease while waiting; once another instance has taken over, it settles the request.
    if (!(await stillOurs())) return { values: last, lost: true };
  }
}

type Hold = { kind: 'held'; request: ChangeRequest } | { kind: 'stop'; result: ApproveResult };

/**
 * Renews the lease (recording the steps so far) before a directory write. Anything but a renewed
 * lease means: write nothing. Lost: another instance took over or settled it. Storage error: we
 * cannot know, so stop; the lease runs out and a sweep settles the request by reading back.
 */
async function holdLease(deps: WorkflowDeps, request: ChangeRequest, steps: readonly RequestStep[]): Promise<Hold> {
  let renewed: ChangeRequest | undefined;
  try {
    renewed = await renewLease(deps, request.id, (r) => ({ ...r, steps: steps.map((s) => ({ ...s })) }));
  } catch (error) {
    deps.log.error('lease.renew_failed', { requestId: request.id, error: error as Error });
    return { kind: 'stop', result: storageFailed(deps, request, steps, "could not reach the bot's storage to confirm it still ran this change") };
  }
  return renewed ? { kind: 'held', request: renewed } : { kind: 'stop', result: await leaseLost(deps, request) };
}

/** During verification (reads only): false once the lease is lost; a storage error is not a loss. */
async function stillHeld(deps: WorkflowDeps, request: ChangeRequest, steps: readonly RequestStep[]): Promise<boolean> {
  try {
    return (await renewLease(deps, request.id, (r) => ({ ...r, steps: steps.map((s) => ({ ...s })) }))) !== undefined;
  } catch (error) {
    deps.log.warn('lease.renew_failed', { requestId: request.id, error: error as Error });
    return true;
  }
}

/** Another instance took the request over (this one stalled past its lease): stop, and show what is stored now. */
async function leaseLost(deps: WorkflowDeps, request: ChangeRequest): Promise<ApproveResult> {
  deps.log.warn('lease.lost', { requestId: request.id, owner: instanceOf(deps) });
  const current = await deps.requests.get(request.id).catch(() => undefined);
  return { kind: 'already-handled', request: current ?? request };
}

/**
 * Storage failed before a write: nothing more is written. The user hears the truth now; the
 * stored request stays executing until its lease runs out and a sweep settles it by reading back.
 */
function storageFailed(deps: WorkflowDeps, request: ChangeRequest, steps: readonly RequestStep[], what: string): ApproveResult {
  const primary = primaryChange(request);
  const stoppedAt = steps.find((s) => s.name !== 'verify' && s.status !== 'done');
  const partly = steps.some((s) => s.name !== 'verify' && s.status === 'done');
  const left = partly && stoppedAt ? kindModule(request.kind).leftState?.(stoppedAt.name, request) : undefined;
  const outcome: ChangeOutcome = {
    status: 'failed',
    before: primary.before,
    after: primary.before,
    at: nowIso(deps),
    message: `The bot ${what}, so it stopped before writing${left ? `: ${left}` : ''}. ${settledWithin(deps)}`,
  };
  return { kind: 'done', request: { ...request, state: 'failed', outcome, steps: steps.map((s) => ({ ...s })) } };
}

function settledWithin(deps: WorkflowDeps): string {
  const minutes = Math.max(1, Math.ceil((deps.executionLeaseMs ?? DEFAULT_EXECUTION_LEASE_MS) / 60_000));
  return `The request is checked against the directory and closed automatically within about ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}

async function supersede(deps: WorkflowDeps, request: ChangeRequest, snapshot: UserSnapshot, blockers: Blocker[]): Promise<ApproveResult> {
  const primary = primaryChange(request);
  const now = valueOn(snapshot.user, primary.attribute) ?? null;
  const outcome: ChangeOutcome = {
    status: 'stale',
    before: primary.before,
    after: now,
    at: nowIso(deps),
    message: 'The user changed after the card was shown, so nothing was changed.',
  };
  const finished = await finish(deps, request, 'superseded', outcome, request.steps.map((s) => ({ ...s, status: 'skipped' })));
  if (finished === 'lost') return leaseLost(deps, request);
  await auditRequest(deps, request, 'change.stale', {
    actor: request.approvedBy ?? request.requester,
    before: primary.before,
    after: now,
    detail: 'nothing written: the immutable id or sync state changed since the card was shown',
  });
  const changes = blockers.length === 0 ? kindModule(request.kind).planAgain(snapshot, request) : null;
  const freshRequest = changes
    ? await createRequest(deps, request.kind, snapshot, changes, {
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
  stage: 'before' | StepName,
  steps: RequestStep[] = request.steps.map((s) => ({ ...s })),
): Promise<ApproveResult> {
  const primary = primaryChange(request);
  if (stage !== 'before') markStep(steps, stage, { status: 'failed', at: nowIso(deps), detail: error.code });
  const settled = steps.map((s) => (s.status === 'pending' ? { ...s, status: 'skipped' as const } : s));
  // A multi-step kind says exactly where the user was left (e.g. restored but not cleared).
  const left = stage !== 'before' ? kindModule(request.kind).leftState?.(stage, request) : undefined;
  const outcome: ChangeOutcome = {
    status: 'failed',
    before: primary.before,
    after: primary.before,
    at: nowIso(deps),
    message: left ? `${error.message} ${left}` : error.message,
    ...(error.details.requestId ? { graphRequestId: error.details.requestId } : {}),
  };
  const finished = await finish(deps, request, 'failed', outcome, settled);
  if (finished === 'lost') return leaseLost(deps, request);
  await auditRequest(deps, request, 'change.failed', {
    actor: request.approvedBy ?? request.requester,
    before: primary.before,
    after: primary.before,
    ...(error.details.requestId ? { graphRequestId: error.details.requestId } : {}),
    detail: `${stage === 'patch' ? 'PATCH' : stage === 'before' ? 're-read' : stage} failed: ${error.code}${error.details.status ? ` (HTTP ${error.details.status})` : ''}${left ? `; ${left}` : ''}`,
  });
  deps.log.warn('change.failed', { requestId: request.id, code: error.code, status: error.details.status });
  return { kind: 'done', request: finished, error };
}

/**
 * Records the outcome while the lease is ours ('lost' when another instance took over). When
 * storage fails here the change itself stands: the answer says so, and the lease running out lets
 * a sweep read the user back and record it.
 */
async function finish(
  deps: WorkflowDeps,
  request: ChangeRequest,
  state: ChangeRequest['state'],
  outcome: ChangeOutcome,
  steps: RequestStep[],
): Promise<ChangeRequest | 'lost'> {
  try {
    return (await settleUnderLease(deps, request.id, (r) => ({ ...r, state, outcome, steps }))) ?? 'lost';
  } catch (error) {
    deps.log.error('request.finish_failed', { requestId: request.id, state, status: outcome.status, error: error as Error });
    const note = `The bot could not record this outcome in its storage. ${settledWithin(deps)}`;
    return { ...request, state, steps, outcome: { ...outcome, message: outcome.message ? `${outcome.message} ${note}` : note } };
  }
}
