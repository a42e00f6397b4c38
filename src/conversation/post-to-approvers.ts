/** Posts a request's approval card to the approvers' channel; says what to do when the bot can't. */
import type { ChangeRequest } from '../workflow/types';
import type { ChatPort } from './chat-port';
import type { ConversationDeps } from './deps';
import { Reply, text } from './replies';
import { renderRequestCard } from './request-cards';

export async function postToApprovers(deps: ConversationDeps, request: ChangeRequest, channelId: string): Promise<Reply[]> {
  const posted = await (deps.chat as ChatPort).postToChannel(channelId, renderRequestCard(deps, request, 'approver'), 'approvers');
  if (posted.ok) {
    await deps.requests.update(request.id, (r) => ({
      ...r,
      cards: [...(r.cards ?? []), posted.copy],
      approvalConversationIds: [...new Set([...(r.approvalConversationIds ?? []), channelId])],
    }));
    return [text("I've posted this request in the approvers' channel; you'll hear here when it's decided.")];
  }
  deps.log.warn('approvals.channel_post_failed', { requestId: request.id, reason: posted.reason, detail: posted.detail });
  if (posted.reason === 'not-installed') {
    return [
      text(
        "I couldn't post this request to the approvers' channel because I'm not installed in that channel's team. Ask a Teams admin to add me to the team that owns the channel set in APPROVAL_CHANNEL_ID (or mention me there once). Until then, an approver can approve it here.",
      ),
    ];
  }
  return [text("I couldn't post this request to the approvers' channel right now. An approver can approve it here; I'll keep the request open.")];
}
