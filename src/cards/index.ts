/** The cards module: pure functions from bot data to Adaptive Card JSON, plus the action verbs. */
export { renderUserCard, MAX_REFRESH_USER_IDS, type CardChange, type UserCardInput, type UserCardButtons } from './render-user-card';
export { renderOutcomeCard, type OutcomeCardInput } from './render-outcome-card';
export { renderChangeCard, describeBlocker, type ChangeCardInput } from './render-change-card';
export { renderWorkingCard, renderProgressCard, type WorkingCardInput, type ProgressCardInput } from './render-working-card';
export { renderTipsCard, type TipsCardInput } from './render-tips-card';
export { renderChoicesCard, renderSuggestionCard, MAX_CHOICES, type Choice, type ChoicesCardInput } from './render-choices-card';
export { renderHelpCard, type HelpCardInput } from './render-help-card';
export { renderHistoryCard, MAX_HISTORY_ENTRIES, type HistoryCardInput } from './render-history-card';
export { renderSyncErrorCard, type SyncErrorCardInput } from './render-sync-error-card';
export {
  Verbs,
  InputIds,
  MAX_INPUT_LENGTH,
  isVerb,
  toVerb,
  LEGACY_VERBS,
  isRequestId,
  parseActionData,
  type Verb,
  type RequestActionData,
  type ParsedAction,
  type ActionInputs,
} from './verbs';
export { escapeCardText } from './escape';
export { cardSizeBytes, MAX_CARD_BYTES, prepareCardTemplates, type AdaptiveCardJson } from './card-json';
export { BulkVerbs, renderBulkJobCard, groupExclusions, NAMES_PER_GROUP, FAILURES_SHOWN, type BulkCardInput } from './render-bulk-job-card';
