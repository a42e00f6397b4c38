/**
 * The lease an "executing" request carries: which process runs the change and until when. The
 * owner renews it (compare-and-set) before every directory write and while verifying; a request
 * whose lease has run out may be taken over by any instance, which settles it by reading back.
 */
import { randomBytes } from 'node:crypto';
import { nowIso, WorkflowDeps } from './deps';
import type { ChangeRequest, ExecutionLease } from './types';

/** This process: a new id at every start, so a restarted process never mistakes an old lease for its own. */
export const PROCESS_INSTANCE_ID = randomBytes(8).toString('hex');

export const DEFAULT_EXECUTION_LEASE_MS = 120_000;

/** Thrown out of a transition's update to abort it without writing. */
class LeaseLost extends Error {}

export type LeaseDeps = Pick<WorkflowDeps, 'requests' | 'now' | 'instanceId' | 'executionLeaseMs' | 'soleInstance'>;

export function instanceOf(deps: Pick<WorkflowDeps, 'instanceId'>): string {
  return deps.instanceId ?? PROCESS_INSTANCE_ID;
}

export function newLease(deps: LeaseDeps): ExecutionLease {
  const now = deps.now ? deps.now() : new Date();
  return { owner: instanceOf(deps), expiresAt: new Date(now.getTime() + (deps.executionLeaseMs ?? DEFAULT_EXECUTION_LEASE_MS)).toISOString() };
}

export function ownsLease(deps: LeaseDeps, request: ChangeRequest): boolean {
  return request.state === 'executing' && request.lease?.owner === instanceOf(deps);
}

/**
 * Whether an executing request may be taken over. A request stored before leases existed counts
 * from its last update. With single-process storage (the DATA_DIR lock) a lease held by another
 * instance id was held by a previous process of this bot, which is gone.
 */
export function leaseExpired(deps: LeaseDeps, request: ChangeRequest): boolean {
  if (request.state !== 'executing') return false;
  const now = Date.parse(nowIso(deps));
  if (!request.lease) return Date.parse(request.updatedAt) + (deps.executionLeaseMs ?? DEFAULT_EXECUTION_LEASE_MS) <= now;
  if (deps.soleInstance && request.lease.owner !== instanceOf(deps)) return true;
  return Date.parse(request.lease.expiresAt) <= now;
}

/**
 * Renews this instance's lease (and applies `update`, e.g. the steps done so far) in one
 * compare-and-set, but only while the request is still executing under our unexpired lease.
 * Returns the renewed request, or undefined when the lease is lost (nothing is written).
 * Storage errors propagate: the caller must then not write either.
 */
export async function renewLease(
  deps: LeaseDeps,
  id: string,
  update: (current: ChangeRequest) => ChangeRequest = (r) => r,
): Promise<ChangeRequest | undefined> {
  try {
    const result = await deps.requests.transition(id, ['executing'], (r) => {
      if (!ownsLease(deps, r) || leaseExpired(deps, r)) throw new LeaseLost();
      return { ...update(r), lease: newLease(deps) };
    });
    return 'won' in result ? result.won : undefined;
  } catch (error) {
    if (error instanceof LeaseLost) return undefined;
    throw error;
  }
}

/** Takes over an expired lease (compare-and-set), so exactly one instance settles the request. */
export async function takeOverLease(deps: LeaseDeps, id: string): Promise<ChangeRequest | undefined> {
  try {
    const result = await deps.requests.transition(id, ['executing'], (r) => {
      if (!leaseExpired(deps, r)) throw new LeaseLost();
      return { ...r, lease: newLease(deps) };
    });
    return 'won' in result ? result.won : undefined;
  } catch (error) {
    if (error instanceof LeaseLost) return undefined;
    throw error;
  }
}

/**
 * Moves a request out of "executing" only while this instance still holds the lease (expired or
 * not: nobody took it over, so what we know is still the truth). Undefined when another instance
 * took it over or settled it.
 */
export async function settleUnderLease(
  deps: LeaseDeps,
  id: string,
  update: (current: ChangeRequest) => ChangeRequest,
): Promise<ChangeRequest | undefined> {
  try {
    const result = await deps.requests.transition(id, ['executing'], (r) => {
      if (r.lease && r.lease.owner !== instanceOf(deps)) throw new LeaseLost();
      const { lease: _lease, ...rest } = update(r);
      return rest;
    });
    return 'won' in result ? result.won : undefined;
  } catch (error) {
    if (error instanceof LeaseLost) return undefined;
    throw error;
  }
}
