/** A tap on a card button in, the card that replaces it (or a short message) out. */
import { parseActionData, renderChangeCard, renderOutcomeCard, renderTipsCard, renderUserCard, type ParsedAction, type Verb } from '../cards';
import { formatUtc } from '../cards/format';
import { approveRequest } from '../workflow/approve-request';
import { followReplication } from './follow-replication';
import { addReason, cancelRequest, DecisionResult, rejectRequest } from '../workflow/decide-request';
import { isRequestConversation } from '../workflow/create-request';
import { expireIfDue } from '../workflow/sweep-requests';
import type { Actor, ChangeRequest } from '../workflow/types';
import { DirectoryError } from '../directory/directory-error';
import { explainDirectoryError } from './explain-error';
import type { ConversationDeps } from './deps';
import { requestFromNotification } from './handle-notification';
import { requestUndo } from './commands/undo';
import { changeTips } from './change-tips';
import { handleBulkAction, hasBulk } from './bulk-jobs';
import { clearWhenUnsyncedTapped, restoreUpnTapped, type KindActionInput } from './kind-actions';
import { card, CardActionResult, text } from './replies';
import { alreadyHandledText, announceOutcome, broadcast, changeCardWords, renderRequestCard, renderSharedCard, viewerOf } from './request-cards';
import { primaryChange } from '../workflow/changes';

export interface IncomingCardAction {
  /** The invoke value (Action.Execute) or the message value (Action.Submit fallback). */
  value: unknown;
  actor: Actor;
  conversationId: string;
  tenantId?: string;
  /** Id of the message holding the tapped card (Teams' replyToId). */
  activityId?: string;
}

const NOT_FOUND = "I can't find this request any more, so nothing was changed. Send the command again to get a fresh card.";
const WRONG_CONVERSATION = 'This card belongs to another conversation, so nothing was changed. Use the card in the chat where the request was made.';
const APPROVER_ROLE =
  "Sorry, you're not allowed to approve this change: only the bot's approvers can (APPROVER_IDS or the approvers' group). Nothing was changed; ask an approver.";

/** Routes a card action by verb. Unknown or malformed payloads get a message and change nothing. */
export async function handleCardAction(deps: ConversationDeps, action: IncomingCardAction): Promise<CardActionResult> {
  try {
    return await route(deps, action);
  } catch (error) {
    // e.g. the approver-group check could not reach Graph: nothing was changed, say why.
    if (error instanceof DirectoryError) {
      deps.log.warn('graph.failure_reported', { error });
      return message(`${explainDirectoryError(error, 'that user')}`);
    }
    throw error;
  }
}

type VerbHandler = (deps: ConversationDeps, action: IncomingCardAction, data: ParsedAction) => Promise<CardActionResult>;

const reject: VerbHandler = (deps, action, data) =>
  decideAndBroadcast(
    deps,
    rejectRequest(deps, { ...common(action, data), ...(data.inputs.rejectReason ? { reason: data.inputs.rejectReason } : {}) }),
    action.conversationId,
    action.activityId,
  );

/** One handler per verb; legacy verbs (clear.confirm, …) arrive here already mapped by parseActionData. */
const VERB_HANDLERS: Record<Verb, VerbHandler> = {
  'request.approve': (deps, action, data) => approve(deps, action, data.requestId),
  'request.reject': reject,
  'request.cancel': (deps, action, data) => decideAndBroadcast(deps, cancelRequest(deps, common(action, data)), action.conversationId, action.activityId),
  'request.undo': (deps, action, data) => undoFromCard(deps, action, data.requestId),
  'request.reason': (deps, action, data) =>
    decideAndBroadcast(deps, addReason(deps, { ...common(action, data), ...(data.inputs.reason ? { reason: data.inputs.reason } : {}) }), action.conversationId, action.activityId),
  'request.refresh': (deps, action, data) => refresh(deps, data.requestId, action),
  'bulk.approve': (deps, action, data) => bulkAction(deps, action, data),
  'bulk.reject': (deps, action, data) => bulkAction(deps, action, data),
  'bulk.cancel': (deps, action, data) => bulkAction(deps, action, data),
  'bulk.stop': (deps, action, data) => bulkAction(deps, action, data),
  'bulk.resume': (deps, action, data) => bulkAction(deps, action, data),
  'request.when-unsynced': (deps, action, data) => clearWhenUnsyncedTapped(deps, kindActionInput(action, data)),
  'request.restore-upn': (deps, action, data) => restoreUpnTapped(deps, kindActionInput(action, data)),
  'notify.request': (deps, action, data) =>
    requestFromNotification(deps, {
      notificationId: data.requestId,
      actor: action.actor,
      conversationId: action.conversationId,
      tenantId: action.tenantId ?? '',
      ...(action.activityId ? { activityId: action.activityId } : {}),
    }),
};

/** Bulk jobs: the id the button carries is the job's. */
function bulkAction(deps: ConversationDeps, action: IncomingCardAction, data: ParsedAction): Promise<CardActionResult> {
  if (!hasBulk(deps)) return Promise.resolve(message('Lists and groups are not available in this deployment. Nothing was changed.'));
  return handleBulkAction(deps, {
    verb: data.verb,
    jobId: data.requestId,
    actor: action.actor,
    conversationId: action.conversationId,
    ...(action.activityId ? { activityId: action.activityId } : {}),
    ...(data.inputs.rejectReason ? { rejectReason: data.inputs.rejectReason } : {}),
  });
}

async function route(deps: ConversationDeps, action: IncomingCardAction): Promise<CardActionResult> {
  const data = parseActionData(action.value);
  if (!data) {
    return { kind: 'message', text: "I didn't recognise that button (it may be from an older version of this bot). Nothing was changed.", followUps: [] };
  }
  const result = await VERB_HANDLERS[data.verb](deps, action, data);
  if (result.kind === 'message' && result.text === NOT_FOUND && data.verb.startsWith('request.')) return explainArchived(deps, data.requestId, result);
  return result;
}

/** A request gone from the live store may have been archived after REQUEST_RETENTION: say so, and where its record is. */
async function explainArchived(deps: ConversationDeps, requestId: string, notFound: CardActionResult): Promise<CardActionResult> {
  const archived = await deps.requests.getArchived(requestId);
  if (!archived) return notFound;
  const closedAt = formatUtc(archived.outcome?.at ?? archived.updatedAt);
  return message(
    `This request was closed on ${closedAt} and archived, so nothing was changed. Its record stays in the audit trail: see \`history ${archived.targetUpn}\`.`,
  );
}

/** The Undo button of an outcome card: the outcome card stays, the undo request card follows. */
async function undoFromCard(deps: ConversationDeps, action: IncomingCardAction, requestId: string): Promise<CardActionResult> {
  const original = await deps.requests.get(requestId);
  if (!original) return message(NOT_FOUND);
  if (!isRequestConversation(original, action.conversationId)) return message(WRONG_CONVERSATION);
  const replies = await requestUndo(deps, { requestId, actor: action.actor, conversationId: action.conversationId, tenantId: action.tenantId ?? original.tenantId });
  return { kind: 'card', card: renderOutcomeCard({ request: original, sandbox: deps.sandbox }), followUps: replies };
}

function kindActionInput(action: IncomingCardAction, data: ParsedAction): KindActionInput {
  return {
    id: data.requestId,
    actor: action.actor,
    conversationId: action.conversationId,
    tenantId: action.tenantId ?? '',
    ...(action.activityId ? { activityId: action.activityId } : {}),
  };
}

function common(action: IncomingCardAction, data: ParsedAction): { requestId: string; actor: Actor; conversationId: string } {
  return { requestId: data.requestId, actor: action.actor, conversationId: action.conversationId };
}

async function approve(deps: ConversationDeps, action: IncomingCardAction, requestId: string): Promise<CardActionResult> {
  const result = await approveRequest(deps, { requestId, actor: action.actor, conversationId: action.conversationId });
  const skip = { fromConversationId: action.conversationId, ...(action.activityId ? { skipActivityId: action.activityId } : {}) };
  switch (result.kind) {
    case 'not-found':
      return message(NOT_FOUND);
    case 'wrong-conversation':
      return message(WRONG_CONVERSATION);
    case 'not-allowed':
      return message(APPROVER_ROLE);
    case 'own-request':
      return message('You asked for this change, and this bot requires a different person to approve it (four-eyes). Nothing was changed; ask another approver.');
    case 'already-approved-by-you':
      return message(`You have already approved this request; it needs ${result.request.requiredApprovals - result.request.approvals.length} more approval(s) from other approvers.`);
    case 'already-handled':
      return { kind: 'message', text: alreadyHandledText(result.request), followUps: [] };
    case 'not-recorded':
      return message("I couldn't write the audit record for this change, so I didn't make it: nothing was changed and the request still waits for approval. Please try again in a moment.");
    case 'approval-recorded':
      await broadcast(deps, result.request, skip);
      return {
        kind: 'card',
        card: renderRequestCard(deps, result.request, await viewerOf(deps, result.request, action.actor.aadObjectId)),
        shared: renderSharedCard(deps, result.request, action.activityId),
        followUps: [],
      };
    case 'stale':
      await broadcast(deps, result.request, { ...skip, announce: announceOutcome(result.request) });
      if (result.freshRequest) await adoptTappedMessage(deps, result.freshRequest, result.request, action);
      if (result.request.kind !== 'clear-immutable-id') {
        // A hard match or undo with its uniqueness or value re-checked before writing: say what blocks it now.
        const fresh = result.freshRequest;
        const notice = 'The user changed since this card was shown (or another user now holds the value), so nothing was changed. Here is the current state.';
        return {
          kind: 'card',
          card: fresh
            ? renderRequestCard(deps, fresh, 'anyone', notice)
            : renderChangeCard({
                snapshot: result.snapshot,
                newValue: primaryChange(result.request).after,
                ...changeCardWords(result.request),
                blockers: result.blockers,
                sandbox: deps.sandbox,
                requestedBy: action.actor.name,
                notice,
              }),
          followUps: [],
        };
      }
      return {
        kind: 'card',
        card: renderUserCard({
          snapshot: result.snapshot,
          blockers: result.blockers,
          purpose: 'clear',
          sandbox: deps.sandbox,
          // A fresh request is still the requester's; a blocked card was looked up by whoever tapped.
          requestedBy: result.freshRequest ? result.request.requester.name : action.actor.name,
          notice: 'The immutable ID changed since this card was shown, so nothing was changed. Here is the current state.',
          ...(result.freshRequest ? { requestId: result.freshRequest.id } : {}),
        }),
        followUps: [],
      };
    case 'done': {
      await broadcast(deps, result.request, { ...skip, announce: announceOutcome(result.request) });
      void followReplication(deps, result.request);
      const outcomeCard = renderOutcomeCard({ request: result.request, sandbox: deps.sandbox });
      if (result.error) {
        deps.log.warn('graph.failure_reported', { requestId: result.request.id, error: result.error });
        return { kind: 'card', card: outcomeCard, followUps: [text(explainDirectoryError(result.error, result.request.targetUpn))] };
      }
      const followUps = !result.snapshot
        ? []
        : result.request.kind === 'clear-immutable-id'
          ? [card(renderTipsCard({ snapshot: result.snapshot, requestId: result.request.id, sandbox: deps.sandbox }))]
          : [text(changeTips(result.request, result.snapshot))];
      return { kind: 'card', card: outcomeCard, followUps };
    }
  }
}

/** Turns a reject/cancel/reason decision into the tapper's answer, and updates every other copy. */
export async function decideAndBroadcast(
  deps: ConversationDeps,
  decision: Promise<DecisionResult>,
  conversationId: string,
  activityId?: string,
): Promise<CardActionResult> {
  const result = await decision;
  switch (result.kind) {
    case 'not-found':
      return message(NOT_FOUND);
    case 'wrong-conversation':
      return message(WRONG_CONVERSATION);
    case 'not-allowed':
      return message(
        result.role === 'approver'
          ? "Only the bot's approvers can reject a request. Nothing was changed."
          : result.role === 'requester'
            ? 'Only the person who asked can add a reason. Nothing was changed.'
            : 'Only the person who asked, or an approver, can cancel this request. Nothing was changed.',
      );
    case 'reason-required':
      return message('Please type a reason: the requester sees it, and the audit keeps it. Nothing was changed yet.');
    case 'already-handled':
      return message(alreadyHandledText(result.request));
    case 'done': {
      const final = result.request.state !== 'awaiting-approval';
      await broadcast(deps, result.request, {
        fromConversationId: conversationId,
        ...(activityId ? { skipActivityId: activityId } : {}),
        ...(final ? { announce: announceOutcome(result.request) } : {}),
      });
      if (final) return { kind: 'card', card: renderOutcomeCard({ request: result.request, sandbox: deps.sandbox }), followUps: [] };
      return { kind: 'card', card: renderRequestCard(deps, result.request, 'requester'), shared: renderSharedCard(deps, result.request, activityId), followUps: [] };
    }
  }
}

/** Universal Actions refresh: approvers get the buttons, everyone else the status (never an error). */
async function refresh(deps: ConversationDeps, requestId: string, action: IncomingCardAction): Promise<CardActionResult> {
  const request = await deps.requests.get(requestId);
  if (!request) return message(NOT_FOUND);
  if (!isRequestConversation(request, action.conversationId)) return message(WRONG_CONVERSATION);
  const current = await expireIfDue(deps, request);
  return {
    kind: 'card',
    card: renderRequestCard(deps, current, await viewerOf(deps, current, action.actor.aadObjectId)),
    shared: renderSharedCard(deps, current, action.activityId),
    followUps: [],
  };
}

function message(value: string): CardActionResult {
  return { kind: 'message', text: value, followUps: [] };
}

/** The tapped message now shows the fresh request: record it as that request's copy (same role as before), so later updates reach it. */
async function adoptTappedMessage(deps: ConversationDeps, fresh: ChangeRequest, stale: ChangeRequest, action: IncomingCardAction): Promise<void> {
  const activityId = action.activityId;
  if (!activityId) return;
  const role = stale.cards?.find((c) => c.activityId === activityId)?.role ?? 'requester';
  await deps.requests
    .update(fresh.id, (r) => ({ ...r, cards: [...(r.cards ?? []), { conversationId: action.conversationId, activityId, role }] }))
    .catch((error: unknown) => deps.log.warn('card.copy_not_recorded', { requestId: fresh.id, error: error as Error }));
}
