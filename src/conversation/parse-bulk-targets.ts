/**
 * The bulk forms of a command's user part: a list (UPNs, mail addresses or object ids separated
 * by commas, semicolons, spaces or new lines; up to 1,000) or `members of <group>` (a group's
 * display name, mail or object id). Pure: no I/O.
 */
import { parseTarget } from './target';

export const MAX_BULK_USERS = 1000;

export type BulkSource = { type: 'list'; names: string[] } | { type: 'group'; group: string };

export type BulkTargetsResult = { ok: true; source: BulkSource } | { ok: false; message: string };

/** `members of [the] [group] <group>`; an empty group is caught so it is not searched as the display name "members of". */
const MEMBERS_OF = /^members\s+of(?:\s+(?:the\s+)?(?:group\s+)?(.*))?$/is;
const SEPARATORS = /[\s,;]+/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A group's name: anything printable except path/query characters, at most 256 characters. */
const GROUP_NAME = /^[^/\\?#%*<>"{}|`]{1,256}$/;

/** Null when `who` names one user (the single-user flow handles it). */
export function parseBulkTargets(who: string): BulkTargetsResult | null {
  const text = who.trim();
  const members = MEMBERS_OF.exec(text);
  if (members) {
    const group = (members[1] ?? '').trim().replace(/^["'“”‘’]+|["'“”‘’]+$/g, '').trim();
    if (!group || !GROUP_NAME.test(group)) {
      return { ok: false, message: 'Tell me which group: `members of` and the group\'s display name, mail address or object id, e.g. `members of Forest move wave 1`.' };
    }
    return { ok: true, source: { type: 'group', group } };
  }
  const tokens = text.split(SEPARATORS).filter(Boolean);
  if (tokens.length <= 1) return null;
  // Spaces alone may separate the words of a display name ("Alice Smith"): a list then needs every entry to be a UPN, address or id.
  if (!/[,;\n]/.test(text) && !tokens.every((t) => t.includes('@') || GUID.test(t))) return null;
  const seen = new Set<string>();
  const unique = tokens.filter((t) => !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()));
  if (unique.length > MAX_BULK_USERS) {
    return { ok: false, message: `That is ${unique.length} users; one request takes at most ${MAX_BULK_USERS}. Split the list, or use \`members of\` and a group.` };
  }
  const bad = unique.filter((t) => !parseTarget(t).ok);
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).map((b) => `"${b.slice(0, 80)}"`).join(', ');
    return {
      ok: false,
      message: `${bad.length === 1 ? 'This entry is' : `${bad.length} entries are`} not a UPN, mail address or object id: ${shown}${bad.length > 5 ? ', …' : ''}. Separate users with commas, spaces or new lines; nothing was looked up.`,
    };
  }
  return { ok: true, source: { type: 'list', names: unique } };
}
