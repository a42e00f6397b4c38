/**
 * Settles requests left "executing" whose lease ran out: the process running the change stopped
 * (crash, restart, drain cut short) or stalled. Runs at start-up and in every sweep, on any
 * instance: the lease is taken over by compare-and-set, so exactly one instance settles each
 * request. The user is read back and the truth recorded; the write is never run again.
 */
import { toDirectoryError } from '../directory/directory-error';
import type { UserPatch } from '../directory/types';
import { allApplied, attributesOf, primaryChange } from './changes';
import { kindModule } from './change-kinds';
import { auditRequest, nowIso, WorkflowDeps } from './deps';
import { leaseExpired, settleUnderLease, takeOverLease } from './execution-lease';
import type { ChangeOutcome, ChangeRequest, RequestStep } from './types';

/**
 * Returns the requests settled now. A request whose user cannot be read keeps its (taken-over)
 * lease and is tried again once that expires.
 */
export async function reconcileInterrupted(deps: WorkflowDeps): Promise<ChangeRequest[]> {
  const settled: ChangeRequest[] = [];
  for (const candidate of await deps.requests.listByState(['executing'])) {
    if (!leaseExpired(deps, candidate)) continue;
    const request = await takeOverLease(deps, candidate.id);
    if (!request) continue;
    deps.log.info('lease.taken_over', { requestId: request.id, previousOwner: candidate.lease?.owner ?? null });
    let values: UserPatch | undefined;
    try {
      values = await deps.directory.readUser(request.targetId, attributesOf(request.changes));
    } catch (error) {
      const failure = toDirectoryError(error, 'The user');
      // Not a live user (e.g. a restore that never ran): none of the change is visible.
      if (failure.code !== 'directory.user_not_found') {
        deps.log.warn('reconcile.read_failed', { requestId: request.id, code: failure.code });
        continue;
      }
    }
    const done = await settle(deps, request, values);
    if (done) settled.push(done);
  }
  return settled;
}

async function settle(deps: WorkflowDeps, request: ChangeRequest, values: UserPatch | undefined): Promise<ChangeRequest | undefined> {
  const primary = primaryChange(request);
  const current = values ? (values[primary.attribute] ?? null) : primary.before;
  const changed = values !== undefined && allApplied(request.changes, values) && request.changes.some((c) => c.before !== c.after);
  const readBack = request.changes.map((c) => ({ ...c, after: values ? (values[c.attribute] ?? null) : c.before }));
  const at = nowIso(deps);
  // A live user proves a restore ran, even if the instance stopped before recording it.
  const known = request.steps.map((s) => (s.name === 'restore' && values !== undefined && s.status !== 'done' ? { ...s, status: 'done' as const, at } : s));
  // A multi-step kind whose first write was done says exactly where the user was left.
  const stoppedAt = known.find((s) => s.name !== 'verify' && s.status !== 'done');
  const partly = known.some((s) => s.name !== 'verify' && s.status === 'done');
  const left = !changed && partly && stoppedAt ? kindModule(request.kind).leftState?.(stoppedAt.name, request) : undefined;
  const outcome: ChangeOutcome = changed
    ? {
        status: 'completed',
        before: primary.before,
        after: current,
        changes: readBack,
        at,
        message: 'The change was made; its outcome was recorded later, after the bot instance running it stopped answering.',
      }
    : {
        status: 'failed',
        before: primary.before,
        after: current,
        at,
        message: left
          ? `The bot instance running this change stopped part-way. ${left}`
          : 'The bot stopped before the change was made, so nothing was changed. Send the command again if it is still needed.',
      };
  const steps: RequestStep[] = known.map((step) =>
    step.status === 'done' ? step : { ...step, status: changed ? 'done' : 'skipped', at },
  );
  const won = await settleUnderLease(deps, request.id, (r) => ({ ...r, state: changed ? 'completed' : 'failed', outcome, steps }));
  if (!won) return undefined;
  const record = {
    actor: request.approvedBy ?? request.requester,
    before: primary.before,
    after: current,
    changes: readBack,
    detail: changed
      ? 'found changed after the lease of the instance running it expired'
      : `found unchanged after the lease of the instance running it expired; nothing more was written${left ? `; ${left}` : ''}`,
  };
  // The request is settled either way; a lost audit record is logged in full rather than stopping the sweep.
  await auditRequest(deps, won, 'change.reconciled', record).catch((error: unknown) =>
    deps.log.error('audit.outcome_failed', { requestId: request.id, event: 'change.reconciled', ...record, error: error as Error }),
  );
  deps.log.info('reconcile.settled', { requestId: request.id, changed });
  return won;
}
