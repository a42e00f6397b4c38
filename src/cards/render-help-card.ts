import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { sanitizeBotText } from './escape';
import template from './help.card.json';

export interface HelpCardInput {
  /**
   * Shown at the top, e.g. "I didn't understand that.". Bot-written text: markdown is kept, so
   * anything the user typed must already be passed through escapeCardText by the caller.
   */
  reason?: string;
  sandbox: boolean;
}

interface HelpCardViewModel {
  sandbox: boolean;
  hasReason: boolean;
  reason: string;
}

const card = new CardTemplate<HelpCardViewModel>('help', template);

/** Renders the list of commands with examples, optionally headed by why it is shown. */
export function renderHelpCard(input: HelpCardInput): AdaptiveCardJson {
  const hasReason = Boolean(input.reason?.trim());
  return card.expand({
    sandbox: input.sandbox,
    hasReason,
    reason: hasReason ? sanitizeBotText(input.reason) : '',
  });
}
