/** A tap on a card button in, the card that replaces it (or a short message) out. */
import {
  parseActionData,
  renderOutcomeCard,
  renderTipsCard,
  renderUserCard,
  renderWorkingCard,
  Verbs,
} from '../cards';
import { cancelRequest } from '../workflow/cancel-request';
import { confirmClear } from '../workflow/confirm-clear';
import type { Actor, ChangeRequest } from '../workflow/types';
import { explainDirectoryError } from './explain-error';
import type { ConversationDeps } from './handle-message';
import { card, CardActionResult, CardJson, text } from './replies';

export interface IncomingCardAction {
  /** The invoke value (Action.Execute) or the message value (Action.Submit fallback). */
  value: unknown;
  actor: Actor;
  conversationId: string;
}

const NOT_FOUND = "I can't find this request any more, so nothing was changed. Send the command again to get a fresh card.";
const WRONG_CONVERSATION = 'This card belongs to another conversation, so nothing was changed. Use the card in the chat where the request was made.';

/** Routes a card action by verb. Unknown or malformed payloads get a message and change nothing. */
export async function handleCardAction(deps: ConversationDeps, action: IncomingCardAction): Promise<CardActionResult> {
  const data = parseActionData(action.value);
  if (!data) {
    return { kind: 'message', text: "I didn't recognise that button (it may be from an older version of this bot). Nothing was changed.", followUps: [] };
  }
  switch (data.verb) {
    case Verbs.confirmClear:
      return confirm(deps, data.requestId, action);
    case Verbs.cancelClear:
      return cancel(deps, data.requestId, action);
    default:
      return refresh(deps, data.requestId);
  }
}

/** The card to show while a slow change is still running. */
export async function renderWorkingFor(deps: ConversationDeps, requestId: string): Promise<CardJson | undefined> {
  const request = await deps.requests.get(requestId);
  return request ? renderWorkingCard({ request, sandbox: deps.sandbox }) : undefined;
}

async function confirm(deps: ConversationDeps, requestId: string, action: IncomingCardAction): Promise<CardActionResult> {
  const result = await confirmClear(deps, { requestId, actor: action.actor, conversationId: action.conversationId });
  switch (result.kind) {
    case 'not-found':
      return { kind: 'message', text: NOT_FOUND, followUps: [] };
    case 'wrong-conversation':
      return { kind: 'message', text: WRONG_CONVERSATION, followUps: [] };
    case 'not-allowed':
      return {
        kind: 'message',
        text: `Sorry ${action.actor.name || 'there'}, you're not allowed to confirm this change: only the bot's approvers can. Nothing was changed; ask an approver to tap Confirm.`,
        followUps: [],
      };
    case 'already-handled':
      return { kind: 'card', card: currentCard(deps, result.request), followUps: [] };
    case 'stale':
      return {
        kind: 'card',
        card: renderUserCard({
          snapshot: result.snapshot,
          blockers: result.blockers,
          purpose: 'clear',
          sandbox: deps.sandbox,
          requestedBy: result.request.requester.name,
          notice: 'The immutable ID changed since this card was shown, so nothing was changed. Here is the current state.',
          ...(result.freshRequest ? { requestId: result.freshRequest.id } : {}),
        }),
        followUps: [],
      };
    case 'done': {
      const outcomeCard = renderOutcomeCard({ request: result.request, sandbox: deps.sandbox });
      if (result.error) {
        return { kind: 'card', card: outcomeCard, followUps: [text(explainDirectoryError(result.error, result.request.targetUpn))] };
      }
      const followUps = result.snapshot ? [card(renderTipsCard({ snapshot: result.snapshot, sandbox: deps.sandbox }))] : [];
      return { kind: 'card', card: outcomeCard, followUps };
    }
  }
}

async function cancel(deps: ConversationDeps, requestId: string, action: IncomingCardAction): Promise<CardActionResult> {
  const result = await cancelRequest(deps, { requestId, actor: action.actor, conversationId: action.conversationId });
  switch (result.kind) {
    case 'not-found':
      return { kind: 'message', text: NOT_FOUND, followUps: [] };
    case 'wrong-conversation':
      return { kind: 'message', text: WRONG_CONVERSATION, followUps: [] };
    case 'not-allowed':
      return { kind: 'message', text: 'Only the person who asked, or an approver, can cancel this request. Nothing was changed.', followUps: [] };
    case 'already-handled':
      return { kind: 'card', card: currentCard(deps, result.request), followUps: [] };
    case 'cancelled':
      return { kind: 'card', card: renderOutcomeCard({ request: result.request, sandbox: deps.sandbox }), followUps: [] };
  }
}

async function refresh(deps: ConversationDeps, requestId: string): Promise<CardActionResult> {
  const request = await deps.requests.get(requestId);
  if (!request) return { kind: 'message', text: NOT_FOUND, followUps: [] };
  return { kind: 'card', card: currentCard(deps, request), followUps: [] };
}

/** The card that shows a request as it is now (for late or repeated taps). */
function currentCard(deps: ConversationDeps, request: ChangeRequest): CardJson {
  if (request.state === 'executing') return renderWorkingCard({ request, sandbox: deps.sandbox });
  return renderOutcomeCard({ request, sandbox: deps.sandbox });
}
