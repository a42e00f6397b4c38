/** `help` (and anything unrecognised): the commands card. */
import { escapeCardText, renderHelpCard } from '../../cards';
import { card } from '../replies';
import type { CommandHandler } from './command';

export const help: CommandHandler<'help'> = async (deps) => [card(renderHelpCard({ sandbox: deps.sandbox }))];

export const unknown: CommandHandler<'unknown'> = async (deps, message) => [
  card(renderHelpCard({ sandbox: deps.sandbox, reason: `I didn't understand "${escapeCardText(shorten(message.text))}".` })),
];

/** A command that parsed but was malformed: the parser's specific message. */
export const invalid: CommandHandler<'invalid'> = async (_deps, _message, command) => [{ type: 'text', text: command.message }];

function shorten(value: string): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 60)}…` : oneLine;
}
