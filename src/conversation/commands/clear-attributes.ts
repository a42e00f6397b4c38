/** `clear on-prem attributes for <user>`: the request card listing every value to clear, or why it can't be done. */
import { startClearAttributes } from '../../workflow/start-clear-attributes';
import { REQUESTER_ROLE } from '../deps';
import { withDirectoryErrors } from '../explain-error';
import { offerRequest, renderBlockedCard } from '../offer-request';
import { card, text } from '../replies';
import { resolveUser } from '../resolve-user';
import type { CommandHandler } from './command';

export const clearAttributes: CommandHandler<'clear-attributes'> = (deps, message, command) =>
  withDirectoryErrors(command.target.value, async () => {
    const reason = command.reason;
    if (command.target.kind === 'displayName' && !(await deps.roles.canRequest(message.actor))) return [text(REQUESTER_ROLE)];
    const resolved = await resolveUser(deps, command.target, (upn) => `clear on-prem attributes for ${upn}${reason ? ` because ${reason}` : ''}`);
    if (!resolved.ok) return resolved.replies;
    const result = await startClearAttributes(deps, {
      target: resolved.target,
      requester: message.actor,
      conversationId: message.conversationId,
      tenantId: message.tenantId,
      ...(reason ? { reason } : {}),
    });
    if (result.kind === 'not-allowed') return [text(REQUESTER_ROLE)];
    if (result.request) return offerRequest(deps, result.request);
    const nothing = result.blockers.some((b) => b.kind === 'already-empty') ? 'This user has no on-premises attributes left to clear.' : undefined;
    return [
      card(
        renderBlockedCard(deps, {
          snapshot: result.snapshot,
          blockers: result.blockers.filter((b) => b.kind !== 'already-empty'),
          kind: 'clear-on-prem-attributes',
          purpose: 'show',
          requestedBy: message.actor.name,
          ...(nothing ? { notice: nothing } : {}),
        }),
      ),
    ];
  }, text, deps.log);
