/** A near miss of a command: "Did you mean …?" with a button that sends the suggestion. */
import { renderSuggestionCard } from '../../cards';
import { textWithCard } from '../replies';
import type { CommandHandler } from './command';

export const suggest: CommandHandler<'suggest'> = async (deps, _message, command) => [
  textWithCard(`Did you mean \`${command.suggestion}\`?`, renderSuggestionCard(command.suggestion, deps.sandbox)),
];
