/** What the bot says, independent of the Teams transport. */

/** An Adaptive Card as plain JSON. */
export type CardJson = Record<string, unknown>;

/** A card that shows a request: the transport remembers where it was posted so it can be updated. */
export interface CardTracking {
  requestId: string;
  role: 'requester' | 'approvers';
}

/** A card reply may carry message text shown above the card (markdown). */
export type Reply =
  | { type: 'text'; text: string }
  | { type: 'card'; card: CardJson; track?: CardTracking; text?: string }
  /** Asks the user to accept a file (personal chat only); `context` comes back with their answer. */
  | { type: 'file-consent'; name: string; description: string; sizeInBytes: number; context: Record<string, string> };

/**
 * The answer to a card tap: a card that replaces the tapped one, or a short message that leaves it.
 * `card` goes back to the person who tapped (the invoke response); when it is their own view (e.g.
 * the requester's Cancel and Add reason), `shared` is the view for everyone else, which is what the
 * transport writes when it edits the message itself (Action.Submit, a tap finished in the background).
 */
export type CardActionResult =
  | { kind: 'card'; card: CardJson; followUps: Reply[]; shared?: CardJson }
  | { kind: 'message'; text: string; followUps: Reply[] };

export const text = (t: string): Reply => ({ type: 'text', text: t });
export const card = (c: CardJson, track?: CardTracking): Reply => (track ? { type: 'card', card: c, track } : { type: 'card', card: c });
/** One message: markdown text with a card under it (e.g. a question and its buttons). */
export const textWithCard = (t: string, c: CardJson): Reply => ({ type: 'card', card: c, text: t });
