/** `show <user>`: the state card, nothing requested. */
import { renderUserCard } from '../../cards';
import { lookUp } from '../../workflow/look-up';
import { REQUESTER_ROLE } from '../deps';
import { withDirectoryErrors } from '../explain-error';
import { resolveUser } from '../resolve-user';
import { card, text } from '../replies';
import type { CommandHandler } from './command';

export const show: CommandHandler<'show'> = async (deps, message, command) => {
  if (!(await deps.roles.canRequest(message.actor))) return [text(REQUESTER_ROLE)];
  return withDirectoryErrors(command.target.value, async () => {
    const resolved = await resolveUser(deps, command.target, (upn) => `show ${upn}`);
    if (!resolved.ok) return resolved.replies;
    const { snapshot, blockers } = await lookUp(deps, resolved.target);
    return [card(renderUserCard({ snapshot, blockers, purpose: 'show', sandbox: deps.sandbox }))];
  }, text, deps.log);
};
