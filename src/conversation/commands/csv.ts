/** `csv <job id>`: the previous values of a bulk job's users as a file in the personal chat. */
import { offerCsv } from '../bulk-csv';
import { hasBulk } from '../bulk-jobs';
import { text } from '../replies';
import type { CommandHandler } from './command';

export const csv: CommandHandler<'csv'> = async (deps, message, command) => {
  if (!hasBulk(deps)) return [text('Bulk jobs are not available in this deployment.')];
  return offerCsv(deps, { jobId: command.jobId, actor: message.actor, conversationId: message.conversationId });
};
