/**
 * Start-up reconciliation: a request left "executing" means the process stopped between the
 * approval and recording the outcome. Re-read the user and record what actually happened.
 */
import { toDirectoryError } from '../directory/directory-error';
import type { UserPatch } from '../directory/types';
import { allApplied, attributesOf, primaryChange } from './changes';
import { auditRequest, nowIso, WorkflowDeps } from './deps';
import type { ChangeOutcome, ChangeRequest } from './types';

/** Returns the requests whose outcome was settled. Requests whose user cannot be read stay executing. */
export async function reconcileInterrupted(deps: WorkflowDeps): Promise<ChangeRequest[]> {
  const settled: ChangeRequest[] = [];
  const olderThan = Date.parse(nowIso(deps)) - (deps.reconcileAfterMs ?? 0);
  for (const request of await deps.requests.listByState(['executing'])) {
    if (Date.parse(request.updatedAt) > olderThan) continue;
    let values: UserPatch;
    try {
      values = await deps.directory.readUser(request.targetId, attributesOf(request.changes));
    } catch (error) {
      deps.log.warn('reconcile.read_failed', { requestId: request.id, code: toDirectoryError(error, 'The user').code });
      continue;
    }
    const primary = primaryChange(request);
    const current = values[primary.attribute] ?? null;
    const changed = allApplied(request.changes, values) && request.changes.some((c) => c.before !== c.after);
    const readBack = request.changes.map((c) => ({ ...c, after: values[c.attribute] ?? null }));
    const outcome: ChangeOutcome = changed
      ? { status: 'completed', before: primary.before, after: current, changes: readBack, at: nowIso(deps), message: 'The change was made; its outcome was recorded after the bot restarted.' }
      : {
          status: 'failed',
          before: primary.before,
          after: current,
          at: nowIso(deps),
          message: 'The bot stopped before the change was made, so nothing was changed. Send the command again if it is still needed.',
        };
    const steps = request.steps.map((step) => ({ ...step, status: changed ? ('done' as const) : ('skipped' as const), at: outcome.at }));
    const result = await deps.requests.transition(request.id, ['executing'], (r) => ({ ...r, state: changed ? 'completed' : 'failed', outcome, steps }));
    if (!('won' in result)) continue;
    await auditRequest(deps, result.won, 'change.reconciled', {
      actor: request.approvedBy ?? request.requester,
      before: primary.before,
      after: current,
      changes: readBack,
      detail: changed ? 'found changed after a restart' : 'found unchanged after a restart; nothing was written',
    });
    deps.log.info('reconcile.settled', { requestId: request.id, changed });
    settled.push(result.won);
  }
  return settled;
}
