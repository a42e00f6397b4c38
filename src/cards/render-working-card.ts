import { kindModule } from '../workflow/change-kinds';
import type { ChangeRequest } from '../workflow/types';
import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { escapeCardText } from './escape';
import { describeTarget } from './format';
import template from './working.card.json';
import { isRequestId } from './verbs';

export interface WorkingCardInput {
  request: ChangeRequest;
  sandbox: boolean;
}

/** A card without decisions: what is happening (or what could not be finished), and what to try. */
export interface ProgressCardInput {
  sandbox: boolean;
  /** Bot-written, may start with an emoji followed by words that say the same ("⏳ Recording your rejection…"). */
  headline: string;
  /** Bot-written markdown; every directory value in it already escaped. */
  detail: string;
  hint?: string;
  requestId?: string;
  /** Offer Refresh (Action.Execute request.refresh), to show the request as it is now. */
  refresh?: boolean;
}

interface WorkingCardViewModel {
  sandbox: boolean;
  headline: string;
  detail: string;
  hasHint: boolean;
  hint: string;
  hasRequestId: boolean;
  requestId: string;
  hasRefresh: boolean;
  /** The id in the Refresh button's data, unescaped (only a well-formed request id gets the button). */
  actionRequestId: string;
}

const card = new CardTemplate<WorkingCardViewModel>('working', template);

/** Renders the interim "Working on it…" card shown while an approved change runs; no buttons. */
export function renderWorkingCard(input: WorkingCardInput): AdaptiveCardJson {
  const { request } = input;
  const approver = request.approvedBy?.name?.trim() ? escapeCardText(request.approvedBy.name, 100) : '';
  const target = describeTarget(request.targetDisplayName, request.targetUpn);
  return renderProgressCard({
    sandbox: input.sandbox,
    headline: '⏳ Working on it…',
    detail: `${kindModule(request.kind).wording.doing} of ${target}${approver ? `, confirmed by ${approver}` : ''}. This card updates when it's done.`,
    requestId: request.id,
  });
}

/** Renders a card that says what a tap is doing, or that it could not finish; only Refresh, never a decision button. */
export function renderProgressCard(input: ProgressCardInput): AdaptiveCardJson {
  const requestId = input.requestId ? escapeCardText(input.requestId, 128) : '';
  return card.expand({
    sandbox: input.sandbox,
    headline: input.headline,
    detail: input.detail,
    hasHint: Boolean(input.hint),
    hint: input.hint ?? '',
    hasRequestId: requestId !== '',
    requestId,
    hasRefresh: Boolean(input.refresh) && isRequestId(input.requestId),
    actionRequestId: isRequestId(input.requestId) ? input.requestId : '',
  });
}
