/** Renders a request for whoever looks at it, and keeps every copy of its card in step. */
import { escapeCardText as esc, renderChangeCard, renderOutcomeCard, renderProgressCard, renderUserCard, renderWorkingCard, type CardChange } from '../cards';
import { leaseExpired } from '../workflow/execution-lease';
import type { UserSnapshot } from '../directory/types';
import { primaryChange } from '../workflow/changes';
import type { CardCopy, ChangeRequest } from '../workflow/types';
import { kindModule } from '../workflow/change-kinds';
import type { ConversationDeps } from './deps';
import { card, CardJson, Reply, text } from './replies';

export type Viewer = 'requester' | 'approver' | 'anyone' | 'other';

/** The card for a request as it is now. `viewer` picks the buttons: approvers approve/reject, requesters cancel. */
export function renderRequestCard(deps: ConversationDeps, request: ChangeRequest, viewer: Viewer = 'anyone', notice?: string): CardJson {
  if (request.state === 'executing') return leaseExpired(deps, request) ? renderInterruptedCard(deps, request) : renderWorkingCard({ request, sandbox: deps.sandbox });
  if (request.state === 'waiting-for-unsync' && request.snapshot) return renderWaitingCard(deps, request, request.snapshot);
  if (request.state !== 'awaiting-approval' || !request.snapshot) return renderOutcomeCard({ request, sandbox: deps.sandbox });
  const buttons =
    viewer === 'approver'
      ? { approve: true, reject: true, cancel: false, addReason: false }
      : viewer === 'requester'
        ? { approve: false, reject: false, cancel: true, addReason: true }
        : viewer === 'other'
          ? { approve: false, reject: false, cancel: false, addReason: false }
          : { approve: true, reject: true, cancel: true, addReason: false };
  if (request.kind === 'set-immutable-id' || request.kind === 'undo') {
    const change = primaryChange(request);
    return renderChangeCard({
      snapshot: request.snapshot,
      currentValue: change.before,
      newValue: change.after,
      ...changeCardWords(request),
      blockers: [],
      requestId: request.id,
      sandbox: deps.sandbox,
      requestedBy: request.requester.name,
      ...(request.reason ? { reason: request.reason } : {}),
      approvals: request.approvals.map((a) => ({ name: a.actor.name, at: a.at })),
      requiredApprovals: request.requiredApprovals,
      buttons: { approve: buttons.approve, reject: buttons.reject, cancel: buttons.cancel },
      ...(viewer === 'approver' ? { approveTitle: request.kind === 'undo' ? 'Approve & undo' : 'Approve & match' } : {}),
      ...(notice ? { notice } : {}),
    });
  }
  const module = kindModule(request.kind);
  const change = presentChange(request, request.snapshot);
  const approveTitle = module.wording.approveTitle ?? (viewer === 'approver' ? 'Approve & clear' : undefined);
  return renderUserCard({
    snapshot: request.snapshot,
    blockers: [],
    requestId: request.id,
    purpose: 'clear',
    ...(change ? { change } : {}),
    sandbox: deps.sandbox,
    requestedBy: request.requester.name,
    ...(request.reason ? { reason: request.reason } : {}),
    approvals: request.approvals.map((a) => ({ name: a.actor.name, at: a.at })),
    requiredApprovals: request.requiredApprovals,
    buttons,
    ...(approveTitle ? { approveTitle } : {}),
    refreshUserIds: deps.roles.approverIdsForRefresh(),
    showRequestId: true,
    ...(notice ? { notice } : {}),
  });
}

/**
 * An approved change whose lease ran out is not running any more (its process stopped, or lost
 * its storage): not "Working…", but what happens next. A sweep reads the user back and settles it.
 */
function renderInterruptedCard(deps: ConversationDeps, request: ChangeRequest): CardJson {
  const words = kindModule(request.kind).wording;
  return renderProgressCard({
    sandbox: deps.sandbox,
    headline: '⏳ Checking what happened…',
    detail:
      `${words.doing} of **${esc(request.targetUpn)}** was interrupted before its outcome was recorded (the bot stopped, or could not reach its storage). ` +
      "I read the user back and update this card with what actually happened; don't approve it again meanwhile.",
    hint: `Send \`history ${request.targetUpn.replace(/[`\r\n]/g, '')}\` to see what was recorded.`,
    requestId: request.id,
    refresh: true,
  });
}

/** Title and summary of a set/undo card. */
export function changeCardWords(request: Pick<ChangeRequest, 'kind' | 'undoOf'>): { title: string; summary: string } {
  if (request.kind === 'undo') {
    return {
      title: 'Undo the change?',
      summary: `Approving writes back the immutable ID that request ${esc(request.undoOf ?? '', 128)} replaced.`,
    };
  }
  return {
    title: 'Hard match: set the immutable ID?',
    summary: 'Approving sets the immutable ID to the on-prem anchor below, so the next sync joins this cloud user to that on-prem object (a hard match).',
  };
}

/** A "Clear when unsynced" request: what it waits for, how often it looks, until when; only Cancel. */
function renderWaitingCard(deps: ConversationDeps, request: ChangeRequest, snapshot: UserSnapshot): CardJson {
  const every = deps.approvals.unsyncCheckIntervalMs >= 60_000 ? `${Math.round(deps.approvals.unsyncCheckIntervalMs / 60_000)} min` : `${Math.round(deps.approvals.unsyncCheckIntervalMs / 1000)} s`;
  const at = (iso?: string): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'soon');
  return renderUserCard({
    snapshot,
    blockers: [],
    requestId: request.id,
    purpose: 'clear',
    sandbox: deps.sandbox,
    requestedBy: request.requester.name,
    ...(request.reason ? { reason: request.reason } : {}),
    change: {
      headline: 'Clear when unsynced: waiting',
      explanation:
        `Entra Connect still syncs ${esc(request.targetUpn)}, so Graph refuses the clear. Take the on-prem user out of sync scope (it is then soft-deleted: the request becomes Restore and clear), ` +
        `or turn sync off for it. I check every ${every} (next ${at(request.nextCheckAt)}); once it no longer syncs, the request waits for approval and the approvers are told. It expires ${at(request.expiresAt)}.`,
      facts: [{ title: 'Immutable ID', value: `${esc(snapshot.user.onPremisesImmutableId)} → (empty), after approval` }],
      approveNote: 'Nothing is changed while it waits. The requester or an approver can cancel it.',
    },
    buttons: { approve: false, reject: false, cancel: true, addReason: false },
    showRequestId: true,
  });
}

/** How a kind other than the plain clear presents itself on the card, every user value escaped. */
export function presentChange(request: Pick<ChangeRequest, 'kind' | 'changes' | 'targetUpn'>, snapshot: UserSnapshot): CardChange | undefined {
  const text = kindModule(request.kind).present?.(request, snapshot);
  if (!text) return undefined;
  return {
    headline: esc(text.headline, 120),
    explanation: esc(text.explanation, 800),
    facts: text.facts.map((f) => ({ title: esc(f.title, 60), value: esc(f.value, 300) })),
    ...(text.approveNote ? { approveNote: esc(text.approveNote) } : {}),
  };
}

/** Who is looking: the requester, an approver, or someone else. */
export async function viewerOf(deps: ConversationDeps, request: ChangeRequest, aadObjectId: string): Promise<Viewer> {
  const actor = { aadObjectId, name: '' };
  if (await deps.roles.canApprove(actor)) return 'approver';
  if (aadObjectId && aadObjectId.toLowerCase() === request.requester.aadObjectId.toLowerCase()) return 'requester';
  return 'other';
}

/**
 * Who a copy of the card is for when the bot edits the message itself (everyone in that chat sees
 * the edit): the approvers' channel copy shows the approval buttons, any other copy the neutral
 * view; never one person's own view (that only goes back to them in the invoke response).
 */
export function sharedViewer(request: ChangeRequest, copy: Pick<CardCopy, 'role'> | undefined): Viewer {
  return request.state === 'awaiting-approval' && copy?.role === 'approvers' ? 'approver' : 'anyone';
}

/** The request's card as everyone in the chat of the message `activityId` should see it. */
export function renderSharedCard(deps: ConversationDeps, request: ChangeRequest, activityId?: string): CardJson {
  const copy = activityId ? request.cards?.find((c) => c.activityId === activityId) : undefined;
  return renderRequestCard(deps, request, sharedViewer(request, copy));
}

/**
 * Updates every copy of the request's card (except the one just answered through the invoke
 * response) and posts `announce` to the requester's chat and the approvers' thread.
 */
export async function broadcast(
  deps: ConversationDeps,
  request: ChangeRequest,
  options: { skipActivityId?: string; fromConversationId?: string; announce?: Reply[] } = {},
): Promise<void> {
  const chat = deps.chat;
  if (!chat) return;
  // The copies are listed on the stored request; a failed read must not undo what already happened.
  const fresh =
    (await deps.requests.get(request.id).catch((error: unknown) => {
      deps.log.warn('card.copies_read_failed', { requestId: request.id, error: error as Error });
      return undefined;
    })) ?? request;
  for (const copy of fresh.cards ?? []) {
    if (copy.activityId === options.skipActivityId) continue;
    try {
      await chat.updateCard(copy, renderRequestCard(deps, fresh, sharedViewer(fresh, copy)));
    } catch (error) {
      deps.log.warn('card.update_failed', { requestId: fresh.id, conversationId: copy.conversationId, error: error as Error });
    }
  }
  if (!options.announce?.length) return;
  const from = options.fromConversationId ? baseOf(options.fromConversationId) : undefined;
  const targets = new Set<string>();
  if (baseOf(fresh.conversationId) !== from) targets.add(fresh.conversationId);
  for (const copy of fresh.cards ?? []) {
    if (copy.role === 'approvers' && baseOf(copy.conversationId) !== from) targets.add(copy.conversationId);
  }
  let requesterReached = true;
  for (const conversationId of targets) {
    // One unreachable conversation must not keep the others from hearing the outcome.
    const posted = await chat.postTo(conversationId, options.announce).catch((error: unknown) => {
      deps.log.warn('announce.failed', { requestId: fresh.id, conversationId, error: error as Error });
      return false;
    });
    if (!posted && conversationId === fresh.conversationId) requesterReached = false;
  }
  if (requesterReached) return;
  const note = [text(`I couldn't reach ${esc(fresh.requester.name)} in the chat where they asked (the bot may have been removed from it), so they have not been told this outcome.`)];
  // Every approvers' thread hears it, including the one where the decision was just taken.
  const threads = new Set((fresh.cards ?? []).filter((c) => c.role === 'approvers').map((c) => c.conversationId));
  for (const conversationId of threads) await chat.postTo(conversationId, note).catch(() => false);
}

/** A one-line summary of an outcome for the requester's chat and the approvers' thread. */
export function announceOutcome(request: ChangeRequest): Reply[] {
  const who = request.targetUpn;
  const o = request.outcome;
  const words = kindModule(request.kind).wording;
  const subject = request.kind === 'clear-immutable-id' || request.kind === 'set-immutable-id' ? `The immutable ID of **${esc(who)}**` : `**${esc(who)}**`;
  switch (o?.status) {
    case 'completed':
      return [text(`✅ ${subject} ${words.done} (approved by ${esc(request.approvedBy?.name ?? 'an approver')}). ${words.next}`)];
    case 'completed-pending-replication':
      return [text(`✅ ${subject} ${words.done} (approved by ${esc(request.approvedBy?.name ?? 'an approver')}); Graph accepted the change and directory replication is still catching up.`)];
    case 'failed': {
      // After a first write (e.g. the restore) the message itself says what state the user is in.
      const partly = request.steps.some((step) => step.status === 'done');
      return [text(`❌ ${words.doing} of **${esc(who)}** failed: ${esc(o.message ?? 'unknown error')}${partly ? '' : '. Nothing was changed.'}`)];
    }
    case 'unconfirmed':
      // The message names what Graph answered and says to check with `show` before trying again.
      return [text(`⚠️ Could not confirm ${words.doing.charAt(0).toLowerCase()}${words.doing.slice(1)} of **${esc(who)}**: ${esc(o.message ?? 'the directory did not answer clearly')}`)];
    case 'rejected':
      return [text(`🚫 The request to ${words.action} of **${esc(who)}** was rejected by ${esc(request.rejectedBy?.name ?? 'an approver')}: "${esc(request.rejectionReason ?? '')}". Nothing was changed.`)];
    case 'cancelled':
      return [text(`The request to ${words.action} of **${esc(who)}** was cancelled by ${esc(request.cancelledBy?.name ?? 'someone')}. Nothing was changed.`)];
    case 'expired':
      return [text(`⌛ The request to ${words.action} of **${esc(who)}** expired before anyone approved it. Nothing was changed; send the command again if it is still needed.`)];
    case 'stale':
      return [text(`The immutable ID of **${esc(who)}** changed before the request ran, so nothing was changed.`)];
    default:
      return [];
  }
}

/** The card and text for a request that was already decided, for late taps. */
export function alreadyHandledText(request: ChangeRequest): string {
  const at = (iso?: string) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'earlier');
  switch (request.state) {
    case 'executing':
      return `This request was already approved by ${esc(request.approvedBy?.name ?? 'an approver')} at ${at(request.approvedAt)} and is running now.`;
    case 'completed':
    case 'failed':
      return `This request was already approved by ${esc(request.approvedBy?.name ?? 'an approver')} at ${at(request.approvedAt)}. Nothing more was changed.`;
    case 'rejected':
      return `This request was already rejected by ${esc(request.rejectedBy?.name ?? 'an approver')} at ${at(request.outcome?.at)}. Nothing was changed.`;
    case 'cancelled':
      return `This request was already cancelled by ${esc(request.cancelledBy?.name ?? 'someone')} at ${at(request.outcome?.at)}. Nothing was changed.`;
    case 'expired':
      return `This request expired at ${at(request.outcome?.at)}. Nothing was changed.`;
    case 'superseded':
      return 'This request was not run because the user changed after the card was shown.';
    default:
      return 'This request is still waiting for approval.';
  }
}

export const trackRequester = (request: ChangeRequest, c: CardJson): Reply => card(c, { requestId: request.id, role: 'requester' });

function baseOf(conversationId: string): string {
  const i = conversationId.indexOf(';messageid=');
  return i === -1 ? conversationId : conversationId.slice(0, i);
}
