import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { sanitizeBotText } from './escape';
import template from './choices.card.json';

/** One button: its title, and the command it runs as if the user had typed it. */
export interface Choice {
  title: string;
  command: string;
}

export interface ChoicesCardInput {
  /** Bot-written markdown; anything from the user or the directory must already be escaped. Absent when the message text asks it. */
  question?: string;
  hint?: string;
  choices: Choice[];
  sandbox: boolean;
}

interface ChoicesCardViewModel {
  sandbox: boolean;
  hasQuestion: boolean;
  question: string;
  hasHint: boolean;
  hint: string;
  choices: Choice[];
}

/** The Adaptive Card host config Teams uses allows five actions in a row. */
export const MAX_CHOICES = 5;

const card = new CardTemplate<ChoicesCardViewModel>('choices', template);

/**
 * Renders a question with buttons that each send a command: an Action.Submit whose data is
 * `{ command }`, which the bot runs as if it had been typed. (Teams' imBack would echo the text
 * into the chat, but the Agents Playground's renderer drops imBack and messageBack taps, so the
 * button would do nothing there.) Titles are plain text on every client: only line breaks and
 * controls are removed.
 */
export function renderChoicesCard(input: ChoicesCardInput): AdaptiveCardJson {
  const hint = input.hint?.trim() ? sanitizeBotText(input.hint) : '';
  const question = input.question?.trim() ? sanitizeBotText(input.question) : '';
  return card.expand({
    sandbox: input.sandbox,
    hasQuestion: question !== '',
    question,
    hasHint: hint !== '',
    hint,
    choices: input.choices.slice(0, MAX_CHOICES).map((c) => ({ title: plainLine(c.title, 80), command: plainLine(c.command, 400) })),
  });
}

/** The button under "Did you mean …?": sends the command a near miss most likely meant. */
export function renderSuggestionCard(suggestion: string, sandbox: boolean): AdaptiveCardJson {
  return renderChoicesCard({
    sandbox,
    hint: 'Tap to send it, or say help to see everything I understand.',
    choices: [{ title: suggestion, command: suggestion }],
  });
}

/** One line of plain text; `${` is split by an invisible word joiner so the template engine never sees an expression. */
function plainLine(value: string, max: number): string {
  const flat = value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\$\{/g, '$\u2060{')
    .trim();
  return Array.from(flat).length > max ? `${Array.from(flat).slice(0, max - 1).join('')}…` : flat;
}
