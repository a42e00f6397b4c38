/**
 * The Teams edge: decodes activities, calls one conversation function, sends what it returns.
 * botbuilder types stay in this folder.
 */
import type { FileConsentCardResponse } from 'botbuilder';
import { readCsvFor } from '../conversation/bulk-csv';
import { hasBulk } from '../conversation/bulk-jobs';
import {
  Activity,
  ActivityTypes,
  CardFactory,
  ConversationReference,
  InvokeResponse,
  MessageFactory,
  TeamsActivityHandler,
  TeamsChannelData,
  TurnContext,
} from 'botbuilder';
import type { CloudAdapter } from 'botbuilder';
import { randomUUID } from 'node:crypto';
import { parseActionData } from '../cards';
import { handleCardAction } from '../conversation/handle-card-action';
import { answerWhileRunning, settleTap, type InterimAnswer, type TapOutcome } from '../conversation/slow-card-actions';
import type { ConversationDeps } from '../conversation/deps';
import { handleMessage } from '../conversation/handle-message';
import type { CardActionResult, CardJson } from '../conversation/replies';
import type { Logger } from '../log';
import type { DeliveryStore } from '../storage/delivery-store';
import type { ReferenceStore, StoredReference } from '../storage/reference-store';
import type { Actor, ChangeRequest } from '../workflow/types';
import { InFlight } from './in-flight';
import { OnCardSent, sendReplies } from './send-replies';

export interface BotOptions {
  deps: ConversationDeps;
  adapter: CloudAdapter;
  botAppId: string;
  allowedTenantIds: readonly string[];
  /** Card actions answer with a "Working…" card when the change takes longer than this. */
  cardActionDeadlineMs: number;
  references: ReferenceStore;
  log: Logger;
  inFlight: InFlight;
  /** With shared state: delivered activity ids in the store, so a retry reaching another instance is dropped too. */
  deliveries?: DeliveryStore;
}

const TIMED_OUT: unique symbol = Symbol('timed out');
/**
 * A reply faster than this needs no typing indicator (and each indicator is one more call to the
 * connector); a slower one shows it, renewed while the work goes on, since Teams drops it after a
 * few seconds. Not botbuilder's ShowTypingMiddleware: it keeps typing after the reply is sent and
 * turns a failed indicator into an error message.
 */
const TYPING_AFTER_MS = 1000;
const TYPING_EVERY_MS = 3000;
const CORRELATION = Symbol('correlationId');
/** How long the interim answer to a slow tap may take (it reads the request once). */
const INTERIM_LIMIT_MS = 1000;
/** The final card of a slow tap: tries and back-off between them (Teams' connector has passing 5xx). */
const CARD_UPDATE_ATTEMPTS = 3;
const CARD_UPDATE_RETRY_MS = 500;
const SEEN_LIMIT = 5000;

export class ImmutableIdBot extends TeamsActivityHandler {
  /** Activity ids already handled: Teams retries a delivery it thinks failed. */
  private readonly seen = new Set<string>();

  constructor(private readonly options: BotOptions) {
    super();
    this.onMessage(async (context, next) => {
      await this.onChatMessage(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.saveReference(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.dropReferences(context);
      await next();
    });
  }

  /** Drops activities from tenants the bot does not serve and repeated deliveries, before any handler. */
  override async run(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const tenantId = tenantOf(activity);
    if (!this.options.allowedTenantIds.includes(tenantId.toLowerCase())) {
      this.options.log.warn('activity.ignored_tenant', {
        tenantId: tenantId || '(none)',
        activityType: activity.type,
        conversationId: activity.conversation?.id,
      });
      await answerDroppedInvoke(context);
      return;
    }
    if (activity.type === 'message' && activity.id) {
      const key = `${activity.conversation?.id}|${activity.id}`;
      if (this.seen.has(key)) {
        this.options.log.info('activity.duplicate_ignored', { activityId: activity.id, conversationId: activity.conversation?.id });
        return;
      }
      this.seen.add(key);
      if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value as string);
      if (!(await this.firstDelivery(key))) {
        this.options.log.info('activity.duplicate_ignored', { activityId: activity.id, conversationId: activity.conversation?.id, otherInstance: true });
        return;
      }
    }
    await this.trackReferences(context);
    // One correlation id per turn in every log line; never the message text (it may name other users).
    const correlationId = activity.id ?? randomUUID();
    context.turnState.set(CORRELATION, correlationId);
    this.options.log.info('turn.received', {
      correlationId,
      activityType: activity.type,
      ...(activity.name ? { name: activity.name } : {}),
      conversationType: activity.conversation?.conversationType,
      tenantId,
    });
    await super.run(context);
  }

  /** Whether no other instance got this delivery first; a storage failure lets it through (a missed reply is worse than a rare repeat). */
  private async firstDelivery(key: string): Promise<boolean> {
    if (!this.options.deliveries) return true;
    try {
      return await this.options.deliveries.claim(key);
    } catch (error) {
      this.options.log.warn('activity.delivery_check_failed', { error: error as Error });
      return true;
    }
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') {
      const response = await super.onInvokeActivity(context);
      // botbuilder answers invokes it has no handler for with 501; a dropped activity gets a clean 200.
      if (response.status !== 501) return response;
      this.options.log.info('activity.invoke_ignored', { name: context.activity.name ?? '(none)' });
      return { status: 200 };
    }
    const result = await this.runCardAction(context);
    const body =
      result.kind === 'card'
        ? { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: result.card }
        : { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: result.text };
    return { status: 200, body };
  }

  /** The user accepted a file (the bulk previous-values CSV): upload it to their OneDrive and show it. */
  protected override async handleTeamsFileConsentAccept(context: TurnContext, response: FileConsentCardResponse): Promise<void> {
    const deps = this.depsFor(context);
    const jobId = (response.context as { jobId?: unknown } | undefined)?.jobId;
    const info = response.uploadInfo;
    const uploadUrl = info?.uploadUrl;
    if (!hasBulk(deps) || typeof jobId !== 'string' || !info || !uploadUrl) {
      await context.sendActivity(MessageFactory.text("I couldn't tell which file that was; send `csv` and the job id again."));
      return;
    }
    const from = context.activity.from;
    const access = await readCsvFor(deps, jobId, { aadObjectId: from?.aadObjectId ?? '', name: from?.name ?? '' });
    if (!access.ok) {
      await context.sendActivity(MessageFactory.text(access.message));
      return;
    }
    const body = Buffer.from(access.csv, 'utf8');
    const upload = await fetch(uploadUrl, {
      method: 'PUT',
      headers: { 'Content-Length': String(body.length), 'Content-Range': `bytes 0-${body.length - 1}/${body.length}` },
      body,
    }).catch((error: unknown) => ({ ok: false, status: 0, error }) as const);
    if (!upload.ok) {
      this.options.log.warn('bulk.csv_upload_failed', { status: upload.status });
      await context.sendActivity(MessageFactory.text('Uploading the file to your OneDrive failed; send `csv` and the job id to try again.'));
      return;
    }
    await context.sendActivity({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.card.file.info',
          contentUrl: info.contentUrl,
          name: info.name,
          content: { uniqueId: info.uniqueId, fileType: info.fileType },
        },
      ],
    });
  }

  protected override async handleTeamsFileConsentDecline(context: TurnContext): Promise<void> {
    await context.sendActivity(MessageFactory.text("OK, no file. The previous values stay in the audit: send `history` and a user's UPN."));
  }

  private async onChatMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    // Action.Submit (the fallback for clients without Universal Actions) arrives as a message with a value.
    if (!activity.text && activity.value && parseActionData(activity.value)) {
      const result = await this.runCardAction(context);
      // Editing the message changes it for everyone in the chat: the shared view, never the tapper's own.
      if (result.kind === 'card' && activity.replyToId) {
        await context.updateActivity({ type: 'message', id: activity.replyToId, attachments: [CardFactory.adaptiveCard(result.shared ?? result.card)] });
      } else if (result.kind === 'card') {
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(result.card)));
      } else {
        await context.sendActivity(MessageFactory.text(result.text));
      }
      return;
    }
    const text = TurnContext.removeRecipientMention(activity) || activity.text || commandOfButton(activity.value) || '';
    const typing = this.typingWhileSlow(context);
    let replies;
    try {
      replies = await handleMessage(this.depsFor(context), {
        text,
        actor: actorOf(activity),
        conversationId: activity.conversation.id,
        tenantId: tenantOf(activity),
      });
    } finally {
      await typing.stop();
    }
    await sendReplies(context, replies, this.recordCard);
  }

  /** Sends "typing…" only while a reply takes longer than TYPING_AFTER_MS; stop() waits for one in flight, so it never lands after the reply. */
  private typingWhileSlow(context: TurnContext): { stop(): Promise<void> } {
    let stopped = false;
    let sending: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout;
    const schedule = (ms: number): void => {
      timer = setTimeout(() => {
        sending = context.sendActivities([{ type: 'typing' }]).then(
          () => {
            if (!stopped) schedule(TYPING_EVERY_MS);
          },
          (error: unknown) => this.options.log.warn('typing.failed', { error: error as Error }),
        );
      }, ms);
    };
    schedule(TYPING_AFTER_MS);
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        await sending;
      },
    };
  }

  /** The conversation dependencies with a logger that carries this turn's correlation id. */
  private depsFor(context: TurnContext): ConversationDeps {
    const correlationId = context.turnState.get(CORRELATION) as string | undefined;
    return correlationId ? { ...this.options.deps, log: this.options.log.child({ correlationId }) } : this.options.deps;
  }

  /** Remembers where a request's card was posted, so every copy can be updated later. */
  private readonly recordCard: OnCardSent = async (tracking, copy) => {
    const request = await this.options.deps.requests.update(tracking.requestId, (r) => ({
      ...r,
      cards: [...(r.cards ?? []), { ...copy, role: tracking.role }],
    }));
    // Not a request: a bulk job's card.
    if (!request) await this.options.deps.bulkJobs?.transition(tracking.requestId, () => true, (j) => ({ ...j, cards: [...j.cards, { ...copy, role: tracking.role }] }));
  };

  /**
   * Runs a card action, answering within the deadline: if it is still running then, answer with
   * what it is doing ("Working…" only for an approved change that runs) and, when it ends, put the
   * request's shared card on the tapped message and tell the chat. A tap that fails is answered
   * the same way, never with a generic error.
   */
  private async runCardAction(context: TurnContext): Promise<CardActionResult> {
    const activity = context.activity;
    const deps = this.depsFor(context);
    const work = handleCardAction(deps, {
      value: activity.value,
      actor: actorOf(activity),
      conversationId: activity.conversation.id,
      tenantId: tenantOf(activity),
      ...(activity.replyToId ? { activityId: activity.replyToId } : {}),
    });
    const outcome = work.then(
      (result): TapOutcome => ({ result }),
      (error: unknown): TapOutcome => {
        const ref = randomUUID().slice(0, 8);
        deps.log.error('card_action.failed', { ref, error: error as Error, conversationId: activity.conversation?.id });
        return { error, ref };
      },
    );
    const timeout = delay(this.options.cardActionDeadlineMs).then((): typeof TIMED_OUT => TIMED_OUT);
    const raced = await Promise.race([outcome, timeout]);
    if (raced !== TIMED_OUT) {
      if ('result' in raced) {
        if (activity.type === ActivityTypes.Invoke) await this.shareTappedCard(deps, context, raced.result);
        await sendReplies(context, raced.result.followUps, this.recordCard);
        return raced.result;
      }
      // Failed within the deadline: the answer is the request as it is now, and what happened.
      const settled = await settleTap(deps, { value: activity.value, ...(activity.replyToId ? { activityId: activity.replyToId } : {}), outcome: raced });
      const said = settled.replies.flatMap((r) => (r.type === 'text' ? [r.text] : [])).join('\n\n');
      if (!settled.card) return { kind: 'message', text: said, followUps: [] };
      await sendReplies(context, settled.replies).catch((error: unknown) => deps.log.warn('card_action.reply_failed', { error: error as Error }));
      return { kind: 'card', card: settled.card, followUps: [] };
    }
    const reference = TurnContext.getConversationReference(activity) as ConversationReference;
    // Bounded: a storage read that hangs must not keep Teams waiting past its own limit.
    const interim = await Promise.race([
      answerWhileRunning(deps, activity.value, activity.replyToId),
      delay(INTERIM_LIMIT_MS).then((): InterimAnswer => ({ result: { kind: 'message', text: "Still on it… I'll update the card when it's done.", followUps: [] } })),
    ]);
    // The turn context is revoked when this turn ends: hand the background work what it needs now.
    this.options.inFlight.track(this.finishLater(deps, outcome, reference, activity.value, activity.replyToId, interim.request));
    return interim.result;
  }

  /** When a slow tap ends: the tapped message gets the request's shared card, the chat what happened. Never throws. */
  private async finishLater(
    deps: ConversationDeps,
    outcome: Promise<TapOutcome>,
    reference: ConversationReference,
    value: unknown,
    cardMessageId: string | undefined,
    known: ChangeRequest | undefined,
  ): Promise<void> {
    const settled = await settleTap(deps, { value, ...(cardMessageId ? { activityId: cardMessageId } : {}), outcome: await outcome, ...(known ? { known } : {}) });
    await this.options.adapter
      .continueConversationAsync(this.options.botAppId, reference, async (context) => {
        // Errors inside this callback would go to the adapter's turn-error handler: handle each here.
        if (settled.card && cardMessageId) await this.replaceCard(deps, context, cardMessageId, settled.card);
        else if (settled.card) await sendReplies(context, [{ type: 'card', card: settled.card }]).catch((error: unknown) => deps.log.warn('card_action.reply_failed', { error: error as Error }));
        await sendReplies(context, settled.replies, this.recordCard).catch((error: unknown) => deps.log.warn('card_action.reply_failed', { error: error as Error }));
      })
      .catch((error: unknown) => deps.log.error('card_action.finish_failed', { error: error as Error, conversationId: reference.conversation?.id }));
  }

  /**
   * The invoke response replaces the card only for the person who tapped. In a group chat or
   * channel everyone else would keep the old card (buttons of a request already decided), so the
   * message itself gets the shared view. Not after a refresh: it changes nothing, and an edited
   * message makes every client refresh again.
   */
  private async shareTappedCard(deps: ConversationDeps, context: TurnContext, result: CardActionResult): Promise<void> {
    const activity = context.activity;
    const shared = activity.conversation?.isGroup === true || ['groupChat', 'channel'].includes(activity.conversation?.conversationType ?? '');
    if (result.kind !== 'card' || !shared || !activity.replyToId || parseActionData(activity.value)?.verb === 'request.refresh') return;
    await this.replaceCard(deps, context, activity.replyToId, result.shared ?? result.card, 1);
  }

  /** Replaces the tapped card; a passing connector error is retried, so no interim card is left behind. */
  private async replaceCard(deps: ConversationDeps, context: TurnContext, messageId: string, card: CardJson, attempts = CARD_UPDATE_ATTEMPTS): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await context.updateActivity({ type: 'message', id: messageId, attachments: [CardFactory.adaptiveCard(card)] });
        return;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        // 403/404: the bot was removed or the message is gone; nobody can see the card any more.
        if (status === 403 || status === 404 || attempt >= attempts) {
          deps.log.warn(status === 403 || status === 404 ? 'chat.conversation_gone' : 'card.update_failed', { messageId, status, error: error as Error });
          return;
        }
        await delay(CARD_UPDATE_RETRY_MS * attempt);
      }
    }
  }

  /**
   * Keeps conversation references current: saved on install and team restore, refreshed from every
   * message and card action (written only when changed), dropped on uninstall, removal from a team
   * and team deletion.
   */
  private async trackReferences(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const botId = activity.recipient?.id;
    const eventType = ((activity.channelData ?? {}) as TeamsChannelData).eventType;
    if (activity.type === 'message' || activity.type === 'invoke') return this.saveReference(context, { onlyIfChanged: true });
    if (activity.type !== 'conversationUpdate') return;
    if (eventType === 'teamDeleted' || eventType === 'teamHardDeleted' || activity.membersRemoved?.some((m) => m.id === botId)) {
      return this.dropReferences(context);
    }
    if (eventType === 'teamRestored' || activity.membersAdded?.some((m) => m.id === botId)) return this.saveReference(context);
  }

  private async saveReference(context: TurnContext, options: { onlyIfChanged?: boolean } = {}): Promise<void> {
    const activity = context.activity;
    const channelData = (activity.channelData ?? {}) as TeamsChannelData;
    const tenantId = tenantOf(activity);
    if (!activity.serviceUrl || !activity.conversation?.id) return;
    const reference: StoredReference = {
      serviceUrl: activity.serviceUrl,
      channelId: activity.channelId,
      tenantId,
      conversation: {
        id: baseConversationId(activity.conversation.id),
        ...(activity.conversation.conversationType ? { conversationType: activity.conversation.conversationType } : {}),
        ...(activity.conversation.isGroup !== undefined ? { isGroup: activity.conversation.isGroup } : {}),
        tenantId,
      },
      ...(activity.recipient?.id ? { bot: { id: activity.recipient.id, name: activity.recipient.name ?? '' } } : {}),
      ...(channelData.team?.id ? { teamId: channelData.team.id } : {}),
      ...(channelData.channel?.id ? { channelIdInTeam: channelData.channel.id } : {}),
      savedAt: new Date().toISOString(),
    };
    try {
      if (options.onlyIfChanged) await this.options.references.saveIfChanged(reference);
      else await this.options.references.save(reference);
    } catch (error) {
      this.options.log.warn('reference.save_failed', { conversationId: reference.conversation.id, error: error as Error });
    }
  }

  private async dropReferences(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const teamId = ((activity.channelData ?? {}) as TeamsChannelData).team?.id;
    const tenantId = tenantOf(activity);
    if (teamId) await this.options.references.removeTeam(tenantId, teamId);
    await this.options.references.remove(tenantId, activity.conversation.id);
    this.options.log.info('reference.removed', { conversationId: activity.conversation.id, teamId });
  }
}

/**
 * Answers an invoke the bot drops (e.g. from a tenant it does not serve) with 200 and nothing that
 * changes the card, instead of botbuilder's 501 for an unanswered invoke.
 */
async function answerDroppedInvoke(context: TurnContext): Promise<void> {
  if (context.activity.type !== ActivityTypes.Invoke) return;
  const body =
    context.activity.name === 'adaptiveCard/action'
      ? { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'This bot does not serve your organization.' }
      : undefined;
  await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, ...(body ? { body } : {}) } });
}

function actorOf(activity: Activity): Actor {
  return { aadObjectId: (activity.from?.aadObjectId ?? '').toLowerCase(), name: activity.from?.name ?? '' };
}

/** The activity's tenant; '' (never served) when the two places Teams puts it disagree. */
function tenantOf(activity: Activity): string {
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  const fromConversation = activity.conversation?.tenantId;
  const fromChannelData = channelData?.tenant?.id;
  if (fromConversation && fromChannelData && fromConversation.toLowerCase() !== fromChannelData.toLowerCase()) return '';
  return fromConversation ?? fromChannelData ?? '';
}

function baseConversationId(conversationId: string): string {
  const i = conversationId.indexOf(';messageid=');
  return i === -1 ? conversationId : conversationId.slice(0, i);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The command a tapped "send this" button carries. Our buttons are Action.Submit with
 * `{ command }` data, which Teams and the Agents Playground both deliver as the message's value
 * (the Playground's card renderer drops Teams' imBack/messageBack actions without sending
 * anything). imBack/messageBack data from other clients is read too.
 */
export function commandOfButton(value: unknown): string | undefined {
  const v = value as { command?: unknown; msteams?: { type?: unknown; value?: unknown; text?: unknown } } | undefined;
  if (typeof v?.command === 'string') return v.command;
  const msteams = v?.msteams;
  if (msteams?.type === 'imBack' && typeof msteams.value === 'string') return msteams.value;
  if (msteams?.type === 'messageBack' && typeof msteams.text === 'string') return msteams.text;
  return undefined;
}
