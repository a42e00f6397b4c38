/** Pure helpers that turn directory data into escaped, human-readable card strings. */
import type { DirectoryRoleInfo, DirectoryUser, UserSnapshot } from '../directory/types';
import type { ClearBlocker } from '../workflow/types';
import { immutableIdToGuid } from '../directory/immutable-id';
import { EMPTY_VALUE, escapeCardText } from './escape';

/** Shown for an immutable id that is null (cleared or never set). */
export const EMPTY_IMMUTABLE_ID = '(empty)';

/** How many role names a card lists before "and N more" (keeps the card well under 28 KB). */
const MAX_ROLES_LISTED = 10;

const pad = (n: number): string => String(n).padStart(2, '0');

/** "2026-03-02 14:05 UTC"; `whenMissing` for null; an unparseable value is shown escaped as is. */
export function formatUtc(iso: string | null | undefined, whenMissing: string = EMPTY_VALUE): string {
  if (iso === null || iso === undefined || iso.trim() === '') return whenMissing;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return escapeCardText(iso);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`
  );
}

/** The immutable id, escaped, or "(empty)". */
export function formatImmutableId(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? EMPTY_IMMUTABLE_ID : escapeCardText(value);
}

/** The on-prem objectGUID the anchor decodes to, or '' when it is not a GUID-shaped anchor. */
export function decodedGuid(value: string | null | undefined): string {
  return (value && immutableIdToGuid(value)) ?? '';
}

/** onPremisesSyncEnabled in words: true synced now, false was synced, null never synced. */
export function describeSync(enabled: boolean | null): string {
  if (enabled === true) return 'Yes — synced now';
  if (enabled === false) return 'No — sync stopped (was synced)';
  return 'Never synced';
}

export function describeAccount(enabled: boolean | null): string {
  if (enabled === true) return 'Enabled';
  if (enabled === false) return 'Disabled';
  return 'Unknown';
}

/** Primary SMTP address: the `SMTP:` (upper-case prefix) proxy address, else `mail`, else null. */
export function primarySmtp(user: DirectoryUser): string | null {
  const primary = user.proxyAddresses.find((p) => p.startsWith('SMTP:'));
  const address = primary ? primary.slice('SMTP:'.length) : user.mail;
  return address && address.trim() !== '' ? address : null;
}

/** The user's display name, or the UPN when the directory has none (both unescaped). */
export function displayNameOf(displayName: string | null, upn: string): string {
  return displayName && displayName.trim() !== '' ? displayName : upn;
}

/** Escaped, comma-separated role names, capped at a few with "and N more"; '' for none. */
export function formatRoles(roles: DirectoryRoleInfo[]): string {
  const names = roles.slice(0, MAX_ROLES_LISTED).map((r) => escapeCardText(r.eligible ? `${r.displayName} (eligible)` : r.displayName, 80));
  const more = roles.length - names.length;
  return names.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/** Roles as a fact value: names, "None" or "Could not be read". */
export function describeRoles(roles: UserSnapshot['roles']): string {
  if (roles === null) return 'Could not be read';
  if (roles.length === 0) return 'None';
  return formatRoles(roles);
}

/** Escaped "Alice Smith (alice@contoso.com)", or just the UPN when there is no display name. */
export function describeTarget(displayName: string | null, upn: string): string {
  const name = displayNameOf(displayName, upn);
  return name === upn ? escapeCardText(upn) : `${escapeCardText(name)} (${escapeCardText(upn)})`;
}

/** How many approvers a card names before "and N more". */
const MAX_APPROVERS_LISTED = 10;

/** Escaped approver names, comma-separated, capped with "and N more"; '' for none. */
export function formatApproverNames(names: string[]): string {
  const listed = names.slice(0, MAX_APPROVERS_LISTED).map((n) => escapeCardText(n, 100));
  const more = names.length - listed.length;
  return listed.join(', ') + (more > 0 ? ` and ${more} more` : '');
}

/**
 * "1 of 2 — Adele Approver (2026-11-25 14:05 UTC)": how many approvals so far (of how many
 * needed, when known) and who gave them when. Names are escaped here.
 */
export function formatApprovals(approvals: Array<{ name: string; at: string }>, required?: number): string {
  const count = required !== undefined && required > 0 ? `${approvals.length} of ${required}` : `${approvals.length}`;
  if (approvals.length === 0) return count;
  const listed = approvals
    .slice(0, MAX_APPROVERS_LISTED)
    .map((a) => `${escapeCardText(a.name, 100)} (${formatUtc(a.at, 'time unknown')})`);
  const more = approvals.length - listed.length;
  return `${count} — ${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

type ProtectedBlocker = Extract<ClearBlocker, { kind: 'protected' }>;

/** How many protected roles/groups a card names before "and N more". */
const MAX_PROTECTED_LISTED = 5;

/** The setting named on the privileged-role blocker, escaped (it has underscores). */
export const ALLOW_PRIVILEGED_SETTING = escapeCardText('ALLOW_PRIVILEGED_TARGETS=true');

/**
 * Escaped details of the `protected` blockers with this reason, comma-separated and capped with
 * "and N more"; `whenBlank` for a blocker without a detail; '' when there is no such blocker.
 */
export function protectedDetails(blockers: ClearBlocker[], reason: ProtectedBlocker['reason'], whenBlank: string): string {
  const details = blockers
    .filter((b): b is ProtectedBlocker => b.kind === 'protected' && b.reason === reason)
    .map((b) => (b.detail?.trim() ? escapeCardText(b.detail, 120) : whenBlank));
  const listed = details.slice(0, MAX_PROTECTED_LISTED);
  const more = details.length - listed.length;
  return listed.join(', ') + (more > 0 ? ` and ${more} more` : '');
}
