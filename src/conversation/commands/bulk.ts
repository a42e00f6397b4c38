/** `clear immutable id for <list>` / `… for members of <group>`: the bulk preview card. */
import { hasBulk, startBulkJob } from '../bulk-jobs';
import { text } from '../replies';
import type { CommandHandler } from './command';

export const bulk: CommandHandler<'bulk'> = async (deps, message, command) => {
  if (!hasBulk(deps)) return [text('Lists and groups are not available in this deployment; ask for one user at a time.')];
  return startBulkJob(deps, {
    kind: command.change,
    source: command.source,
    actor: message.actor,
    conversationId: message.conversationId,
    tenantId: message.tenantId,
    ...(command.reason ? { reason: command.reason } : {}),
  });
};
