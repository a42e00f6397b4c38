/** What every command that opens a request replies, and the card for a change that cannot go ahead. */
import { escapeCardText as esc, renderUserCard } from '../cards';
import type { UserSnapshot } from '../directory/types';
import { needsOthersApproval } from '../workflow/create-request';
import type { Blocker, ChangeKind, ChangeRequest } from '../workflow/types';
import type { ConversationDeps } from './deps';
import { postToApprovers } from './post-to-approvers';
import { card, CardJson, Reply, text } from './replies';
import { renderRequestCard } from './request-cards';

/** The request's card (the requester's copy), a note when nobody can approve, and the approvers' channel when needed. */
export async function offerRequest(deps: ConversationDeps, request: ChangeRequest): Promise<Reply[]> {
  const replies: Reply[] = [card(renderRequestCard(deps, request, 'anyone'), { requestId: request.id, role: 'requester' })];
  if (!deps.roles.hasApprovers()) {
    replies.push(text('Nobody is configured as an approver (APPROVER_IDS / APPROVER_GROUP_ID), so this request cannot be approved. Ask whoever runs the bot to configure approvers.'));
  }
  const channel = deps.approvals.channelId;
  if (channel && deps.chat && request.conversationId !== channel && (await needsOthersApproval(deps, request))) {
    replies.push(...(await postToApprovers(deps, request, channel)));
  }
  return replies;
}

export interface BlockedCardInput {
  snapshot: UserSnapshot;
  blockers: Blocker[];
  /** The change that was looked at (its reasons are worded for it). */
  kind: ChangeKind;
  purpose: 'clear' | 'show';
  requestedBy?: string;
  reason?: string;
  notice?: string;
}

/** The state card for a change that cannot go ahead, with the reasons and, for a synced user, "Clear when unsynced". */
export function renderBlockedCard(deps: ConversationDeps, input: BlockedCardInput): CardJson {
  const { snapshot, blockers } = input;
  const otherReasons = blockers.flatMap((b) => describeBlocker(b, snapshot));
  // Waiting makes sense when sync is the only thing in the way (not a protected account).
  const waitable = blockers.some((b) => b.kind === 'synced') && blockers.every((b) => b.kind === 'synced' || b.kind === 'federated');
  return renderUserCard({
    snapshot,
    blockers,
    purpose: input.purpose,
    sandbox: deps.sandbox,
    ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.notice ? { notice: input.notice } : {}),
    ...(otherReasons.length > 0 ? { otherReasons } : {}),
    ...(waitable && !snapshot.deleted ? { whenUnsyncedUserId: snapshot.user.id } : {}),
  });
}

const when = (iso: string | null | undefined): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'an unknown time');

/** Reasons the user card has no block of its own for (bot-written markdown, values escaped). */
function describeBlocker(blocker: Blocker, snapshot: UserSnapshot): string[] {
  switch (blocker.kind) {
    case 'not-deleted':
      return [`**Not in deleted items any more.** ${esc(snapshot.user.userPrincipalName)} was restored or permanently deleted since; look it up again with “show”.`];
    case 'no-initial-domain':
      return ["**No initial domain found.** GET /domains listed no initial .onmicrosoft.com domain to move the UPN to, so the federated workaround can't be offered. Check the app's Domain.Read.All permission."];
    case 'needs-anchor':
      return [
        `**The user has no anchor yet.** ${esc(blocker.upn)} is on a federated domain, which needs an immutable ID: let the next sync match the user first (it writes the new anchor), or set the new anchor in the same change that restores the UPN (“match <user> to <anchor>”, then Restore UPN).`,
      ];
    default:
      return snapshot.deleted && blocker.kind === 'already-empty'
        ? [`**Deleted ${when(snapshot.deleted.deletedDateTime)}, nothing to clear.** Restore it in the Entra admin center (Deleted users) if it is still needed.`]
        : [];
  }
}
