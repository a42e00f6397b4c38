/**
 * Requests stored before the change model had a list of attribute changes (`shownValue`/`newValue`,
 * outcome status `cleared`) are read into today's shape, so old pending cards and records keep working.
 */
import type { ChangeOutcome, ChangeRequest, RequestStep } from './types';

/** The fields of a request as stored by earlier versions. */
interface LegacyFields {
  shownValue?: string | null;
  newValue?: string | null;
}

const LEGACY_STATUS: Record<string, ChangeOutcome['status']> = {
  cleared: 'completed',
  'cleared-pending-replication': 'completed-pending-replication',
};

/** Returns the request in the current shape; requests already in it come back unchanged. */
export function normaliseRequest(stored: ChangeRequest): ChangeRequest {
  const raw = stored as ChangeRequest & LegacyFields;
  const legacyStatus = raw.outcome ? LEGACY_STATUS[raw.outcome.status as string] : undefined;
  if (Array.isArray(raw.changes) && Array.isArray(raw.steps) && !legacyStatus && !('shownValue' in raw)) return stored;
  const { shownValue, newValue, ...rest } = raw;
  const changes = Array.isArray(raw.changes)
    ? raw.changes
    : [{ attribute: 'onPremisesImmutableId' as const, before: shownValue ?? null, after: newValue ?? null }];
  const outcome = raw.outcome && legacyStatus ? { ...raw.outcome, status: legacyStatus } : raw.outcome;
  return {
    ...rest,
    changes,
    steps: Array.isArray(raw.steps) ? raw.steps : legacySteps(raw.state, outcome),
    ...(outcome ? { outcome } : {}),
  };
}

/** The patch → verify steps an old clear request went through, as far as its state tells. */
function legacySteps(state: ChangeRequest['state'], outcome: ChangeOutcome | undefined): RequestStep[] {
  const at = outcome?.at;
  if (state === 'completed') {
    return [
      { name: 'patch', status: 'done', ...(at ? { at } : {}) },
      { name: 'verify', status: outcome?.status === 'completed' ? 'done' : 'pending', ...(at ? { at } : {}) },
    ];
  }
  if (state === 'failed') return [{ name: 'patch', status: 'failed', ...(at ? { at } : {}) }, { name: 'verify', status: 'skipped' }];
  const ended = state !== 'awaiting-approval' && state !== 'executing';
  return [
    { name: 'patch', status: ended ? 'skipped' : 'pending' },
    { name: 'verify', status: ended ? 'skipped' : 'pending' },
  ];
}
