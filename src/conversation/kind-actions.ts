/** Card buttons that open a new request of another kind: "Clear when unsynced" and "Restore UPN". */
import { escapeCardText as esc, renderOutcomeCard } from '../cards';
import { DirectoryError, toDirectoryError } from '../directory/directory-error';
import { kindModule } from '../workflow/change-kinds';
import { startClearWhenUnsynced, type RecheckResult } from '../workflow/clear-when-unsynced';
import { needsOthersApproval } from '../workflow/create-request';
import { startRestoreUpn } from '../workflow/start-restore-upn';
import type { Actor, ChangeRequest } from '../workflow/types';
import type { ConversationDeps } from './deps';
import { explainDirectoryError } from './explain-error';
import { offerRequest, renderBlockedCard } from './offer-request';
import { card, CardActionResult, text } from './replies';
import { postToApprovers } from './post-to-approvers';
import { announceOutcome, broadcast, renderRequestCard } from './request-cards';

export interface KindActionInput {
  /** The id the button carries: the user's object id (when unsynced) or the completed request's id (restore UPN). */
  id: string;
  actor: Actor;
  conversationId: string;
  tenantId: string;
  /** The tapped card's activity, so later updates reach it. */
  activityId?: string;
}

const REQUESTER_ONLY = "You need the requester or approver role to ask for this. Nothing was changed.";

/** "Clear when unsynced": the waiting request replaces the state card (or the ordinary request, if the user no longer syncs). */
export async function clearWhenUnsyncedTapped(deps: ConversationDeps, input: KindActionInput): Promise<CardActionResult> {
  try {
    const result = await startClearWhenUnsynced(deps, { userId: input.id, requester: input.actor, conversationId: input.conversationId, tenantId: input.tenantId });
    if (result.kind === 'not-allowed') return { kind: 'message', text: REQUESTER_ONLY, followUps: [] };
    if (!result.request) {
      return { kind: 'card', card: renderBlockedCard(deps, { snapshot: result.snapshot, blockers: result.blockers, kind: 'clear-immutable-id', purpose: 'clear', requestedBy: input.actor.name }), followUps: [] };
    }
    return await answerWithRequest(deps, result.request, input);
  } catch (error) {
    return { kind: 'message', text: explainDirectoryError(asDirectoryError(error), 'that user'), followUps: [] };
  }
}

/** "Restore UPN" on a move-UPN-and-clear outcome: the outcome card stays; the new request (or why not) follows. */
export async function restoreUpnTapped(deps: ConversationDeps, input: KindActionInput): Promise<CardActionResult> {
  try {
    const result = await startRestoreUpn(deps, { fromRequestId: input.id, requester: input.actor, conversationId: input.conversationId, tenantId: input.tenantId });
    switch (result.kind) {
      case 'not-found':
        return { kind: 'message', text: "I can't find that change any more, so nothing was changed.", followUps: [] };
      case 'wrong-conversation':
        return { kind: 'message', text: 'This card belongs to another conversation, so nothing was changed.', followUps: [] };
      case 'not-allowed':
        return { kind: 'message', text: REQUESTER_ONLY, followUps: [] };
      case 'not-applicable':
        return { kind: 'message', text: 'Restore UPN works only on a completed “move UPN and clear” change. Nothing was changed.', followUps: [] };
      case 'ok': {
        const outcome = renderOutcomeCard({ request: result.from, sandbox: deps.sandbox });
        if (!result.request) {
          const blocked = renderBlockedCard(deps, { snapshot: result.snapshot, blockers: result.blockers, kind: 'restore-upn', purpose: 'show', requestedBy: input.actor.name, notice: "The UPN can't be restored yet; nothing was changed." });
          return { kind: 'card', card: outcome, followUps: [card(blocked)] };
        }
        return { kind: 'card', card: outcome, followUps: await offerRequest(deps, result.request) };
      }
    }
  } catch (error) {
    return { kind: 'message', text: explainDirectoryError(asDirectoryError(error), 'that user'), followUps: [] };
  }
}

/** The tapped card becomes the request's card (recorded as the requester's copy); the approvers' channel as usual. */
async function answerWithRequest(deps: ConversationDeps, request: ChangeRequest, input: KindActionInput): Promise<CardActionResult> {
  const activityId = input.activityId;
  if (activityId) {
    await deps.requests.update(request.id, (r) => ({ ...r, cards: [...(r.cards ?? []), { conversationId: input.conversationId, activityId, role: 'requester' }] }));
  }
  const followUps =
    request.state === 'waiting-for-unsync'
      ? [text(`I'll check ${request.targetUpn} every ${minutes(deps.approvals.unsyncCheckIntervalMs)} and tell you, and the approvers, when it no longer syncs.`)]
      : (await offerRequest(deps, request)).slice(1);
  return { kind: 'card', card: renderRequestCard(deps, (await deps.requests.get(request.id)) ?? request, 'anyone'), followUps };
}

const minutes = (ms: number): string => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

const asDirectoryError = (error: unknown): DirectoryError => (error instanceof DirectoryError ? error : toDirectoryError(error, 'The user'));

/**
 * After the periodic re-check: requests whose user no longer syncs now await approval — every card
 * copy is updated, the requester's chat is told, and the approvers' channel gets the approval card.
 */
export async function announceRechecked(deps: ConversationDeps, result: RecheckResult): Promise<void> {
  for (const request of result.ready) {
    const words = kindModule(request.kind).wording;
    await broadcast(deps, request, { announce: [text(`🔓 **${esc(request.targetUpn)}** no longer syncs: the request to ${words.action} now waits for approval.`)] });
    const channel = deps.approvals.channelId;
    if (channel && deps.chat && request.conversationId !== channel && (await needsOthersApproval(deps, request))) {
      await postToApprovers(deps, request, channel);
    }
  }
  for (const request of result.ended) await broadcast(deps, request, { announce: announceOutcome(request) });
}
