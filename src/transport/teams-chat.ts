/** ChatPort on botbuilder: proactive posts and card updates through saved conversation references. */
import { Activity, CardFactory, ConversationReference, MessageFactory, TurnContext } from 'botbuilder';
import type { CloudAdapter } from 'botbuilder';
import type { ChatPort, PostResult } from '../conversation/chat-port';
import type { CardJson, Reply } from '../conversation/replies';
import type { Logger } from '../log';
import type { ReferenceStore, StoredReference } from '../storage/reference-store';
import type { CardCopy } from '../workflow/types';
import { sendReplies } from './send-replies';

export class TeamsChat implements ChatPort {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly references: ReferenceStore,
    private readonly log: Logger,
  ) {}

  async postToChannel(channelId: string, card: CardJson, role: CardCopy['role']): Promise<PostResult> {
    const reference = await this.references.findForChannel(channelId);
    if (!reference) return { ok: false, reason: 'not-installed' };
    let threadId: string | undefined;
    try {
      await this.adapter.createConversationAsync(
        this.botAppId,
        'msteams',
        reference.serviceUrl,
        '',
        {
          isGroup: true,
          bot: { id: reference.bot?.id ?? this.botAppId, name: reference.bot?.name ?? '' },
          tenantId: reference.tenantId,
          channelData: { channel: { id: channelId }, tenant: { id: reference.tenantId } },
          activity: MessageFactory.attachment(CardFactory.adaptiveCard(card)) as Activity,
          members: [],
        },
        async (context) => {
          threadId = context.activity.conversation?.id;
        },
      );
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      this.log.warn('chat.channel_post_failed', { channelId, status, error: error as Error });
      return { ok: false, reason: status === 403 || status === 404 ? 'not-installed' : 'failed', detail: (error as Error).message };
    }
    // Teams answers with "<channel>;messageid=<id of the first message>": the card's activity id.
    const activityId = threadId?.split(';messageid=')[1];
    if (!threadId || !activityId) return { ok: false, reason: 'failed', detail: `unexpected conversation id ${threadId ?? '(none)'}` };
    return { ok: true, copy: { conversationId: threadId, activityId, role } };
  }

  async updateCard(copy: CardCopy, card: CardJson): Promise<boolean> {
    return this.continueIn(copy.conversationId, async (context) => {
      await context.updateActivity({ type: 'message', id: copy.activityId, attachments: [CardFactory.adaptiveCard(card)] });
    });
  }

  async postTo(conversationId: string, replies: Reply[]): Promise<boolean> {
    return this.continueIn(conversationId, (context) => sendReplies(context, replies));
  }

  private async continueIn(conversationId: string, logic: (context: TurnContext) => Promise<void>): Promise<boolean> {
    const stored = await this.references.findConversation(conversationId);
    if (!stored) {
      this.log.warn('chat.no_reference', { conversationId });
      return false;
    }
    // The adapter hands errors thrown inside `logic` to its turn-error handler instead of throwing:
    // catch them here, where the post is made, so the caller knows and nothing else is disturbed.
    let failure: unknown;
    try {
      await this.adapter.continueConversationAsync(this.botAppId, toReference(stored, conversationId), async (context) => {
        try {
          await logic(context);
        } catch (error) {
          failure = error;
        }
      });
    } catch (error) {
      failure = error;
    }
    if (failure === undefined) return true;
    // 403/404: the bot was removed or the chat is gone. Never let that undo what already happened.
    const status = (failure as { statusCode?: number }).statusCode;
    const event = status === 403 || status === 404 ? 'chat.conversation_gone' : 'chat.post_failed';
    this.log.warn(event, { conversationId, status, error: failure as Error });
    return false;
  }
}

/** Rebuilds botbuilder's reference; a thread id (with ;messageid=) addresses that thread. */
export function toReference(stored: StoredReference, conversationId = stored.conversation.id): Partial<ConversationReference> {
  return {
    channelId: stored.channelId,
    serviceUrl: stored.serviceUrl,
    conversation: { ...stored.conversation, id: conversationId, isGroup: stored.conversation.isGroup ?? false, name: '', conversationType: stored.conversation.conversationType ?? '' },
    ...(stored.bot ? { bot: { id: stored.bot.id, name: stored.bot.name ?? '' } } : {}),
  };
}
