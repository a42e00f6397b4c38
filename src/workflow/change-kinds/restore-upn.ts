/**
 * Restore UPN: after a move-UPN-and-clear, put the user back on its federated UPN. Entra refuses
 * a federated UPN without an anchor, so the user must have one again (the sync matched it, or a
 * hard match set it) — the card says so instead of offering the button.
 */
import type { UserSnapshot } from '../../directory/types';
import { patchOf } from '../changes';
import type { AttributeChange, Blocker } from '../types';
import type { AssessContext, ChangeKindModule, PlanInput } from './change-kind';
import { protectionBlockers, syncedBlockers } from './protection';

function plan(snapshot: UserSnapshot, input: PlanInput): AttributeChange[] {
  return [{ attribute: 'userPrincipalName', before: snapshot.user.userPrincipalName, after: input.upn ?? snapshot.user.userPrincipalName }];
}

function assess(snapshot: UserSnapshot, changes: readonly AttributeChange[], context: AssessContext): Blocker[] {
  const blockers = [...protectionBlockers(snapshot, context.protection), ...syncedBlockers(snapshot)];
  const change = changes[0];
  if (change && change.after === snapshot.user.userPrincipalName) blockers.push({ kind: 'same-value' });
  else if (snapshot.user.onPremisesImmutableId === null) blockers.push({ kind: 'needs-anchor', upn: change?.after ?? '' });
  return blockers;
}

export const restoreUpn: ChangeKindModule = {
  kind: 'restore-upn',
  plan,
  assess,
  checksUniqueness: false,
  steps: ['patch', 'verify'],
  apply: (_step, directory, request) => directory.updateUser(request.targetId, patchOf(request.changes)),
  planAgain: () => null,
  present: (request, snapshot) => ({
    headline: 'Restore the UPN?',
    explanation: `Approving moves ${request.targetUpn} back to its UPN on the federated domain. It has an anchor again (${snapshot.user.onPremisesImmutableId ?? '(empty)'}), so Entra accepts the federated UPN.`,
    facts: request.changes.map((c) => ({ title: 'UPN', value: `${c.before ?? '(empty)'} → ${c.after ?? '(empty)'}` })),
    approveNote: 'The current UPN is kept in the audit record. Only an approver can approve.',
  }),
  wording: {
    action: 'restore the UPN',
    doing: 'Restoring the UPN',
    done: 'is back on its federated UPN',
    doneTitle: 'UPN restored',
    pendingTitle: 'UPN restored — waiting for directory replication',
    next: 'Users sign in with the federated UPN again.',
    approveTitle: 'Restore UPN',
  },
};
