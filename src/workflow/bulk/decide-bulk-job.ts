/**
 * What people do to a bulk job from its card: approve (the same rules as for one user: approver
 * role, four-eyes, N distinct approvals), reject with a reason, cancel, stop and resume. Every
 * transition is a compare-and-set on the job, so racing taps and instances cannot both win.
 */
import type { AuditLog } from '../../storage/audit-log';
import type { BulkJobStore } from '../../storage/bulk-job-store';
import type { RolePolicy } from '../roles';
import { baseConversationId } from '../create-request';
import type { Actor } from '../types';
import type { BulkJob, BulkJobState } from './types';

export interface BulkDecisionDeps {
  jobs: BulkJobStore;
  roles: RolePolicy;
  audit: AuditLog;
  approvals: { channelId?: string };
}

export type BulkDecision = 'approve' | 'reject' | 'cancel' | 'stop' | 'resume';

export type BulkDecisionResult =
  | { kind: 'not-found' }
  | { kind: 'wrong-conversation' }
  | { kind: 'not-allowed'; job: BulkJob; need: 'approver' | 'requester-or-approver' }
  | { kind: 'own-request'; job: BulkJob }
  | { kind: 'already-approved-by-you'; job: BulkJob }
  | { kind: 'reason-needed'; job: BulkJob }
  | { kind: 'already-handled'; job: BulkJob }
  /** More approvals needed. */
  | { kind: 'approval-recorded'; job: BulkJob }
  /** The job moved: approved (now running), rejected, cancelled, stopping or resumed (running). */
  | { kind: 'changed'; job: BulkJob; start: boolean };

export interface BulkDecisionInput {
  jobId: string;
  decision: BulkDecision;
  actor: Actor;
  conversationId: string;
  rejectReason?: string;
}

/** Where a tap may come from: the conversation it was asked in, or the approvers' channel. */
function fromJobConversation(deps: BulkDecisionDeps, job: BulkJob, conversationId: string): boolean {
  const base = baseConversationId(conversationId);
  return base === job.conversationId || (deps.approvals.channelId !== undefined && base === deps.approvals.channelId);
}

const audit = (deps: BulkDecisionDeps, job: BulkJob, event: Parameters<AuditLog['append']>[0]['event'], actor: Actor, detail: string) =>
  deps.audit.append({ event, requestId: job.id, actor, target: { id: job.id, upn: `bulk job (${job.items.length} users)` }, detail });

export async function decideBulkJob(deps: BulkDecisionDeps, input: BulkDecisionInput): Promise<BulkDecisionResult> {
  const job = await deps.jobs.get(input.jobId);
  if (!job) return { kind: 'not-found' };
  if (!fromJobConversation(deps, job, input.conversationId)) return { kind: 'wrong-conversation' };
  const actorId = input.actor.aadObjectId.toLowerCase();
  const isRequester = actorId !== '' && actorId === job.requester.aadObjectId.toLowerCase();
  const approver = await deps.roles.canApprove(input.actor);
  const move = async (from: BulkJobState[], update: (j: BulkJob) => BulkJob, start = false): Promise<BulkDecisionResult> => {
    const result = await deps.jobs.transitionFrom(job.id, from, update);
    return 'won' in result ? { kind: 'changed', job: result.won, start } : result.lost ? { kind: 'already-handled', job: result.lost } : { kind: 'not-found' };
  };

  switch (input.decision) {
    case 'approve': {
      if (job.state !== 'awaiting-approval') return { kind: 'already-handled', job };
      if (Date.parse(job.expiresAt) <= Date.now()) return move(['awaiting-approval'], (j) => ({ ...j, state: 'expired' }));
      if (!approver) {
        await audit(deps, job, 'request.refused', input.actor, 'bulk approval by someone who is not an approver');
        return { kind: 'not-allowed', job, need: 'approver' };
      }
      if (deps.roles.config.requireSeparateApprover && isRequester) {
        await audit(deps, job, 'request.refused', input.actor, 'requester tried to approve their own bulk request (four-eyes)');
        return { kind: 'own-request', job };
      }
      if (job.approvals.some((a) => a.actor.aadObjectId.toLowerCase() === actorId)) return { kind: 'already-approved-by-you', job };
      let completes = false;
      const result = await move(['awaiting-approval'], (j) => {
        if (j.approvals.some((a) => a.actor.aadObjectId.toLowerCase() === actorId)) return j;
        const at = new Date().toISOString();
        const approvals = [...j.approvals, { actor: input.actor, at }];
        completes = approvals.length >= j.requiredApprovals;
        return completes ? { ...j, approvals, state: 'running', approvedBy: input.actor, approvedAt: at } : { ...j, approvals };
      }, true);
      if (result.kind !== 'changed') return result;
      await audit(deps, result.job, 'request.approved', input.actor, `bulk approval ${result.job.approvals.length} of ${result.job.requiredApprovals}`);
      return completes ? result : { kind: 'approval-recorded', job: result.job };
    }
    case 'reject': {
      if (job.state !== 'awaiting-approval') return { kind: 'already-handled', job };
      if (!approver) return { kind: 'not-allowed', job, need: 'approver' };
      if (!input.rejectReason) return { kind: 'reason-needed', job };
      const result = await move(['awaiting-approval'], (j) => ({ ...j, state: 'rejected', rejectedBy: input.actor, rejectionReason: input.rejectReason as string }));
      if (result.kind === 'changed') await audit(deps, result.job, 'request.rejected', input.actor, `bulk: ${input.rejectReason}`);
      return result;
    }
    case 'cancel': {
      if (!isRequester && !approver) return { kind: 'not-allowed', job, need: 'requester-or-approver' };
      const result = await move(['awaiting-approval', 'stopped'], (j) => ({ ...j, state: 'cancelled', cancelledBy: input.actor }));
      if (result.kind === 'changed') await audit(deps, result.job, 'request.cancelled', input.actor, 'bulk job cancelled');
      return result;
    }
    case 'stop': {
      if (!approver) return { kind: 'not-allowed', job, need: 'approver' };
      const result = await move(['running'], (j) => ({ ...j, state: 'stopping', stoppedBy: input.actor }));
      if (result.kind === 'changed') await audit(deps, result.job, 'bulk.stopped', input.actor, 'bulk job stopped');
      return result;
    }
    case 'resume': {
      if (!approver) return { kind: 'not-allowed', job, need: 'approver' };
      const result = await move(['stopped'], (j) => ({ ...j, state: 'running' }), true);
      if (result.kind === 'changed') await audit(deps, result.job, 'bulk.resumed', input.actor, 'bulk job resumed');
      return result;
    }
  }
}
