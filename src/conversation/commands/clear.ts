/** `clear immutable id for <user>`: the request card, or why it can't be cleared. */
import { renderUserCard } from '../../cards';
import { needsOthersApproval } from '../../workflow/create-request';
import { startClear } from '../../workflow/start-clear';
import { REQUESTER_ROLE } from '../deps';
import { withDirectoryErrors } from '../explain-error';
import { postToApprovers } from '../post-to-approvers';
import { card, Reply, text } from '../replies';
import { renderRequestCard } from '../request-cards';
import { resolveUser } from '../resolve-user';
import { writeClearCommand } from '../suggest-command';
import type { CommandHandler } from './command';

export const clear: CommandHandler<'clear'> = (deps, message, command) =>
  withDirectoryErrors(command.target.value, async () => {
    const reason = command.reason;
    // Names are searched only for people who may ask: the list would show who is in the directory.
    if (command.target.kind === 'displayName' && !(await deps.roles.canRequest(message.actor))) return [text(REQUESTER_ROLE)];
    const resolved = await resolveUser(deps, command.target, (upn) => writeClearCommand(upn, reason));
    if (!resolved.ok) return resolved.replies;
    const result = await startClear(deps, {
      target: resolved.target,
      requester: message.actor,
      conversationId: message.conversationId,
      tenantId: message.tenantId,
      ...(reason ? { reason } : {}),
    });
    if (result.kind === 'not-allowed') return [text(REQUESTER_ROLE)];
    if (!result.request) {
      return [
        card(
          renderUserCard({
            snapshot: result.snapshot,
            blockers: result.blockers,
            purpose: 'clear',
            sandbox: deps.sandbox,
            requestedBy: message.actor.name,
            ...(reason ? { reason } : {}),
          }),
        ),
      ];
    }
    const request = result.request;
    const replies: Reply[] = [card(renderRequestCard(deps, request, 'anyone'), { requestId: request.id, role: 'requester' })];
    if (!deps.roles.hasApprovers()) {
      replies.push(text('Nobody is configured as an approver (APPROVER_IDS / APPROVER_GROUP_ID), so this request cannot be approved. Ask whoever runs the bot to configure approvers.'));
    }
    const channel = deps.approvals.channelId;
    if (channel && deps.chat && request.conversationId !== channel && (await needsOthersApproval(deps, request))) {
      replies.push(...(await postToApprovers(deps, request, channel)));
    }
    return replies;
  }, text, deps.log);
