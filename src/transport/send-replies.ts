/** Sends the conversation layer's replies in a turn; remembers where request cards were posted. */
import { CardFactory, MessageFactory, TurnContext } from 'botbuilder';
import type { CardTracking, Reply } from '../conversation/replies';

export type OnCardSent = (tracking: CardTracking, copy: { conversationId: string; activityId: string }) => Promise<void>;

export async function sendReplies(context: TurnContext, replies: Reply[], onCardSent?: OnCardSent): Promise<void> {
  for (const reply of replies) {
    if (reply.type === 'file-consent') {
      await context.sendActivity({
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.teams.card.file.consent',
            name: reply.name,
            content: { description: reply.description, sizeInBytes: reply.sizeInBytes, acceptContext: reply.context, declineContext: reply.context },
          },
        ],
      });
      continue;
    }
    if (reply.type === 'text') {
      const message = MessageFactory.text(reply.text);
      message.textFormat = 'markdown';
      await context.sendActivity(message);
      continue;
    }
    const message = MessageFactory.attachment(CardFactory.adaptiveCard(reply.card), reply.text);
    if (reply.text) message.textFormat = 'markdown';
    const response = await context.sendActivity(message);
    if (reply.track && response?.id && onCardSent) {
      await onCardSent(reply.track, { conversationId: context.activity.conversation.id, activityId: response.id });
    }
  }
}
