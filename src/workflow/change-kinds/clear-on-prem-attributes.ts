/**
 * Clears the seven on-prem attributes Microsoft documents as clearable on cloud-only users: a
 * user that stopped syncing keeps them, and Windows, Intune and Outlook may still act on them.
 * One PATCH through the beta endpoint; every old value stays in the request and the audit.
 */
import { ON_PREMISES_ATTRIBUTES, type UserSnapshot } from '../../directory/types';
import { patchOf } from '../changes';
import type { AttributeChange, Blocker } from '../types';
import type { AssessContext, ChangeKindModule, PlanInput } from './change-kind';
import { protectionBlockers, syncedBlockers } from './protection';

/** One change per attribute that still holds a value. */
function plan(_snapshot: UserSnapshot, input: PlanInput): AttributeChange[] {
  const values = input.onPremises ?? {};
  return ON_PREMISES_ATTRIBUTES.flatMap((attribute) => {
    const before = values[attribute] ?? null;
    return before === null ? [] : [{ attribute, before, after: null }];
  });
}

function assess(snapshot: UserSnapshot, changes: readonly AttributeChange[], context: AssessContext): Blocker[] {
  const blockers = [...protectionBlockers(snapshot, context.protection), ...syncedBlockers(snapshot)];
  if (changes.length === 0) blockers.push({ kind: 'already-empty' });
  else if (snapshot.domain.authenticationType === 'Federated' && changes.some((c) => c.attribute === 'onPremisesImmutableId')) {
    // A federated-UPN user must keep its anchor: move the UPN first (clear immutable id offers that).
    blockers.push({ kind: 'federated', domain: snapshot.domain.id });
  }
  return blockers;
}

export const clearOnPremAttributes: ChangeKindModule = {
  kind: 'clear-on-prem-attributes',
  plan,
  assess,
  checksUniqueness: false,
  steps: ['patch', 'verify'],
  apply: (_step, directory, request) => directory.updateUser(request.targetId, patchOf(request.changes)),
  // The values come from a separate read: when the user changed, ask again for a fresh card.
  planAgain: () => null,
  present: (request) => ({
    headline: 'Clear the on-premises attributes?',
    explanation:
      `Approving clears these leftover on-premises attributes of ${request.targetUpn} in one change (Graph beta, as Microsoft documents for cloud-only users). ` +
      'Every old value is kept in the audit record and shown by “history”.',
    facts: request.changes.map((c) => ({ title: c.attribute, value: `${c.before ?? '(empty)'} → (empty)` })),
    approveNote: 'The current values are kept in the audit record. Only an approver can approve.',
  }),
  wording: {
    action: 'clear the on-premises attributes',
    doing: 'Clearing the on-premises attributes',
    done: 'had its on-premises attributes cleared',
    doneTitle: 'On-premises attributes cleared',
    pendingTitle: 'Cleared — waiting for directory replication',
    next: "The old values are in the audit record: send `history` and the user's UPN to see them.",
    approveTitle: 'Clear attributes',
  },
};
