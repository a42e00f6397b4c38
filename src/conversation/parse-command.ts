/** Turns chat text into a typed command. Pure: no I/O, no botbuilder. */
import { ANCHOR_FORMS_HELP, parseAnchor, type Anchor } from '../directory/anchor';
import { parseBulkTargets, type BulkSource } from './parse-bulk-targets';
import { suggestCommand } from './suggest-command';
import { parseTarget, parseUserRef, type UserRef } from './target';

export type Command =
  | { kind: 'clear'; target: UserRef; reason?: string }
  /** A list of users or a group's members: one preview, one approval, a background job. */
  | { kind: 'bulk'; change: 'clear-immutable-id' | 'clear-on-prem-attributes'; source: BulkSource; reason?: string }
  /** `clear on-prem attributes for <user>`: the seven clearable on-premises attributes at once. */
  | { kind: 'clear-attributes'; target: UserRef; reason?: string }
  | { kind: 'show'; target: UserRef }
  | { kind: 'cancel'; requestId: string }
  /** The previous values of a bulk job's users, as a CSV file in the personal chat. */
  | { kind: 'csv'; jobId: string }
  /** Hard match: set the user's immutable id to the anchor of an on-prem object. */
  | { kind: 'match'; target: UserRef; anchor: Anchor; reason?: string }
  /** The same anchor in all three forms; no Graph call. */
  | { kind: 'convert'; anchor: Anchor }
  /** Open a request that restores what a completed request changed. */
  | { kind: 'undo'; requestId: string }
  | { kind: 'history'; target?: UserRef }
  | { kind: 'help' }
  | { kind: 'invalid'; message: string }
  /** A near miss: the full command it most likely meant, to offer as a button. */
  | { kind: 'suggest'; suggestion: string }
  | { kind: 'unknown' };

const POLITE = String.raw`^(?:(?:please|pls|can you|could you|kindly)[\s,]+)?`;
/** `immutable id`, `ImmutableID`, `immutable-id`, `onPremisesImmutableId`, `sourceanchor`, `source anchor`. */
const IMMUTABLE_ID = String.raw`(?:on[\s_-]*premises[\s_-]*)?immutable[\s_-]*id|source[\s_-]*anchor`;
const CLEAR_VERB = String.raw`clear|remove|reset|null|nullify|wipe|delete|erase|unset`;
/** The user may follow the noun directly ("clear immutableid alice@…") or after for/of/on/from. */
const USER = String.raw`(?:\s+(?:(?:for|of|on|from)(?:\s+|$))?(.*))?$`;
const CLEAR = new RegExp(`${POLITE}(?:${CLEAR_VERB})\\s+(?:the\\s+)?(?:${IMMUTABLE_ID})${USER}`, 'is');
/** `on-prem attributes`, `on-premises attributes`, `onprem attributes`, optionally `all (the)`. */
const CLEAR_ATTRIBUTES = new RegExp(`${POLITE}(?:${CLEAR_VERB})\\s+(?:all\\s+)?(?:the\\s+)?on[\\s_-]*prem(?:ises)?[\\s_-]*attributes${USER}`, 'is');
const SHOW = new RegExp(`${POLITE}(?:show|check|look up|lookup|find|get)(?:\\s+(?:the\\s+)?(?:${IMMUTABLE_ID}))?${USER}`, 'is');
const HELP = /^(?:help|\?|commands|what can you do\??|hi|hello)$/i;
const CANCEL = /^(?:please\s+)?cancel(?:\s+(?:request\s+)?(.*))?$/is;
const HISTORY = /^(?:show\s+)?(?:history|audit)(?:\s+(?:for|of)\b)?(?:\s+(.*))?$/is;
const MATCH = /^(?:(?:please|pls|kindly)[\s,]+)?(?:hard[\s-]*)?match(?:\s+(.*?))?(?:\s+(?:to|with)\s+(.*))?$/is;
const CONVERT = /^convert(?:\s+(?:anchor\s+)?(.*))?$/is;
const UNDO = /^(?:please\s+)?undo(?:\s+(?:request\s+)?(.*))?$/is;
const CSV = /^(?:csv|previous values)(?:\s+(?:for|of)\b)?(?:\s+(?:job\s+)?(.*))?$/is;
const REQUEST_ID = /^[A-Za-z0-9_-]{16,128}$/;
const REASON = /^(.*?)\s+(?:because|reason:?|ticket:?|for ticket)\s+(.+)$/is;

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

/** Undoes what Teams may wrap around plain text: formatting tags, a leftover mention, HTML entities. */
export function normalizeTeamsText(text: string): string {
  return text
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<at\b[^>]*>.*?<\/at>/gis, ' ')
    .replace(/<\/?(?:p|div|span|b|i|strong|em|u)\b[^>]*>/gi, ' ')
    .replace(/&(nbsp|amp|lt|gt|quot|apos|#39);/gi, (_m, name: string) => ENTITIES[name.toLowerCase()] ?? ' ')
    .replace(/\u00a0/g, ' ');
}

/** Parses one chat message (with the bot's @mention already removed). */
export function parseCommand(text: string): Command {
  const t = normalizeTeamsText(text).replace(/\s+/g, ' ').trim().replace(/[.!]+$/, '');
  if (!t || HELP.test(t)) return { kind: 'help' };

  const csv = CSV.exec(t);
  if (csv) {
    const id = (csv[1] ?? '').trim().replace(/^[`"'<]+|[`"'>]+$/g, '');
    if (!REQUEST_ID.test(id)) return { kind: 'invalid', message: 'Tell me which bulk job: `csv` and the job id (at the bottom of the job\'s card).' };
    return { kind: 'csv', jobId: id };
  }

  const cancel = CANCEL.exec(t);
  if (cancel) {
    const id = requestIdOf(cancel[1], 'cancel');
    return typeof id === 'string' ? { kind: 'cancel', requestId: id } : id;
  }

  const undo = UNDO.exec(t);
  if (undo) {
    const id = requestIdOf(undo[1], 'undo');
    return typeof id === 'string' ? { kind: 'undo', requestId: id } : id;
  }

  const convert = CONVERT.exec(t);
  if (convert) {
    const raw = (convert[1] ?? '').trim();
    if (!raw) return { kind: 'invalid', message: `Tell me which anchor to convert: \`convert\` and the anchor, which is ${ANCHOR_FORMS_HELP}.` };
    const parsed = parseAnchor(raw);
    return parsed.ok ? { kind: 'convert', anchor: parsed.anchor } : { kind: 'invalid', message: parsed.reason };
  }

  const match = MATCH.exec(t);
  if (match) return parseMatch(match[1], match[2]);

  const history = HISTORY.exec(t);
  if (history) {
    const rest = (history[1] ?? '').trim();
    if (!rest) return { kind: 'history' };
    const parsed = parseUserRef(rest);
    if (!parsed.ok) return { kind: 'invalid', message: parsed.reason };
    return { kind: 'history', target: parsed.target };
  }

  const attributes = CLEAR_ATTRIBUTES.exec(t);
  if (attributes) {
    const rest = (attributes[1] ?? '').trim();
    if (!rest) {
      return { kind: 'invalid', message: 'Tell me whose on-premises attributes to clear, e.g. `clear on-prem attributes for alice@contoso.com`.' };
    }
    const withReason = REASON.exec(rest);
    const reason = withReason?.[2]?.trim();
    const bulk = parseBulkTargets(withReason?.[1] ?? rest);
    if (bulk) {
      if (!bulk.ok) return { kind: 'invalid', message: bulk.message };
      return { kind: 'bulk', change: 'clear-on-prem-attributes', source: bulk.source, ...(reason ? { reason: reason.slice(0, 500) } : {}) };
    }
    const parsed = parseUserRef(withReason?.[1] ?? rest);
    if (!parsed.ok) return { kind: 'invalid', message: parsed.reason };
    return reason ? { kind: 'clear-attributes', target: parsed.target, reason: reason.slice(0, 500) } : { kind: 'clear-attributes', target: parsed.target };
  }

  const clear = CLEAR.exec(t);
  if (clear) {
    const rest = (clear[1] ?? '').trim();
    if (!rest) {
      return { kind: 'invalid', message: 'Tell me whose immutable ID to clear, e.g. `clear immutable id for alice@contoso.com`.' };
    }
    const withReason = REASON.exec(rest);
    const who = withReason?.[1] ?? rest;
    const reason = withReason?.[2]?.trim();
    const bulk = parseBulkTargets(who);
    if (bulk) {
      if (!bulk.ok) return { kind: 'invalid', message: bulk.message };
      return { kind: 'bulk', change: 'clear-immutable-id', source: bulk.source, ...(reason ? { reason: reason.slice(0, 500) } : {}) };
    }
    const parsed = parseUserRef(who);
    if (!parsed.ok) return nearMiss(t) ?? { kind: 'invalid', message: parsed.reason };
    return reason ? { kind: 'clear', target: parsed.target, reason: reason.slice(0, 500) } : { kind: 'clear', target: parsed.target };
  }

  const show = SHOW.exec(t);
  if (show) {
    const rest = (show[1] ?? '').trim();
    if (!rest) return { kind: 'invalid', message: 'Tell me which user to show, e.g. `show alice@contoso.com`.' };
    const parsed = parseUserRef(rest);
    if (!parsed.ok) return nearMiss(t) ?? { kind: 'invalid', message: parsed.reason };
    return { kind: 'show', target: parsed.target };
  }

  // A UPN, mail address or object id on its own: show that user.
  const bare = parseTarget(t);
  if (bare.ok && (bare.target.kind === 'address' || bare.target.kind === 'objectId')) return { kind: 'show', target: bare.target };

  const suggestion = suggestCommand(t);
  return suggestion ? { kind: 'suggest', suggestion } : { kind: 'unknown' };
}

/** A recognised command whose user part holds extra command words ("clear immutable alice@…"). */
function nearMiss(t: string): Command | undefined {
  const suggestion = suggestCommand(t, { strict: true });
  return suggestion ? { kind: 'suggest', suggestion } : undefined;
}

/** `match <user> to <anchor> [because …]`: both parts are checked here, before any Graph call. */
function parseMatch(who: string | undefined, rest: string | undefined): Command {
  const usage = 'Send `match`, the user, `to` and the on-prem anchor, e.g. `match alice@contoso.com to 35918bc9-196d-40ea-9779-889d79b753f0`.';
  if (!who?.trim()) return { kind: 'invalid', message: `Tell me which user to hard-match. ${usage}` };
  if (!rest?.trim()) return { kind: 'invalid', message: `Tell me the on-prem anchor to match ${who.trim().slice(0, 80)} to: ${ANCHOR_FORMS_HELP}. ${usage}` };
  const withReason = REASON.exec(rest.trim());
  const anchorText = withReason?.[1] ?? rest;
  const reason = withReason?.[2]?.trim();
  const user = parseUserRef(who);
  if (!user.ok) return { kind: 'invalid', message: user.reason };
  const anchor = parseAnchor(anchorText);
  if (!anchor.ok) return { kind: 'invalid', message: anchor.reason };
  return { kind: 'match', target: user.target, anchor: anchor.anchor, ...(reason ? { reason: reason.slice(0, 500) } : {}) };
}

/** The request id of `cancel <id>` / `undo <id>`, or the message saying what is wrong. */
function requestIdOf(raw: string | undefined, verb: 'cancel' | 'undo'): string | Command {
  const id = (raw ?? '').trim().replace(/^[`"'<]+|[`"'>]+$/g, '');
  if (!id) {
    return {
      kind: 'invalid',
      message:
        verb === 'cancel'
          ? 'Tell me which request to cancel: `cancel` and the request id (on the request card).'
          : "Tell me which change to undo: `undo` and the request id (on the outcome card and in the user's `history`).",
    };
  }
  if (!REQUEST_ID.test(id)) {
    return { kind: 'invalid', message: `"${id.slice(0, 60)}" is not a request id. Request ids are 16 or more letters, digits, - and _, shown on the request card.` };
  }
  return id;
}
