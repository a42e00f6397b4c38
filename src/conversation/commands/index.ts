/**
 * Every chat command behind one table keyed by the parser's command kinds, so the compiler
 * checks each has a handler. A new command: one parser case, one module here, one entry below.
 */
import type { Command } from '../parse-command';
import type { ConversationDeps, IncomingMessage } from '../deps';
import type { Reply } from '../replies';
import { bulk } from './bulk';
import { cancel } from './cancel';
import { csv } from './csv';
import { clear } from './clear';
import { clearAttributes } from './clear-attributes';
import type { CommandHandler, CommandName } from './command';
import { help, invalid, unknown } from './help';
import { history } from './history';
import { convert } from './convert';
import { match } from './match';
import { show } from './show';
import { undo } from './undo';
import { suggest } from './suggest';

export const COMMANDS: { [K in CommandName]: CommandHandler<K> } = {
  help,
  unknown,
  invalid,
  suggest,
  show,
  clear,
  bulk,
  csv,
  'clear-attributes': clearAttributes,
  cancel,
  history,
  match,
  convert,
  undo,
};

/** Runs the handler of a parsed command. */
export function runCommand(deps: ConversationDeps, message: IncomingMessage, command: Command): Promise<Reply[]> {
  const handler = COMMANDS[command.kind] as CommandHandler;
  return handler(deps, message, command);
}

export type { CommandHandler, CommandName } from './command';
