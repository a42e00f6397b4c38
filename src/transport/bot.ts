/**
 * The Teams edge: decodes activities, calls one conversation function, sends what it returns.
 * botbuilder types stay in this folder.
 */
import {
  Activity,
  CardFactory,
  ConversationReference,
  InvokeResponse,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
} from 'botbuilder';
import type { CloudAdapter } from 'botbuilder';
import { handleCardAction, renderWorkingFor } from '../conversation/handle-card-action';
import { ConversationDeps, handleMessage } from '../conversation/handle-message';
import type { CardActionResult, CardJson, Reply } from '../conversation/replies';
import { parseActionData } from '../cards';
import type { Logger } from '../log';
import type { Actor } from '../workflow/types';
import { InFlight } from './in-flight';

export interface BotOptions {
  deps: ConversationDeps;
  adapter: CloudAdapter;
  botAppId: string;
  allowedTenantIds: readonly string[];
  /** Card actions answer with a "Working…" card when the change takes longer than this. */
  cardActionDeadlineMs: number;
  log: Logger;
  inFlight: InFlight;
}

const TIMED_OUT: unique symbol = Symbol('timed out');

export class ImmutableIdBot extends TeamsActivityHandler {
  constructor(private readonly options: BotOptions) {
    super();
    this.onMessage(async (context, next) => {
      await this.onChatMessage(context);
      await next();
    });
  }

  /** Drops activities from tenants the bot does not serve, before any handler (and any Graph call). */
  override async run(context: TurnContext): Promise<void> {
    const tenantId = tenantOf(context.activity);
    if (!this.options.allowedTenantIds.includes(tenantId.toLowerCase())) {
      this.options.log.warn('activity.ignored_tenant', {
        tenantId: tenantId || '(none)',
        activityType: context.activity.type,
        conversationId: context.activity.conversation?.id,
      });
      return;
    }
    await super.run(context);
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const result = await this.runCardAction(context);
    const body =
      result.kind === 'card'
        ? { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: result.card }
        : { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: result.text };
    return { status: 200, body };
  }

  private async onChatMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    // Action.Submit (the fallback for clients without Universal Actions) arrives as a message with a value.
    if (!activity.text && activity.value && parseActionData(activity.value)) {
      const result = await this.runCardAction(context);
      if (result.kind === 'card' && activity.replyToId) {
        await context.updateActivity({ type: 'message', id: activity.replyToId, attachments: [CardFactory.adaptiveCard(result.card)] });
      } else if (result.kind === 'card') {
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(result.card)));
      } else {
        await context.sendActivity(MessageFactory.text(result.text));
      }
      return;
    }
    const text = TurnContext.removeRecipientMention(activity) ?? activity.text ?? '';
    await context.sendActivities([{ type: 'typing' }]);
    const replies = await handleMessage(this.options.deps, {
      text,
      actor: actorOf(activity),
      conversationId: activity.conversation.id,
      tenantId: tenantOf(activity),
    });
    await sendReplies(context, replies);
  }

  /**
   * Runs a card action, answering within the deadline: if the change is still running then,
   * answer with a "Working…" card and update the card (and post follow-ups) when it finishes.
   */
  private async runCardAction(context: TurnContext): Promise<CardActionResult> {
    const activity = context.activity;
    const work = handleCardAction(this.options.deps, {
      value: activity.value,
      actor: actorOf(activity),
      conversationId: activity.conversation.id,
    });
    const timeout = delay(this.options.cardActionDeadlineMs).then((): typeof TIMED_OUT => TIMED_OUT);
    const raced: CardActionResult | typeof TIMED_OUT = await Promise.race([work, timeout]);
    if (raced !== TIMED_OUT) {
      await sendReplies(context, raced.followUps);
      return raced;
    }
    const reference = TurnContext.getConversationReference(activity) as ConversationReference;
    const cardMessageId = activity.replyToId;
    this.options.inFlight.track(this.finishLater(work, reference, cardMessageId));
    const data = parseActionData(activity.value);
    const working = data ? await renderWorkingFor(this.options.deps, data.requestId) : undefined;
    return working
      ? { kind: 'card', card: working, followUps: [] }
      : { kind: 'message', text: 'Working on it… I will update the card when it is done.', followUps: [] };
  }

  private async finishLater(
    work: Promise<CardActionResult>,
    reference: ConversationReference,
    cardMessageId: string | undefined,
  ): Promise<void> {
    try {
      const result = await work;
      await this.options.adapter.continueConversationAsync(this.options.botAppId, reference, async (context) => {
        if (result.kind === 'card' && cardMessageId) {
          await context.updateActivity({ type: 'message', id: cardMessageId, attachments: [CardFactory.adaptiveCard(result.card)] });
        } else if (result.kind === 'card') {
          await sendReplies(context, [{ type: 'card', card: result.card }]);
        } else {
          await context.sendActivity(MessageFactory.text(result.text));
        }
        await sendReplies(context, result.followUps);
      });
    } catch (error) {
      this.options.log.error('card_action.finish_failed', { error: error as Error, conversationId: reference.conversation?.id });
    }
  }
}

async function sendReplies(context: TurnContext, replies: Reply[]): Promise<void> {
  for (const reply of replies) {
    if (reply.type === 'text') {
      const message = MessageFactory.text(reply.text);
      message.textFormat = 'markdown';
      await context.sendActivity(message);
    } else {
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(reply.card as CardJson)));
    }
  }
}

function actorOf(activity: Activity): Actor {
  return { aadObjectId: (activity.from?.aadObjectId ?? '').toLowerCase(), name: activity.from?.name ?? '' };
}

function tenantOf(activity: Activity): string {
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  return activity.conversation?.tenantId ?? channelData?.tenant?.id ?? '';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
