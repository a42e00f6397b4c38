/**
 * A user found only in deleted items (e.g. Entra Connect deleted it when its on-prem object left
 * sync scope): restore it, then clear the immutable ID, so it lives on as a cloud-only user the
 * next sync may match again. Two writes, each its own step in the audit.
 */
import type { Directory } from '../../directory/graph-directory';
import { DirectoryError } from '../../directory/directory-error';
import type { UserSnapshot } from '../../directory/types';
import { patchOf } from '../changes';
import { deletedSnapshot } from '../find-deleted';
import type { AttributeChange, Blocker, ChangeRequest, StepName } from '../types';
import type { AssessContext, ChangeKindModule } from './change-kind';
import { protectionBlockers } from './protection';

function plan(snapshot: UserSnapshot): AttributeChange[] {
  return [{ attribute: 'onPremisesImmutableId', before: snapshot.user.onPremisesImmutableId, after: null }];
}

/** Only a user still in deleted items, with an anchor to clear, on a domain where clearing works. */
function assess(snapshot: UserSnapshot, _changes: readonly AttributeChange[], context: AssessContext): Blocker[] {
  const blockers = protectionBlockers(snapshot, context.protection);
  if (!snapshot.deleted) blockers.push({ kind: 'not-deleted' });
  else if (snapshot.user.onPremisesImmutableId === null) blockers.push({ kind: 'already-empty' });
  else if (snapshot.domain.authenticationType === 'Federated') blockers.push({ kind: 'federated', domain: snapshot.domain.id });
  return blockers;
}

/** Before writing: the user must still be in deleted items (someone may have restored or purged it). */
async function readTarget(directory: Directory, request: ChangeRequest): Promise<UserSnapshot> {
  const deleted = await deletedSnapshot(directory, { kind: 'objectId', value: request.targetId });
  if (deleted) return deleted;
  try {
    return await directory.findUser({ kind: 'objectId', value: request.targetId });
  } catch (error) {
    if (error instanceof DirectoryError && error.code === 'directory.user_not_found') {
      throw new DirectoryError('directory.user_not_found', `${request.targetUpn} is no longer in deleted items (purged?) and is not a live user either`, { status: 404 });
    }
    throw error;
  }
}

function leftState(failed: StepName, request: ChangeRequest): string {
  if (failed === 'restore') return `${request.targetUpn} is still in deleted items: nothing was changed.`;
  return `${request.targetUpn} WAS restored: it is a live, cloud-only user again, but its immutable ID is still set. Clear it with “clear immutable id for ${request.targetUpn}”.`;
}

const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'an unknown time');

export const restoreAndClear: ChangeKindModule = {
  kind: 'restore-and-clear',
  plan,
  assess,
  checksUniqueness: false,
  steps: ['restore', 'patch', 'verify'],
  apply: (step, directory, request) =>
    step === 'restore' ? directory.restoreDeletedUser(request.targetId) : directory.updateUser(request.targetId, patchOf(request.changes)),
  planAgain: (snapshot) => (snapshot.deleted ? plan(snapshot) : null),
  readTarget,
  leftState,
  present: (request, snapshot) => ({
    headline: 'Restore and clear?',
    explanation:
      `${request.targetUpn} is in deleted items (deleted ${when(snapshot.deleted?.deletedDateTime)}; who deleted it is not recorded in Graph — ` +
      'the Entra audit log has it). Approving restores the user from deleted items, then clears its immutable ID, so it stays a cloud-only user the next sync can match.',
    facts: [
      { title: 'Step 1', value: 'POST /directory/deletedItems/{id}/restore' },
      { title: 'Step 2', value: `onPremisesImmutableId ${snapshot.user.onPremisesImmutableId ?? '(empty)'} → (empty)` },
    ],
    approveNote: 'Restoring and clearing keeps the current value in the audit record. Only an approver can approve.',
  }),
  wording: {
    action: 'restore and clear the immutable ID',
    doing: 'Restoring and clearing the immutable ID',
    done: 'was restored from deleted items and its immutable ID cleared',
    doneTitle: 'Restored and immutable ID cleared',
    pendingTitle: 'Restored and cleared — waiting for directory replication',
    next: 'The user is cloud-only now; run a delta sync on the Entra Connect server if it should match an on-prem account.',
    approveTitle: 'Restore and clear',
  },
};
