import type { ChangeOutcome, ChangeRequest } from '../workflow/types';
import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { escapeCardText } from './escape';
import { describeTarget, formatImmutableId, formatUtc } from './format';
import template from './outcome.card.json';

export interface OutcomeCardInput {
  request: ChangeRequest;
  sandbox: boolean;
}

interface OutcomeCardViewModel {
  sandbox: boolean;
  isCleared: boolean;
  isPending: boolean;
  isFailed: boolean;
  isCancelledBy: boolean;
  isCancelledAnon: boolean;
  isStale: boolean;
  isUnknown: boolean;
  cancelledBy: string;
  hasMessage: boolean;
  message: string;
  state: string;
  upn: string;
  user: string;
  hasOutcome: boolean;
  before: string;
  after: string;
  /** "After" for every outcome except pending replication, which shows "Read back" instead. */
  showAfter: boolean;
  requestedBy: string;
  showConfirmedBy: boolean;
  confirmedBy: string;
  when: string;
  hasGraphRequestId: boolean;
  graphRequestId: string;
  requestId: string;
}

const card = new CardTemplate<OutcomeCardViewModel>('outcome', template);

const DEFAULT_MESSAGES: Partial<Record<ChangeOutcome['status'], string>> = {
  failed: 'No details were recorded.',
  stale: 'The user changed after the card was shown, so the request was not run.',
};

/** Renders the final state of a request (replaces the confirm card); no buttons. */
export function renderOutcomeCard(input: OutcomeCardInput): AdaptiveCardJson {
  const { request } = input;
  const outcome = request.outcome;
  const status = outcome?.status;
  // The person who decided: who cancelled for a cancellation, who confirmed otherwise.
  const deciderActor = status === 'cancelled' ? request.cancelledBy : request.approvedBy;
  const decider = deciderActor?.name?.trim() ? escapeCardText(deciderActor.name, 100) : '';
  const message = outcome?.message?.trim()
    ? escapeCardText(outcome.message, 600)
    : (status && DEFAULT_MESSAGES[status]) ?? '';

  return card.expand({
    sandbox: input.sandbox,
    isCleared: status === 'cleared',
    isPending: status === 'cleared-pending-replication',
    isFailed: status === 'failed',
    isCancelledBy: status === 'cancelled' && decider !== '',
    isCancelledAnon: status === 'cancelled' && decider === '',
    isStale: status === 'stale',
    isUnknown: status === undefined,
    cancelledBy: decider,
    hasMessage: message !== '',
    message,
    state: escapeCardText(request.state, 40),
    upn: escapeCardText(request.targetUpn),
    user: describeTarget(request.targetDisplayName, request.targetUpn),
    hasOutcome: outcome !== undefined,
    before: formatImmutableId(outcome?.before),
    after: formatImmutableId(outcome?.after),
    showAfter: outcome !== undefined && status !== 'cleared-pending-replication',
    requestedBy: escapeCardText(request.requester.name, 100),
    showConfirmedBy: status !== 'cancelled' && decider !== '',
    confirmedBy: decider,
    when: formatUtc(outcome?.at ?? request.updatedAt),
    hasGraphRequestId: Boolean(outcome?.graphRequestId?.trim()),
    graphRequestId: escapeCardText(outcome?.graphRequestId, 100),
    requestId: escapeCardText(request.id, 128),
  });
}
