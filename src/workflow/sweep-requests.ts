/** Periodic housekeeping: one reminder for requests waiting too long, expiry after the TTL. */
import { primaryChange } from './changes';
import { auditRequest, nowIso, WorkflowDeps } from './deps';
import type { ChangeRequest } from './types';

/** States that expire when nobody acts: waiting for approval, or waiting for the user to stop syncing. */
const PENDING: readonly ChangeRequest['state'][] = ['awaiting-approval', 'waiting-for-unsync'];

export interface SweepResult {
  expired: ChangeRequest[];
  reminders: ChangeRequest[];
}

/**
 * Expires a pending request whose time is up, even if housekeeping has not run yet, so a late
 * tap can never approve it. Returns the request as it is now.
 */
export async function expireIfDue(deps: WorkflowDeps, request: ChangeRequest): Promise<ChangeRequest> {
  if (!PENDING.includes(request.state) || Date.parse(request.expiresAt) > Date.parse(nowIso(deps))) return request;
  const result = await deps.requests.transition(request.id, PENDING, (r) => ({
    ...r,
    state: 'expired',
    outcome: { status: 'expired', before: primaryChange(r).before, after: primaryChange(r).before, at: nowIso(deps) },
  }));
  if ('won' in result) {
    await auditRequest(deps, result.won, 'request.expired', { before: primaryChange(result.won).before, detail: 'nobody decided before the request expired' });
    deps.onExpired?.(result.won);
    return result.won;
  }
  return result.lost ?? request;
}

/** Expires and reminds; each request is claimed through an eTag transition, so one instance acts. */
export async function sweepRequests(deps: WorkflowDeps): Promise<SweepResult> {
  const now = Date.parse(nowIso(deps));
  const expired: ChangeRequest[] = [];
  const reminders: ChangeRequest[] = [];
  for (const request of await deps.requests.listByState(PENDING)) {
    if (Date.parse(request.expiresAt) <= now) {
      const result = await deps.requests.transition(request.id, PENDING, (r) => ({
        ...r,
        state: 'expired',
        outcome: { status: 'expired', before: primaryChange(r).before, after: primaryChange(r).before, at: new Date(now).toISOString() },
      }));
      if ('won' in result) {
        await auditRequest(deps, result.won, 'request.expired', { before: primaryChange(result.won).before, detail: 'nobody decided before the request expired' });
        expired.push(result.won);
      }
    } else if (request.state === 'awaiting-approval' && !request.remindedAt && Date.parse(request.createdAt) + deps.approvals.reminderAfterMs <= now) {
      const result = await deps.requests.transition(request.id, ['awaiting-approval'], (r) =>
        r.remindedAt ? r : { ...r, remindedAt: new Date(now).toISOString() },
      );
      if ('won' in result && result.won.remindedAt === new Date(now).toISOString()) reminders.push(result.won);
    }
  }
  return { expired, reminders };
}
