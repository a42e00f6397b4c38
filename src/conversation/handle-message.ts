/** One chat message in, the bot's replies out. No botbuilder here: the transport adapts. */
import { escapeCardText, renderHelpCard, renderHistoryCard, renderSuggestionCard, renderUserCard } from '../cards';
import { DirectoryError } from '../directory/directory-error';
import { decideAndBroadcast } from './handle-card-action';
import { cancelRequest } from '../workflow/decide-request';
import type { WorkflowDeps } from '../workflow/deps';
import { lookUp } from '../workflow/look-up';
import { needsOthersApproval, startClear } from '../workflow/start-clear';
import type { Actor, ChangeRequest } from '../workflow/types';
import type { ChatPort } from './chat-port';
import { explainDirectoryError } from './explain-error';
import { parseCommand } from './parse-command';
import { RateLimiter } from './rate-limit';
import { card, Reply, text, textWithCard } from './replies';
import { renderRequestCard } from './request-cards';
import { resolveUser } from './resolve-user';
import { writeClearCommand } from './suggest-command';
import type { Target, UserRef } from './target';
import type { NotificationStore } from '../storage/notification-store';

export interface ConversationDeps extends WorkflowDeps {
  /** Cards say so when the directory is the local sandbox. */
  sandbox: boolean;
  /** Posting elsewhere and updating earlier cards; absent in tests that only look at replies. */
  chat?: ChatPort;
  rateLimiter?: RateLimiter;
  /** Sync-error reports from POST /api/notify. */
  notifications?: NotificationStore;
}

export interface IncomingMessage {
  text: string;
  actor: Actor;
  conversationId: string;
  tenantId: string;
}

/** Messages above this size are refused before parsing. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

const REQUESTER_ROLE =
  "You need the requester role for this: ask your Teams admin to add you to the bot's requester group (REQUESTER_GROUP_ID) or list (REQUESTER_IDS). Approvers can ask too.";

/** Answers one message; a Graph failure anywhere (even in a role check) becomes a specific message. */
export async function handleMessage(deps: ConversationDeps, message: IncomingMessage): Promise<Reply[]> {
  try {
    return await dispatch(deps, message);
  } catch (error) {
    if (error instanceof DirectoryError) return [text(explainDirectoryError(error, 'that user'))];
    throw error;
  }
}

async function dispatch(deps: ConversationDeps, message: IncomingMessage): Promise<Reply[]> {
  const size = Buffer.byteLength(message.text, 'utf8');
  if (size > MAX_MESSAGE_BYTES) {
    return [text(`That message is ${Math.ceil(size / 1024)} KB; I only read messages up to 16 KB. Send one command, e.g. \`clear immutable id for alice@contoso.com\`.`)];
  }
  const wait = deps.rateLimiter?.take(message.actor.aadObjectId || message.actor.name);
  if (wait !== undefined && wait > 0) {
    return [text(`You're sending commands faster than I accept (at most ${deps.rateLimiter?.perMinute} a minute). Please wait ${Math.ceil(wait / 1000)} s and try again.`)];
  }
  const command = parseCommand(message.text);
  switch (command.kind) {
    case 'help':
      return [card(renderHelpCard({ sandbox: deps.sandbox }))];
    case 'unknown':
      return [card(renderHelpCard({ sandbox: deps.sandbox, reason: `I didn't understand "${escapeCardText(shorten(message.text))}".` }))];
    case 'invalid':
      return [text(command.message)];
    case 'suggest':
      return [textWithCard(`Did you mean \`${command.suggestion}\`?`, renderSuggestionCard(command.suggestion, deps.sandbox))];
    case 'show':
      if (!(await deps.roles.canRequest(message.actor))) return [text(REQUESTER_ROLE)];
      return withDirectoryErrors(command.target, async () => {
        const resolved = await resolveUser(deps, command.target, (upn) => `show ${upn}`);
        if (!resolved.ok) return resolved.replies;
        const { snapshot, blockers } = await lookUp(deps, resolved.target);
        return [card(renderUserCard({ snapshot, blockers, purpose: 'show', sandbox: deps.sandbox }))];
      });
    case 'clear':
      return withDirectoryErrors(command.target, async () => {
        // Names are searched only for people who may ask: the list would show who is in the directory.
        if (command.target.kind === 'displayName' && !(await deps.roles.canRequest(message.actor))) return [text(REQUESTER_ROLE)];
        const resolved = await resolveUser(deps, command.target, (upn) => writeClearCommand(upn, command.reason));
        if (!resolved.ok) return resolved.replies;
        return requestClear(deps, message, resolved.target, command.reason);
      });
    case 'cancel': {
      const result = await decideAndBroadcast(deps, cancelRequest(deps, { requestId: command.requestId, actor: message.actor }), message.conversationId);
      return result.kind === 'card' ? [card(result.card), ...result.followUps] : [text(result.text), ...result.followUps];
    }
    case 'history':
      return showHistory(deps, message.actor, command.target);
  }
}

async function requestClear(deps: ConversationDeps, message: IncomingMessage, target: Target, reason?: string): Promise<Reply[]> {
  const result = await startClear(deps, {
    target,
    requester: message.actor,
    conversationId: message.conversationId,
    tenantId: message.tenantId,
    ...(reason ? { reason } : {}),
  });
  if (result.kind === 'not-allowed') return [text(REQUESTER_ROLE)];
  if (!result.request) {
    return [
      card(
        renderUserCard({
          snapshot: result.snapshot,
          blockers: result.blockers,
          purpose: 'clear',
          sandbox: deps.sandbox,
          requestedBy: message.actor.name,
          ...(reason ? { reason } : {}),
        }),
      ),
    ];
  }
  const request = result.request;
  const replies: Reply[] = [card(renderRequestCard(deps, request, 'anyone'), { requestId: request.id, role: 'requester' })];
  if (!deps.roles.hasApprovers()) {
    replies.push(text('Nobody is configured as an approver (APPROVER_IDS / APPROVER_GROUP_ID), so this request cannot be approved. Ask whoever runs the bot to configure approvers.'));
  }
  const channel = deps.approvals.channelId;
  if (channel && deps.chat && request.conversationId !== channel && (await needsOthersApproval(deps, request))) {
    replies.push(...(await postToApprovers(deps, request, channel)));
  }
  return replies;
}

/** Posts the approval card to the approvers' channel; says what to do when the bot can't. */
export async function postToApprovers(deps: ConversationDeps, request: ChangeRequest, channelId: string): Promise<Reply[]> {
  const posted = await (deps.chat as ChatPort).postToChannel(channelId, renderRequestCard(deps, request, 'approver'), 'approvers');
  if (posted.ok) {
    await deps.requests.update(request.id, (r) => ({
      ...r,
      cards: [...(r.cards ?? []), posted.copy],
      approvalConversationIds: [...new Set([...(r.approvalConversationIds ?? []), channelId])],
    }));
    return [text("I've posted this request in the approvers' channel; you'll hear here when it's decided.")];
  }
  deps.log.warn('approvals.channel_post_failed', { requestId: request.id, reason: posted.reason, detail: posted.detail });
  if (posted.reason === 'not-installed') {
    return [
      text(
        "I couldn't post this request to the approvers' channel because I'm not installed in that channel's team. Ask a Teams admin to add me to the team that owns the channel set in APPROVAL_CHANNEL_ID (or mention me there once). Until then, an approver can approve it here.",
      ),
    ];
  }
  return [text("I couldn't post this request to the approvers' channel right now. An approver can approve it here; I'll keep the request open.")];
}

async function showHistory(deps: ConversationDeps, actor: Actor, ref?: UserRef): Promise<Reply[]> {
  const isApprover = await deps.roles.canApprove(actor);
  if (!ref) {
    if (!isApprover) return [text('Only approvers can see the history across all users. Send `history <user>` for one user.')];
    return [card(renderHistoryCard({ entries: await deps.audit.list({ limit: 20 }), sandbox: deps.sandbox }))];
  }
  if (!isApprover && !(await deps.roles.canRequest(actor))) return [text(REQUESTER_ROLE)];
  return withDirectoryErrors(ref, async () => {
    const resolved = await resolveUser(deps, ref, (upn) => `history ${upn}`);
    if (!resolved.ok) return resolved.replies;
    const target = resolved.target;
    const snapshot = await deps.directory.findUser(target);
    const entries = await deps.audit.list({ targetId: snapshot.user.id, limit: 20 });
    return [card(renderHistoryCard({ entries, subject: snapshot.user.userPrincipalName, sandbox: deps.sandbox }))];
  });
}

async function withDirectoryErrors(target: UserRef, run: () => Promise<Reply[]>): Promise<Reply[]> {
  try {
    return await run();
  } catch (error) {
    // Only Graph failures are explained here; anything else (e.g. storage) is a bug or outage for onTurnError.
    if (error instanceof DirectoryError) return [text(explainDirectoryError(error, target.value))];
    throw error;
  }
}

function shorten(value: string): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 60)}…` : oneLine;
}
