/**
 * Near misses: text that is almost a command ("cleer immutable id alice@contoso.com",
 * "clear alice@contoso.com", "alice@contoso.com please") gets the one command it most likely
 * meant, written out in full, so the bot can offer it as a button instead of the whole help.
 * Pure: no I/O.
 */
import { parseTarget, parseUserRef, type Target } from './target';

const CLEAR_VERBS = ['clear', 'remove', 'reset', 'null', 'wipe', 'delete', 'erase', 'unset'];
const SHOW_VERBS = ['show', 'check', 'lookup', 'find', 'get', 'display'];
const HISTORY_WORDS = ['history', 'audit'];
const NOUNS = ['immutableid', 'immutable', 'sourceanchor', 'anchor', 'onpremisesimmutableid'];
/** Words people add around a command that change nothing. */
const FILLER = new Set([
  'please', 'pls', 'plz', 'kindly', 'can', 'could', 'you', 'the', 'a', 'an', 'for', 'of', 'on', 'from', 'to', 'id', 'user',
  'account', 'thanks', 'thank', 'thx', 'now', 'me', 'i', 'want', 'need', 'would', 'like', 'hi', 'hello', 'hey', 'again',
]);
const REASON = /^(.*?)\s+(?:because|reason:?|ticket:?|for ticket)\s+(.+)$/is;

/** The canonical text of each command, as the help card and the README write it. */
export function writeClearCommand(user: string, reason?: string): string {
  return `clear immutable id for ${user}${reason ? ` because ${reason}` : ''}`;
}

/**
 * The full command that `text` (normalised, one space between words) most likely meant, or
 * undefined when it names no user or is not close to any command. `strict` (used when a command
 * was recognised but its user was not valid) only accepts extra words that are filler or
 * command words, so a mistyped address is explained rather than guessed around.
 */
export function suggestCommand(text: string, options: { strict?: boolean } = {}): string | undefined {
  const withReason = REASON.exec(text);
  const body = withReason?.[1] ?? text;
  const reason = withReason?.[2]?.replace(/`/g, "'").trim().slice(0, 200);
  const words = body.split(' ').filter(Boolean);
  const at = words.findIndex((w) => isExactUser(w));
  if (at < 0) return options.strict ? undefined : suggestWithName(words, reason);
  const user = describe((parseTarget(words[at] as string) as { ok: true; target: Target }).target);
  const others = words.filter((_w, i) => i !== at).map((w) => w.toLowerCase().replace(/[^\p{L}\p{N}]/gu, ''));
  const keywords = others.filter(Boolean);
  if (options.strict && keywords.some((w) => !FILLER.has(w) && !isCommandWord(w))) return undefined;

  if (keywords.some((w) => isNear(w, CLEAR_VERBS))) return writeClearCommand(user, reason);
  if (keywords.some((w) => isNear(w, HISTORY_WORDS))) return `history ${user}`;
  if (keywords.some((w) => isNear(w, SHOW_VERBS))) return `show ${user}`;
  const namesTheId = keywords.some((w) => isNear(w, NOUNS)) || pairs(keywords).some((w) => isNear(w, NOUNS));
  // "fix immutable id for alice@…": an action on the immutable id that isn't a known verb.
  const otherWords = keywords.filter((w) => !FILLER.has(w) && !isNear(w, NOUNS));
  if (namesTheId && otherWords.length > 0) return writeClearCommand(user, reason);
  return `show ${user}`;
}

/**
 * "cleer immutable id for Alice Smith": command-like words, then a display name. Only when
 * some leading word is close to a command, so chatter ("what is the weather") gets no guess.
 */
function suggestWithName(words: string[], reason?: string): string | undefined {
  const plain = (w: string) => w.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  let k = 0;
  while (k < words.length && (FILLER.has(plain(words[k] as string)) || isCommandWord(plain(words[k] as string)))) k++;
  const lead = words.slice(0, k).map(plain);
  const name = parseUserRef(words.slice(k).join(' '));
  if (!name.ok || name.target.kind !== 'displayName') return undefined;
  const user = name.target.value;
  if (lead.some((w) => isNear(w, CLEAR_VERBS))) return writeClearCommand(user, reason);
  if (lead.some((w) => isNear(w, HISTORY_WORDS))) return `history ${user}`;
  if (lead.some((w) => isNear(w, SHOW_VERBS))) return `show ${user}`;
  return undefined;
}

/** A UPN, mail address or object id exactly as written: only those are safe to build a suggestion on. */
function isExactUser(word: string): boolean {
  const parsed = parseTarget(word);
  return parsed.ok && (parsed.target.kind === 'address' || parsed.target.kind === 'objectId');
}

function describe(target: Target): string {
  return target.value;
}

function isCommandWord(word: string): boolean {
  return [CLEAR_VERBS, SHOW_VERBS, HISTORY_WORDS, NOUNS].some((list) => isNear(word, list));
}

/** Adjacent words run together, so "immutible id" is compared as "immutibleid". */
function pairs(words: string[]): string[] {
  return words.slice(1).map((w, i) => `${words[i] as string}${w}`);
}

/** Close enough to one of `candidates`: one typo in short words, two in long ones. */
export function isNear(word: string, candidates: readonly string[]): boolean {
  if (!word) return false;
  return candidates.some((c) => {
    const allowed = c.length <= 4 ? 1 : 2;
    return Math.abs(c.length - word.length) <= allowed && editDistance(word, c) <= allowed;
  });
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swapped neighbours. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_r, i) => Array.from({ length: b.length + 1 }, (_c, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}
