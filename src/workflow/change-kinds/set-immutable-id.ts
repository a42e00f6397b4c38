/** Hard match: PATCH onPremisesImmutableId to the anchor of a chosen on-prem object. */
import type { UserSnapshot } from '../../directory/types';
import { patchOf } from '../changes';
import type { AttributeChange, Blocker } from '../types';
import type { AssessContext, ChangeKindModule, PlanInput } from './change-kind';
import { protectionBlockers, syncedBlockers } from './protection';

function plan(snapshot: UserSnapshot, input: PlanInput): AttributeChange[] {
  return [{ attribute: 'onPremisesImmutableId', before: snapshot.user.onPremisesImmutableId, after: input.immutableId ?? null }];
}

/** Policy, sync state, and uniqueness: Graph refuses a value another object holds. */
function assess(snapshot: UserSnapshot, changes: readonly AttributeChange[], context: AssessContext): Blocker[] {
  const blockers = [...protectionBlockers(snapshot, context.protection), ...syncedBlockers(snapshot)];
  const holder = context.holders.find((u) => u.id !== snapshot.user.id);
  if (holder) blockers.push({ kind: 'value-taken', heldBy: { id: holder.id, userPrincipalName: holder.userPrincipalName, displayName: holder.displayName } });
  const value = changes[0]?.after ?? null;
  if (value !== null && snapshot.user.onPremisesImmutableId === value) blockers.push({ kind: 'same-value' });
  return blockers;
}

export const setImmutableId: ChangeKindModule = {
  kind: 'set-immutable-id',
  plan,
  assess,
  checksUniqueness: true,
  steps: ['patch', 'verify'],
  apply: (_step, directory, request) => directory.updateUser(request.targetId, patchOf(request.changes)),
  planAgain: (snapshot, previous) => plan(snapshot, { immutableId: previous.changes[0]?.after ?? undefined }),
  wording: {
    action: 'set the immutable ID (hard match)',
    doing: 'Setting the immutable ID',
    done: 'was set for a hard match',
    doneTitle: 'Immutable ID set (hard match)',
    pendingTitle: 'Set — waiting for directory replication',
    next: 'Run a delta sync on the Entra Connect server; the on-prem object must be in sync scope.',
  },
};
