/** The shape of one chat command's handler. */
import type { Command } from '../parse-command';
import type { ConversationDeps, IncomingMessage } from '../deps';
import type { Reply } from '../replies';

export type CommandName = Command['kind'];

/** Answers one parsed command; directory failures may be thrown (the dispatcher explains them). */
export type CommandHandler<K extends CommandName = CommandName> = (
  deps: ConversationDeps,
  message: IncomingMessage,
  command: Extract<Command, { kind: K }>,
) => Promise<Reply[]>;
