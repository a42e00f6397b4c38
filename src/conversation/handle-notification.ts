/**
 * Sync errors reported by a monitoring script on the Entra Connect server (POST /api/notify):
 * the bot shows the user's state in the approvers' channel and offers to request the clear.
 */
import { renderSyncErrorCard, renderUserCard } from '../cards';
import { DirectoryError, toDirectoryError } from '../directory/directory-error';
import { newRequestId, nowIso } from '../workflow/deps';
import { lookUp } from '../workflow/look-up';
import { baseConversationId, createRequest } from '../workflow/create-request';
import type { Actor } from '../workflow/types';
import { explainDirectoryError } from './explain-error';
import type { ConversationDeps } from './deps';
import { CardActionResult } from './replies';
import { renderRequestCard } from './request-cards';
import { parseTarget } from './target';

export interface SyncErrorReport {
  userPrincipalName: string;
  error: string;
  detail: string;
}

export type NotifyOutcome =
  | { status: 202; body: { posted: true; notificationId: string } }
  | { status: 400 | 409 | 502 | 503; body: { error: string } };

/** Validates the JSON body of POST /api/notify; returns the report or what was wrong. */
export function parseSyncErrorReport(body: unknown): { ok: true; report: SyncErrorReport } | { ok: false; error: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { ok: false, error: 'The body must be a JSON object {"userPrincipalName", "error", "detail"}.' };
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  const upn = typeof b.userPrincipalName === 'string' ? b.userPrincipalName.trim() : '';
  if (!upn) problems.push('"userPrincipalName" is required (a string, e.g. "alice@contoso.com")');
  else if (!parseTarget(upn).ok) problems.push(`"userPrincipalName" is not a valid UPN: ${(parseTarget(upn) as { reason: string }).reason}`);
  if (typeof b.error !== 'string' || !b.error.trim()) problems.push('"error" is required (a string naming the sync error, e.g. "InvalidSoftMatch")');
  else if (b.error.length > 200) problems.push('"error" is longer than 200 characters');
  if (b.detail !== undefined && typeof b.detail !== 'string') problems.push('"detail" must be a string');
  else if (typeof b.detail === 'string' && b.detail.length > 4000) problems.push('"detail" is longer than 4000 characters');
  const unknown = Object.keys(b).filter((k) => !['userPrincipalName', 'error', 'detail'].includes(k));
  if (unknown.length) problems.push(`unknown field(s): ${unknown.join(', ')}`);
  if (problems.length) return { ok: false, error: problems.join('; ') };
  return { ok: true, report: { userPrincipalName: upn, error: (b.error as string).trim(), detail: typeof b.detail === 'string' ? b.detail : '' } };
}

/** Posts the sync-error card in the approvers' channel. */
export async function notifySyncError(deps: ConversationDeps, report: SyncErrorReport): Promise<NotifyOutcome> {
  const channel = deps.approvals.channelId;
  if (!channel || !deps.chat || !deps.notifications) {
    return { status: 409, body: { error: 'APPROVAL_CHANNEL_ID is not set, so there is no channel to post the report in.' } };
  }
  const parsed = parseTarget(report.userPrincipalName);
  let snapshotPart: Partial<Parameters<typeof renderSyncErrorCard>[0]> = {};
  let targetId: string | undefined;
  if (parsed.ok) {
    try {
      const { snapshot, blockers } = await lookUp(deps, parsed.target);
      snapshotPart = { snapshot, blockers };
      targetId = snapshot.user.id;
    } catch (error) {
      const e = error instanceof DirectoryError ? error : toDirectoryError(error, 'The user');
      deps.log.warn('graph.failure_reported', { error: e });
      snapshotPart = { lookupError: explainDirectoryError(e, report.userPrincipalName), blockers: [] };
    }
  }
  const id = newRequestId();
  await deps.notifications.save({
    id,
    receivedAt: nowIso(deps),
    userPrincipalName: report.userPrincipalName,
    ...(targetId ? { targetId } : {}),
    error: report.error,
    detail: report.detail,
  });
  const posted = await deps.chat.postToChannel(
    channel,
    renderSyncErrorCard({
      upn: report.userPrincipalName,
      error: report.error,
      detail: report.detail,
      notificationId: id,
      blockers: [],
      sandbox: deps.sandbox,
      ...snapshotPart,
    }),
    'approvers',
  );
  if (!posted.ok) {
    deps.log.warn('notify.post_failed', { reason: posted.reason });
    return {
      status: posted.reason === 'not-installed' ? 503 : 502,
      body: {
        error:
          posted.reason === 'not-installed'
            ? "The bot is not installed in the team that owns APPROVAL_CHANNEL_ID; add it to that team and send the report again."
            : 'Posting to the approvers\' channel failed; try again.',
      },
    };
  }
  return { status: 202, body: { posted: true, notificationId: id } };
}

/** "Request clear" tapped on a sync-error card: becomes a normal request, approved in the channel. */
export async function requestFromNotification(
  deps: ConversationDeps,
  input: { notificationId: string; actor: Actor; conversationId: string; tenantId: string; activityId?: string },
): Promise<CardActionResult> {
  const notification = await deps.notifications?.get(input.notificationId);
  if (!notification?.targetId) return { kind: 'message', text: "I can't find that sync-error report any more. Send `clear immutable id for` and the user's UPN instead.", followUps: [] };
  // Reports are posted only in the approvers' channel; a tap from anywhere else is not from that card.
  if (baseConversationId(input.conversationId) !== deps.approvals.channelId) {
    return { kind: 'message', text: 'This card belongs to another conversation, so nothing was changed.', followUps: [] };
  }
  if (notification.requestId) {
    const existing = await deps.requests.get(notification.requestId);
    return existing
      ? { kind: 'card', card: renderRequestCard(deps, existing), followUps: [] }
      : { kind: 'message', text: 'This report was already turned into a request.', followUps: [] };
  }
  if (!(await deps.roles.canRequest(input.actor))) {
    return { kind: 'message', text: "You need the requester or approver role to request this change. Nothing was changed.", followUps: [] };
  }
  try {
    const { snapshot, blockers, kind, changes } = await lookUp(deps, { kind: 'objectId', value: notification.targetId });
    if (blockers.length > 0) {
      return { kind: 'card', card: renderUserCard({ snapshot, blockers, purpose: 'clear', sandbox: deps.sandbox }), followUps: [] };
    }
    // Claim the report first (compare-and-set), then create the request under the claimed id:
    // concurrent taps make exactly one request, and the loser is shown it.
    const requestId = (deps.newRequestId ?? newRequestId)();
    if (!(await deps.notifications?.claim(notification.id, requestId))) {
      const winner = (await deps.notifications?.get(notification.id))?.requestId;
      const existing = winner ? await deps.requests.get(winner) : undefined;
      return existing
        ? { kind: 'card', card: renderRequestCard(deps, existing), followUps: [] }
        : { kind: 'message', text: 'Someone else already requested this change from the report.', followUps: [] };
    }
    let request;
    try {
      // The change that fits: a clear, or move UPN and clear for a federated user.
      request = await createRequest({ ...deps, newRequestId: () => requestId }, kind, snapshot, changes, {
        requester: input.actor,
        conversationId: input.conversationId,
        tenantId: input.tenantId,
        reason: `Entra Connect reported ${notification.error}`,
      });
    } catch (error) {
      await deps.notifications?.release(notification.id, requestId).catch(() => undefined);
      throw error;
    }
    if (input.activityId) {
      await deps.requests.update(request.id, (r) => ({
        ...r,
        cards: [...(r.cards ?? []), { conversationId: input.conversationId, activityId: input.activityId as string, role: 'approvers' }],
      }));
    }
    return { kind: 'card', card: renderRequestCard(deps, request, 'anyone'), followUps: [] };
  } catch (error) {
    if (!(error instanceof DirectoryError)) {
      // Not Graph: the bot's own storage failed. Say so, rather than blame Graph or another tapper.
      deps.log.error('notify.request_failed', { notificationId: notification.id, error: error as Error });
      return {
        kind: 'message',
        text: "The bot's storage is not answering right now, so no request was made. Nothing was changed; tap **Request clear** again in a minute.",
        followUps: [],
      };
    }
    deps.log.warn('graph.failure_reported', { error });
    return { kind: 'message', text: explainDirectoryError(error, notification.userPrincipalName), followUps: [] };
  }
}
