/** The cards module: pure functions from bot data to Adaptive Card JSON, plus the action verbs. */
export { renderUserCard, type UserCardInput } from './render-user-card';
export { renderOutcomeCard, type OutcomeCardInput } from './render-outcome-card';
export { renderWorkingCard, type WorkingCardInput } from './render-working-card';
export { renderTipsCard, type TipsCardInput } from './render-tips-card';
export { renderHelpCard, type HelpCardInput } from './render-help-card';
export { Verbs, isVerb, isRequestId, parseActionData, type Verb, type RequestActionData, type ParsedAction } from './verbs';
export { escapeCardText } from './escape';
export { cardSizeBytes, MAX_CARD_BYTES, type AdaptiveCardJson } from './card-json';
