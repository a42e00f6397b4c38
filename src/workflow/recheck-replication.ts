/**
 * After a change that Graph accepted but reads did not show yet ("waiting for directory
 * replication"), reads the user again a few times with growing pauses. When the reads show the
 * change, the request's outcome becomes completed and the verification is audited; after the
 * last read it stays "waiting", which the cards already say plainly.
 */
import { toDirectoryError } from '../directory/directory-error';
import { allApplied, attributesOf, primaryChange } from './changes';
import { auditRequest, nowIso, WorkflowDeps } from './deps';
import type { ChangeRequest } from './types';

/** How many background reads, at most. */
export const REPLICATION_RECHECKS = 6;

/**
 * The pauses before each read: twice the foreground wait, then doubling (1 s → about 2 minutes
 * in all with the default VERIFY_MAX_WAIT_MS; Entra ID usually catches up within a minute).
 */
export function replicationRecheckDelays(verifyMaxWaitMs: number): number[] {
  const first = Math.max(2 * verifyMaxWaitMs, 500);
  return Array.from({ length: REPLICATION_RECHECKS }, (_x, i) => first * 2 ** i);
}

/**
 * Re-reads until the change shows; resolves with the request updated to completed, or undefined
 * when the reads never showed it (or the request is no longer waiting). `sleep` lets the caller
 * stop the pauses on shutdown.
 */
export async function recheckReplication(
  deps: WorkflowDeps,
  requestId: string,
  delaysMs: number[],
  sleep: (ms: number) => Promise<boolean> = defaultSleep,
): Promise<ChangeRequest | undefined> {
  for (const delay of delaysMs) {
    if (!(await sleep(delay))) return undefined;
    const request = await deps.requests.get(requestId);
    if (request?.outcome?.status !== 'completed-pending-replication') return undefined;
    let read;
    try {
      read = await deps.directory.readUser(request.targetId, attributesOf(request.changes));
    } catch (error) {
      deps.log.warn('replication.recheck_read_failed', { requestId, code: toDirectoryError(error, 'The user').code });
      continue;
    }
    if (!allApplied(request.changes, read)) continue;
    const primary = primaryChange(request);
    const updated = await deps.requests.update(requestId, (r) =>
      r.outcome?.status !== 'completed-pending-replication'
        ? r
        : {
            ...r,
            outcome: {
              ...r.outcome,
              status: 'completed',
              after: read[primary.attribute] ?? null,
              changes: r.changes.map((c) => ({ ...c, after: read[c.attribute] ?? null })),
            },
            steps: (r.steps ?? []).map((s) => (s.name === 'verify' ? { ...s, status: 'done', at: nowIso(deps), detail: 'read back after replication' } : s)),
          },
    );
    if (updated?.outcome?.status !== 'completed') return undefined;
    await auditRequest(deps, updated, 'change.step', { before: primary.before, after: primary.after, detail: 'verify done: reads now show the change (directory replication caught up)' });
    deps.log.info('replication.caught_up', { requestId });
    return updated;
  }
  return undefined;
}

function defaultSleep(ms: number): Promise<boolean> {
  return new Promise((resolve) => setTimeout(() => resolve(true), ms).unref());
}
