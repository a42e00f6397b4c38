/** What the bot says, independent of the Teams transport. */

/** An Adaptive Card as plain JSON. */
export type CardJson = Record<string, unknown>;

export type Reply = { type: 'text'; text: string } | { type: 'card'; card: CardJson };

/** The answer to a card tap: a card that replaces the tapped one, or a short message that leaves it. */
export type CardActionResult =
  | { kind: 'card'; card: CardJson; followUps: Reply[] }
  | { kind: 'message'; text: string; followUps: Reply[] };

export const text = (t: string): Reply => ({ type: 'text', text: t });
export const card = (c: CardJson): Reply => ({ type: 'card', card: c });
