/**
 * "Clear when unsynced": a clear for a user Entra Connect still syncs waits (state
 * waiting-for-unsync) and is re-read every UNSYNC_CHECK_INTERVAL. Once the user no longer syncs
 * (taken out of sync scope and restored, or sync turned off) it becomes an ordinary clear, or a
 * restore-and-clear if the sync soft-deleted it, awaiting approval. It expires like any request.
 */
import type { UserSnapshot } from '../directory/types';
import { kindModule } from './change-kinds';
import { pendingSteps, primaryChange } from './changes';
import { createRequest, type RequestInput } from './create-request';
import { auditRequest, nowIso, type WorkflowDeps } from './deps';
import { lookUp } from './look-up';
import type { Blocker, ChangeRequest } from './types';

export type WhenUnsyncedResult =
  | { kind: 'not-allowed' }
  /** `request`: the waiting request (or, when the user no longer syncs, an ordinary one); none when something else blocks. */
  | { kind: 'ok'; snapshot: UserSnapshot; blockers: Blocker[]; request?: ChangeRequest };

const stillSynced = (snapshot: UserSnapshot): boolean => !snapshot.deleted && snapshot.user.onPremisesSyncEnabled === true;

/** Reads the user again (throws DirectoryError) and records the waiting request (one per user). */
export async function startClearWhenUnsynced(deps: WorkflowDeps, input: RequestInput & { userId: string }): Promise<WhenUnsyncedResult> {
  if (!(await deps.roles.canRequest(input.requester))) return { kind: 'not-allowed' };
  const assessment = await lookUp(deps, { kind: 'objectId', value: input.userId });
  const { snapshot } = assessment;
  const waiting = (await deps.requests.listByState(['waiting-for-unsync'])).find((r) => r.targetId.toLowerCase() === snapshot.user.id.toLowerCase());
  if (waiting) return { kind: 'ok', snapshot, blockers: [], request: waiting };
  if (!stillSynced(snapshot)) {
    // Already unsynced: the ordinary request right away.
    if (assessment.blockers.length > 0) return { kind: 'ok', snapshot, blockers: assessment.blockers };
    return { kind: 'ok', snapshot, blockers: [], request: await createRequest(deps, assessment.kind, snapshot, assessment.changes, input) };
  }
  // Waiting only gets past the sync; anything else (a protected account, nothing to clear) still blocks.
  const others = assessment.blockers.filter((b) => b.kind !== 'synced' && b.kind !== 'federated');
  if (others.length > 0) return { kind: 'ok', snapshot, blockers: assessment.blockers };
  const nextCheckAt = new Date(Date.parse(nowIso(deps)) + deps.approvals.unsyncCheckIntervalMs).toISOString();
  const request = await createRequest(deps, 'clear-immutable-id', snapshot, assessment.changes, input, { state: 'waiting-for-unsync', nextCheckAt });
  return { kind: 'ok', snapshot, blockers: [], request };
}

export interface RecheckResult {
  /** Now awaiting approval (the approvers must be told). */
  ready: ChangeRequest[];
  /** No longer synced, but something else stops the clear: superseded, nothing written. */
  ended: ChangeRequest[];
}

/** Re-reads every waiting user whose check is due; each request is moved by one eTag transition. */
export async function recheckWaiting(deps: WorkflowDeps): Promise<RecheckResult> {
  const now = Date.parse(nowIso(deps));
  const result: RecheckResult = { ready: [], ended: [] };
  for (const waiting of await deps.requests.listByState(['waiting-for-unsync'])) {
    if (Date.parse(waiting.expiresAt) <= now || (waiting.nextCheckAt && Date.parse(waiting.nextCheckAt) > now)) continue;
    const later = new Date(now + deps.approvals.unsyncCheckIntervalMs).toISOString();
    let assessment;
    try {
      assessment = await lookUp(deps, { kind: 'objectId', value: waiting.targetId });
    } catch (error) {
      // Not found anywhere (purged), throttled, down: try again next time; expiry ends it eventually.
      deps.log.warn('unsync.check_failed', { requestId: waiting.id, error: error as Error });
      await deps.requests.transition(waiting.id, ['waiting-for-unsync'], (r) => ({ ...r, nextCheckAt: later }));
      continue;
    }
    const { snapshot } = assessment;
    if (stillSynced(snapshot)) {
      await deps.requests.transition(waiting.id, ['waiting-for-unsync'], (r) => ({ ...r, nextCheckAt: later }));
      continue;
    }
    if (assessment.blockers.length > 0) {
      const moved = await deps.requests.transition(waiting.id, ['waiting-for-unsync'], (r) => ({
        ...r,
        state: 'superseded',
        outcome: {
          status: 'stale',
          before: primaryChange(r).before,
          after: snapshot.user.onPremisesImmutableId,
          at: new Date(now).toISOString(),
          message: `${r.targetUpn} no longer syncs, but the clear cannot go ahead (${assessment.blockers.map((b) => b.kind).join(', ')}). Nothing was changed; look the user up again.`,
        },
      }));
      if ('won' in moved) {
        await auditRequest(deps, moved.won, 'change.stale', { before: primaryChange(moved.won).before, detail: 'no longer synced, but blocked' });
        result.ended.push(moved.won);
      }
      continue;
    }
    const moved = await deps.requests.transition(waiting.id, ['waiting-for-unsync'], (r) => {
      const { nextCheckAt: _done, ...rest } = r;
      return {
        ...rest,
        state: 'awaiting-approval',
        kind: assessment.kind,
        changes: assessment.changes,
        steps: pendingSteps(kindModule(assessment.kind).steps),
        snapshot,
        targetUpn: snapshot.user.userPrincipalName,
      };
    });
    if ('won' in moved) {
      const detail = snapshot.deleted ? 'the sync soft-deleted the user: now a restore-and-clear' : 'the user no longer syncs: now a clear';
      await auditRequest(deps, moved.won, 'request.ready', { before: primaryChange(moved.won).before, changes: moved.won.changes, detail });
      result.ready.push(moved.won);
    }
  }
  return result;
}
