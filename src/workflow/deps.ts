/** What the workflow functions need, passed in so tests and the sandbox can swap any part. */
import { randomBytes } from 'node:crypto';
import type { Directory } from '../directory/graph-directory';
import type { Logger } from '../log';
import type { AuditLog } from '../storage/audit-log';
import type { RequestStore } from '../storage/request-store';
import type { ApproverPolicy } from './approver-policy';

export interface WorkflowDeps {
  directory: Directory;
  requests: RequestStore;
  audit: AuditLog;
  approvers: ApproverPolicy;
  log: Logger;
  /** How long to poll for the cleared value before reporting "waiting for replication". */
  verifyMaxWaitMs: number;
  now?: () => Date;
  newRequestId?: () => string;
}

/** 128 random bits, URL-safe: unguessable, so a card action cannot be forged by guessing. */
export function newRequestId(): string {
  return randomBytes(16).toString('base64url');
}

export function nowIso(deps: Pick<WorkflowDeps, 'now'>): string {
  return (deps.now ? deps.now() : new Date()).toISOString();
}
