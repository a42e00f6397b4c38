/** `cancel <request id>`: withdraws a pending request and updates its cards. */
import { cancelRequest } from '../../workflow/decide-request';
import { decideAndBroadcast } from '../handle-card-action';
import { card, text } from '../replies';
import type { CommandHandler } from './command';

export const cancel: CommandHandler<'cancel'> = async (deps, message, command) => {
  const result = await decideAndBroadcast(deps, cancelRequest(deps, { requestId: command.requestId, actor: message.actor }), message.conversationId);
  return result.kind === 'card' ? [card(result.card), ...result.followUps] : [text(result.text), ...result.followUps];
};
