/**
 * Validates who a command is about, before any Graph call. A target is an object id, or an
 * address (a UPN, or a mail/proxy address: the directory tries the UPN first, then mail).
 */

import type { UserKey } from '../directory/user-key';

/** The user a command is about: a directory lookup key (the type lives with the directory). */
export type Target = UserKey;

export type TargetResult = { ok: true; target: Target } | { ok: false; reason: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Characters a UPN or SMTP local part may hold here; `#` only inside a guest's `#EXT#`. */
const LOCAL_PART = /^\$?[A-Za-z0-9!'^~._+-]+(#EXT#)?$/;
const DOMAIN = /^(?=.{3,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
/** Path, query and markup characters that never belong in a user name. */
const FORBIDDEN = /[/\\?%&=*(),;:<>"[\]{}|`\s]/;
const MAX_LENGTH = 256;

/** A user as typed in a command: an exact target, or the start of a display name to search for. */
export type UserRef = Target | { kind: 'displayName'; value: string };

export type UserRefResult = { ok: true; target: UserRef } | { ok: false; reason: string };

/**
 * Letters (any script), digits, spaces, apostrophes, hyphens and dots: what people's names
 * hold, and nothing that means something in a URL or OData beyond the quote, which the
 * directory doubles. At least two characters, so one letter does not list half the tenant.
 */
const NAME = /^(?=.{2,120}$)[\p{L}\p{M}][\p{L}\p{M}\p{N} '’.-]*$/u;

/** Parses the user part of a command that may also name the user by display name ("Alice Smith"). */
export function parseUserRef(raw: string): UserRefResult {
  const value = tidy(raw).replace(/\s+/g, ' ');
  if (!value.includes('@') && !GUID.test(value) && NAME.test(value)) return { ok: true, target: { kind: 'displayName', value } };
  return parseTarget(raw);
}

/** Parses the user part of a command. */
export function parseTarget(raw: string): TargetResult {
  const value = tidy(raw);
  if (!value) {
    return { ok: false, reason: 'Tell me which user: a UPN (alice@contoso.com), an object id, or a mail address.' };
  }
  if (value.length > MAX_LENGTH) {
    return { ok: false, reason: `That user name is ${value.length} characters long; UPNs and addresses are at most ${MAX_LENGTH}.` };
  }
  if (GUID.test(value)) return { ok: true, target: { kind: 'objectId', value: value.toLowerCase() } };

  const show = JSON.stringify(value.length > 80 ? value.slice(0, 80) + '…' : value);
  if (FORBIDDEN.test(value)) {
    return {
      ok: false,
      reason: `${show} contains characters that can't be in a user name (spaces, /, ?, %, &, =, quotes, brackets). Send a UPN like alice@contoso.com, an object id, or a mail address.`,
    };
  }
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) {
    return {
      ok: false,
      reason: `${show} is not a UPN, object id or mail address. Send e.g. alice@contoso.com or 00aa00aa-bb11-cc22-dd33-44ee44ee44ee.`,
    };
  }
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!LOCAL_PART.test(local) || local.includes('..') || local.startsWith('.') || local.endsWith('.')) {
    return {
      ok: false,
      reason: `The part before @ in ${show} is not valid for a UPN or mail address. Only letters, digits and ' . - _ ! ^ ~ + are allowed (a guest's #EXT# too).`,
    };
  }
  if (!DOMAIN.test(domain)) {
    return { ok: false, reason: `${JSON.stringify(domain)} is not a valid domain name. Send e.g. alice@contoso.com.` };
  }
  return { ok: true, target: { kind: 'address', value } };
}

/** Undoes what Teams and copy-paste add around an address: mailto links, <>, quotes, trailing punctuation. */
function tidy(raw: string): string {
  let v = raw.trim();
  const link = /^<a\b[^>]*href="mailto:([^"]+)"[^>]*>.*<\/a>$/i.exec(v);
  if (link?.[1]) v = link[1];
  v = v.replace(/^mailto:/i, '');
  const wrapped = /^(?:<([^<>]*)>|"([^"]*)"|'([^']*)'|`([^`]*)`)$/.exec(v);
  if (wrapped) v = (wrapped[1] ?? wrapped[2] ?? wrapped[3] ?? wrapped[4] ?? '').trim();
  return v.replace(/[.,;:!?]+$/, '').trim();
}
