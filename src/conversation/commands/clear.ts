/** `clear immutable id for <user>`: the request card (clear, restore and clear, or move UPN and clear), or why it can't be done. */
import { startClear } from '../../workflow/start-clear';
import { REQUESTER_ROLE } from '../deps';
import { withDirectoryErrors } from '../explain-error';
import { offerRequest, renderBlockedCard } from '../offer-request';
import { card, text } from '../replies';
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
          renderBlockedCard(deps, {
            snapshot: result.snapshot,
            blockers: result.blockers,
            kind: result.change,
            purpose: 'clear',
            requestedBy: message.actor.name,
            ...(reason ? { reason } : {}),
          }),
        ),
      ];
    }
    return offerRequest(deps, result.request);
  }, text, deps.log);
