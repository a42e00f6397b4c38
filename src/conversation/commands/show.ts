/** `show <user>`: the state card, nothing requested. */
import { escapeCardText as esc } from '../../cards';
import { lookUp } from '../../workflow/look-up';
import { REQUESTER_ROLE } from '../deps';
import { withDirectoryErrors } from '../explain-error';
import { renderBlockedCard } from '../offer-request';
import { resolveUser } from '../resolve-user';
import { card, text } from '../replies';
import type { CommandHandler } from './command';

export const show: CommandHandler<'show'> = async (deps, message, command) => {
  if (!(await deps.roles.canRequest(message.actor))) return [text(REQUESTER_ROLE)];
  return withDirectoryErrors(command.target.value, async () => {
    const resolved = await resolveUser(deps, command.target, (upn) => `show ${upn}`);
    if (!resolved.ok) return resolved.replies;
    const { snapshot, blockers, kind } = await lookUp(deps, resolved.target);
    const deleted = snapshot.deleted
      ? `Found only in deleted items (deleted ${snapshot.deleted.deletedDateTime ? `${snapshot.deleted.deletedDateTime.slice(0, 16).replace('T', ' ')} UTC` : 'at an unknown time'}). ` +
        `“clear immutable id for ${esc(snapshot.user.userPrincipalName)}” offers Restore and clear.`
      : undefined;
    return [card(renderBlockedCard(deps, { snapshot, blockers, kind, purpose: 'show', ...(deleted ? { notice: deleted } : {}) }))];
  }, text, deps.log);
};
