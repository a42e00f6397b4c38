import type { ChangeRequest } from '../workflow/types';
import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { escapeCardText } from './escape';
import { describeTarget } from './format';
import template from './working.card.json';

export interface WorkingCardInput {
  request: ChangeRequest;
  sandbox: boolean;
}

interface WorkingCardViewModel {
  sandbox: boolean;
  user: string;
  hasApprover: boolean;
  noApprover: boolean;
  approver: string;
  requestId: string;
}

const card = new CardTemplate<WorkingCardViewModel>('working', template);

/** Renders the interim "Working on it…" card shown while a confirmed clear runs; no buttons. */
export function renderWorkingCard(input: WorkingCardInput): AdaptiveCardJson {
  const { request } = input;
  const approver = request.approvedBy?.name?.trim() ? escapeCardText(request.approvedBy.name, 100) : '';
  return card.expand({
    sandbox: input.sandbox,
    user: describeTarget(request.targetDisplayName, request.targetUpn),
    hasApprover: approver !== '',
    noApprover: approver === '',
    approver,
    requestId: escapeCardText(request.id, 128),
  });
}
