/** What the workflow functions need, passed in so tests and the sandbox can swap any part. */
import { randomBytes } from 'node:crypto';
import type { Directory } from '../directory/graph-directory';
import type { Logger } from '../log';
import type { AuditEntry, AuditLog } from '../storage/audit-log';
import type { RequestStore } from '../storage/request-store';
import type { RolePolicy } from './roles';
import type { ChangeRequest } from './types';

export interface WorkflowDeps {
  directory: Directory;
  requests: RequestStore;
  audit: AuditLog;
  roles: RolePolicy;
  protection: { allowPrivilegedTargets: boolean; protectedGroupId?: string };
  approvals: { channelId?: string; reminderAfterMs: number; requestTtlMs: number; unsyncCheckIntervalMs: number };
  log: Logger;
  /** How long to poll for the cleared value before reporting "waiting for replication". */
  verifyMaxWaitMs: number;
  /** This process's id as a lease owner (default: a random id per process). */
  instanceId?: string;
  /** How long an executing request's lease lasts between renewals (EXECUTION_LEASE, default 2 minutes). */
  executionLeaseMs?: number;
  /** Single-process storage (DATA_DIR lock): a lease held by another instance id belonged to a previous, dead process. */
  soleInstance?: boolean;
  now?: () => Date;
  newRequestId?: () => string;
  /** Told when a tap (not the sweep) finds a request past its expiry and expires it, so it is announced the same way. */
  onExpired?: (request: ChangeRequest) => void;
}

/** 128 random bits as hex: unguessable (a card action cannot be forged by guessing) and plain to copy into `cancel <id>`. */
export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

export function nowIso(deps: Pick<WorkflowDeps, 'now'>): string {
  return (deps.now ? deps.now() : new Date()).toISOString();
}

/** Appends an audit entry about a request. */
export function auditRequest(
  deps: WorkflowDeps,
  request: ChangeRequest,
  event: AuditEntry['event'],
  fields: Partial<Pick<AuditEntry, 'actor' | 'before' | 'after' | 'changes' | 'graphRequestId' | 'detail'>> = {},
): Promise<AuditEntry> {
  return deps.audit.append({
    event,
    requestId: request.id,
    kind: request.kind,
    actor: fields.actor ?? request.requester,
    target: { id: request.targetId, upn: request.targetUpn },
    ...(fields.before !== undefined ? { before: fields.before } : {}),
    ...(fields.after !== undefined ? { after: fields.after } : {}),
    ...(fields.changes ? { changes: fields.changes } : {}),
    ...(fields.graphRequestId ? { graphRequestId: fields.graphRequestId } : {}),
    ...(fields.detail ? { detail: fields.detail } : {}),
  });
}
