/** Clear: PATCH onPremisesImmutableId to null, so the next sync can match another on-prem object. */
import type { UserSnapshot } from '../../directory/types';
import { patchOf } from '../changes';
import type { AttributeChange, Blocker } from '../types';
import type { ChangeKindModule } from './change-kind';
import { protectionBlockers, syncedBlockers, type Protection } from './protection';

function plan(snapshot: UserSnapshot): AttributeChange[] {
  return [{ attribute: 'onPremisesImmutableId', before: snapshot.user.onPremisesImmutableId, after: null }];
}

/** The reasons Graph would refuse, policy forbids, or the clear would be pointless; empty means go ahead. */
export function assessClear(snapshot: UserSnapshot, protection: Protection = { allowPrivilegedTargets: true }): Blocker[] {
  const blockers = [...protectionBlockers(snapshot, protection), ...syncedBlockers(snapshot)];
  if (snapshot.user.onPremisesImmutableId === null || snapshot.user.onPremisesImmutableId === '') {
    blockers.push({ kind: 'already-empty' });
  } else if (snapshot.domain.authenticationType === 'Federated') {
    // A federated-UPN user cannot be left without an anchor.
    blockers.push({ kind: 'federated', domain: snapshot.domain.id });
  }
  return blockers;
}

export const clearImmutableId: ChangeKindModule = {
  kind: 'clear-immutable-id',
  plan,
  assess: (snapshot, _changes, context) => assessClear(snapshot, context.protection),
  checksUniqueness: false,
  steps: ['patch', 'verify'],
  apply: (_step, directory, request) => directory.updateUser(request.targetId, patchOf(request.changes)),
  planAgain: (snapshot) => plan(snapshot),
  wording: {
    action: 'clear the immutable ID',
    doing: 'Clearing the immutable ID',
    done: 'was cleared',
    doneTitle: 'Immutable ID cleared',
    pendingTitle: 'Cleared — waiting for directory replication',
    next: 'Run a delta sync on the Entra Connect server so it can re-match the user.',
  },
};
