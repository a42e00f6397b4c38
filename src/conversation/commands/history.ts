/** `history [<user>]`: recent audit records, for one user or (approvers only) everyone. */
import { renderHistoryCard } from '../../cards';
import { REQUESTER_ROLE } from '../deps';
import { withDirectoryErrors } from '../explain-error';
import { resolveUser } from '../resolve-user';
import { card, text } from '../replies';
import type { CommandHandler } from './command';

export const history: CommandHandler<'history'> = async (deps, message, command) => {
  const isApprover = await deps.roles.canApprove(message.actor);
  const ref = command.target;
  if (!ref) {
    if (!isApprover) return [text("Only approvers can see the history across all users. Send `history` and a user's UPN for one user.")];
    return [card(renderHistoryCard({ entries: await deps.audit.list({ limit: 20 }), sandbox: deps.sandbox }))];
  }
  if (!isApprover && !(await deps.roles.canRequest(message.actor))) return [text(REQUESTER_ROLE)];
  return withDirectoryErrors(ref.value, async () => {
    const resolved = await resolveUser(deps, ref, (upn) => `history ${upn}`);
    if (!resolved.ok) return resolved.replies;
    const snapshot = await deps.directory.findUser(resolved.target);
    const entries = await deps.audit.list({ targetId: snapshot.user.id, limit: 20 });
    return [card(renderHistoryCard({ entries, subject: snapshot.user.userPrincipalName, sandbox: deps.sandbox }))];
  }, text, deps.log);
};
