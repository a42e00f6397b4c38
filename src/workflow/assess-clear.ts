/** Decides, before any write, whether clearing can succeed for this user. Pure. */
import type { UserSnapshot } from '../directory/types';
import type { ClearBlocker } from './types';

/** The reasons Graph would refuse (or the clear would be pointless); empty means go ahead. */
export function assessClear(snapshot: UserSnapshot): ClearBlocker[] {
  const blockers: ClearBlocker[] = [];
  const { user, domain } = snapshot;
  if (user.onPremisesSyncEnabled === true) {
    blockers.push({ kind: 'synced', lastSyncDateTime: user.onPremisesLastSyncDateTime });
  }
  if (user.onPremisesImmutableId === null || user.onPremisesImmutableId === '') {
    blockers.push({ kind: 'already-empty' });
  } else if (domain.authenticationType === 'Federated') {
    blockers.push({ kind: 'federated', domain: domain.id });
  }
  return blockers;
}
