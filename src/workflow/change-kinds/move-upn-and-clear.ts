/**
 * A user whose UPN is in a federated domain cannot be left without an anchor (Entra's
 * SourceAnchor rule). The workaround as one PATCH: move the UPN to the tenant's initial
 * .onmicrosoft.com domain and clear the immutable ID. The old UPN stays in the request and the
 * audit, and the outcome offers Restore UPN once the user has an anchor again.
 */
import type { UserSnapshot } from '../../directory/types';
import { patchOf } from '../changes';
import type { AttributeChange, Blocker } from '../types';
import type { AssessContext, ChangeKindModule, PlanInput } from './change-kind';
import { protectionBlockers, syncedBlockers } from './protection';

/** The same local part on another domain. */
export function upnOnDomain(upn: string, domain: string): string {
  return `${upn.slice(0, upn.lastIndexOf('@'))}@${domain}`;
}

function plan(snapshot: UserSnapshot, input: PlanInput): AttributeChange[] {
  const upn = snapshot.user.userPrincipalName;
  return [
    { attribute: 'onPremisesImmutableId', before: snapshot.user.onPremisesImmutableId, after: null },
    { attribute: 'userPrincipalName', before: upn, after: input.initialDomain ? upnOnDomain(upn, input.initialDomain) : upn },
  ];
}

function assess(snapshot: UserSnapshot, changes: readonly AttributeChange[], context: AssessContext): Blocker[] {
  const blockers = [...protectionBlockers(snapshot, context.protection), ...syncedBlockers(snapshot)];
  if (snapshot.user.onPremisesImmutableId === null) blockers.push({ kind: 'already-empty' });
  const move = changes.find((c) => c.attribute === 'userPrincipalName');
  if (!move || move.after === null || move.after === move.before) blockers.push({ kind: 'no-initial-domain' });
  return blockers;
}

/** The UPN a move-UPN-and-clear request moved away from (what Restore UPN moves back to). */
export function movedFromUpn(changes: readonly AttributeChange[]): { from: string; to: string } | undefined {
  const move = changes.find((c) => c.attribute === 'userPrincipalName');
  return move?.before && move.after ? { from: move.before, to: move.after } : undefined;
}

export const moveUpnAndClear: ChangeKindModule = {
  kind: 'move-upn-and-clear',
  plan,
  assess,
  checksUniqueness: false,
  // One PATCH carries both: Graph accepts clearing the anchor when the same call leaves the federated domain.
  steps: ['patch', 'verify'],
  apply: (_step, directory, request) => directory.updateUser(request.targetId, patchOf(request.changes)),
  planAgain: (snapshot, previous) => {
    const moved = movedFromUpn(previous.changes);
    const domain = moved ? moved.to.slice(moved.to.lastIndexOf('@') + 1) : undefined;
    return domain ? plan(snapshot, { initialDomain: domain }) : null;
  },
  present: (request, snapshot) => {
    const moved = movedFromUpn(request.changes);
    return {
      headline: 'Move the UPN and clear the immutable ID?',
      explanation:
        `${snapshot.domain.id} is a federated domain, and a federated user must keep a source anchor (SourceAnchor rule), so the immutable ID cannot simply be cleared. ` +
        `Approving moves the UPN to the tenant's initial domain and clears the immutable ID in one change; the old UPN is kept in the audit record. ` +
        'Move it back (Restore UPN) only after the next sync has matched the user, or set the new anchor in the same change.',
      facts: [
        { title: 'UPN', value: `${moved?.from ?? request.targetUpn} → ${moved?.to ?? '?'}` },
        { title: 'Immutable ID', value: `${snapshot.user.onPremisesImmutableId ?? '(empty)'} → (empty)` },
      ],
      approveNote: 'The current UPN and immutable ID are kept in the audit record. Only an approver can approve.',
    };
  },
  wording: {
    action: 'move the UPN and clear the immutable ID',
    doing: 'Moving the UPN and clearing the immutable ID',
    done: 'was moved to its .onmicrosoft.com UPN and its immutable ID cleared',
    doneTitle: 'UPN moved and immutable ID cleared',
    pendingTitle: 'Moved and cleared — waiting for directory replication',
    next:
      'Before the UPN goes back to the federated domain, let the next sync match the user (it writes the new anchor), or set the new anchor in the same change that restores the UPN. Then use Restore UPN.',
    approveTitle: 'Move UPN and clear',
  },
};
