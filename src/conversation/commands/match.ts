/** `match <user> to <anchor>`: a hard-match request card, or why it can't be done. */
import { renderChangeCard } from '../../cards';
import { startMatch } from '../../workflow/start-match';
import { REQUESTER_ROLE } from '../deps';
import { withDirectoryErrors } from '../explain-error';
import { offerRequest } from '../offer-request';
import { card, text } from '../replies';
import { changeCardWords } from '../request-cards';
import { resolveUser } from '../resolve-user';
import type { CommandHandler } from './command';

export const match: CommandHandler<'match'> = (deps, message, command) =>
  withDirectoryErrors(command.target.value, async () => {
    if (command.target.kind === 'displayName' && !(await deps.roles.canRequest(message.actor))) return [text(REQUESTER_ROLE)];
    const resolved = await resolveUser(deps, command.target, (upn) => `match ${upn} to ${command.anchor.guid}`);
    if (!resolved.ok) return resolved.replies;
    const result = await startMatch(deps, {
      target: resolved.target,
      immutableId: command.anchor.immutableId,
      requester: message.actor,
      conversationId: message.conversationId,
      tenantId: message.tenantId,
      ...(command.reason ? { reason: command.reason } : {}),
    });
    if (result.kind === 'not-allowed') return [text(REQUESTER_ROLE)];
    if (!result.request) {
      return [
        card(
          renderChangeCard({
            snapshot: result.snapshot,
            newValue: command.anchor.immutableId,
            ...changeCardWords({ kind: 'set-immutable-id' }),
            blockers: result.blockers,
            sandbox: deps.sandbox,
            requestedBy: message.actor.name,
          }),
        ),
      ];
    }
    return offerRequest(deps, result.request);
  }, text, deps.log);
