/**
 * What the conversation layer needs from Teams beyond replying in the current turn: posting
 * to other conversations and updating earlier cards. The transport implements it with botbuilder.
 */
import type { CardCopy } from '../workflow/types';
import type { CardJson, Reply } from './replies';

export type PostResult = { ok: true; copy: CardCopy } | { ok: false; reason: 'not-installed' | 'failed'; detail?: string };

export interface ChatPort {
  /** Starts a new thread in a Teams channel with this card. */
  postToChannel(channelId: string, card: CardJson, role: CardCopy['role']): Promise<PostResult>;
  /** Replaces an earlier card everywhere it is shown; false when the conversation is gone or unknown (logged, never thrown). */
  updateCard(copy: CardCopy, card: CardJson): Promise<boolean | void>;
  /** Posts replies into a conversation the bot has talked in before (a channel thread id keeps ;messageid=); false when it could not (logged, never thrown). */
  postTo(conversationId: string, replies: Reply[]): Promise<boolean>;
}
