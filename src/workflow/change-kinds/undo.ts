/** Undo: write back the values a completed change replaced, as its audit record kept them. */
import type { UserSnapshot } from '../../directory/types';
import { patchOf, valueOn } from '../changes';
import type { AttributeChange, Blocker } from '../types';
import type { AssessContext, ChangeKindModule, PlanInput } from './change-kind';
import { protectionBlockers, syncedBlockers } from './protection';

/** Each reversed change: from what the change wrote back to what it replaced. */
function plan(_snapshot: UserSnapshot, input: PlanInput): AttributeChange[] {
  return (input.reverse ?? []).map((c) => ({ attribute: c.attribute, before: c.after, after: c.before }));
}

/** Refused when the user no longer holds what the change wrote, or another user holds the value to restore. */
function assess(snapshot: UserSnapshot, changes: readonly AttributeChange[], context: AssessContext): Blocker[] {
  const blockers = [...protectionBlockers(snapshot, context.protection), ...syncedBlockers(snapshot)];
  for (const c of changes) {
    const current = valueOn(snapshot.user, c.attribute);
    if (current !== undefined && current !== c.before) {
      blockers.push({ kind: 'changed-since', attribute: c.attribute, expected: c.before, current });
    }
  }
  const holder = context.holders.find((u) => u.id !== snapshot.user.id);
  if (holder) blockers.push({ kind: 'value-taken', heldBy: { id: holder.id, userPrincipalName: holder.userPrincipalName, displayName: holder.displayName } });
  return blockers;
}

export const undo: ChangeKindModule = {
  kind: 'undo',
  plan,
  assess,
  checksUniqueness: true,
  steps: ['patch', 'verify'],
  apply: (_step, directory, request) => directory.updateUser(request.targetId, patchOf(request.changes)),
  // An undo is asked for by request id; when the user changed, it must be asked for again.
  planAgain: () => null,
  wording: {
    action: 'undo the change',
    doing: 'Undoing the change',
    done: 'was restored to its earlier value',
    doneTitle: 'Change undone',
    pendingTitle: 'Undone — waiting for directory replication',
    next: 'Run a delta sync on the Entra Connect server so it picks up the restored value.',
  },
};
