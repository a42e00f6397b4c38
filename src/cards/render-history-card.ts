import type { AuditEntry } from '../storage/audit-log';
import { CardTemplate, cardSizeBytes, MAX_CARD_BYTES, type AdaptiveCardJson } from './card-json';
import { escapeCardText } from './escape';
import { EMPTY_IMMUTABLE_ID, formatUtc } from './format';
import template from './history.card.json';

export interface HistoryCardInput {
  /** Audit entries in any order; the card shows the newest first. */
  entries: AuditEntry[];
  /** The user the history is for (UPN); undefined for "latest changes across users". */
  subject?: string;
  sandbox: boolean;
}

/** Most entries one card lists; older ones are summed up as "and N more". */
export const MAX_HISTORY_ENTRIES = 20;

/** What each audit event is called on the card; an event not listed is shown by its raw name. */
const EVENT_LABELS: Readonly<Record<string, string>> = {
  'request.created': 'Requested',
  'request.approved': 'Approved',
  'request.rejected': 'Rejected',
  'request.cancelled': 'Cancelled',
  'request.expired': 'Expired',
  'request.refused': 'Refused',
  'request.reason': 'Reason added',
  'change.intent': 'Change started',
  'change.succeeded': 'Cleared',
  'change.failed': 'Failed',
  'change.unconfirmed': 'Could not confirm',
  'change.stale': 'Not run (user changed)',
  'change.reconciled': 'Settled after an interruption',
  'change.step': 'Step done',
  'request.ready': 'Ready for approval (no longer synced)',
  'bulk.stopped': 'Bulk job stopped',
  'bulk.resumed': 'Bulk job resumed',
};

interface HistoryEntryViewModel {
  label: string;
  upn: string;
  when: string;
  actor: string;
  hasChange: boolean;
  change: string;
  hasGraphRequestId: boolean;
  graphRequestId: string;
  hasDetail: boolean;
  detail: string;
}

interface HistoryCardViewModel {
  sandbox: boolean;
  heading: string;
  isEmpty: boolean;
  entries: HistoryEntryViewModel[];
  hasMore: boolean;
  more: string;
}

/** Per-field caps in code points. The compact set is used when the full one would not fit in 28 KB. */
interface FieldCaps {
  label: number;
  upn: number;
  actor: number;
  value: number;
  graphRequestId: number;
  detail: number;
}

/** A UPN is at most 113 characters; a GUID-based anchor 24; a Graph request id 36. */
const FULL_CAPS: FieldCaps = { label: 48, upn: 120, actor: 64, value: 64, graphRequestId: 64, detail: 240 };
const COMPACT_CAPS: FieldCaps = { label: 32, upn: 64, actor: 40, value: 32, graphRequestId: 40, detail: 80 };

const card = new CardTemplate<HistoryCardViewModel>('history', template);

/** The immutable id as the card shows it: "(empty)" for null. */
function immutableIdText(value: string | null, cap: number): string {
  return value === null || value === '' ? EMPTY_IMMUTABLE_ID : escapeCardText(value, cap);
}

/** "before → after", or just the side that was recorded; '' when neither was. */
function describeChange(entry: AuditEntry, cap: number): string {
  // A change of several attributes (e.g. the seven on-prem ones) lists each old and new value.
  if (entry.changes && entry.changes.length > 1) {
    return entry.changes.map((c) => `${escapeCardText(c.attribute, 40)}: ${immutableIdText(c.before ?? null, cap)} → ${immutableIdText(c.after ?? null, cap)}`).join('; ');
  }
  const hasBefore = entry.before !== undefined;
  const hasAfter = entry.after !== undefined;
  const before = hasBefore ? immutableIdText(entry.before ?? null, cap) : '';
  const after = hasAfter ? immutableIdText(entry.after ?? null, cap) : '';
  if (hasBefore && hasAfter) return `${before} → ${after}`;
  if (hasBefore) return `Before: ${before}`;
  if (hasAfter) return `After: ${after}`;
  return '';
}

function entryViewModel(entry: AuditEntry, caps: FieldCaps): HistoryEntryViewModel {
  const label = Object.prototype.hasOwnProperty.call(EVENT_LABELS, entry.event)
    ? (EVENT_LABELS[entry.event] ?? '')
    : escapeCardText(String(entry.event), caps.label);
  const change = describeChange(entry, caps.value);
  const graphRequestId = entry.graphRequestId?.trim() ? escapeCardText(entry.graphRequestId, caps.graphRequestId) : '';
  const detail = entry.detail?.trim() ? escapeCardText(entry.detail, caps.detail) : '';
  return {
    label,
    upn: escapeCardText(entry.target?.upn, caps.upn),
    when: Number.isNaN(Date.parse(entry.at)) ? escapeCardText(entry.at, 40) : formatUtc(entry.at),
    actor: escapeCardText(entry.actor?.name, caps.actor),
    hasChange: change !== '',
    change,
    hasGraphRequestId: graphRequestId !== '',
    graphRequestId,
    hasDetail: detail !== '',
    detail,
  };
}

/** Newest first; entries whose time does not parse go last, in their original order. */
function newestFirst(entries: AuditEntry[]): AuditEntry[] {
  const time = (e: AuditEntry): number => {
    const t = Date.parse(e.at);
    return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
  };
  return entries
    .map((entry, index) => ({ entry, index, t: time(entry) }))
    .sort((a, b) => (b.t === a.t ? a.index - b.index : b.t > a.t ? 1 : -1))
    .map((x) => x.entry);
}

/**
 * Renders audit entries, newest first: up to 20, each with time, event, actor, target, the
 * immutable id before → after, the Graph request id and the detail when recorded; "and N more"
 * for the rest. Long or wide values are cut harder (and, in the extreme, fewer entries listed)
 * so the card always stays within 28 KB.
 */
export function renderHistoryCard(input: HistoryCardInput): AdaptiveCardJson {
  const sorted = newestFirst(input.entries);
  const heading = input.subject?.trim() ? `History for ${escapeCardText(input.subject, 120)}` : 'Latest changes';

  const render = (count: number, caps: FieldCaps): AdaptiveCardJson => {
    const more = sorted.length - count;
    return card.expand({
      sandbox: input.sandbox,
      heading,
      isEmpty: sorted.length === 0,
      entries: sorted.slice(0, count).map((e) => entryViewModel(e, caps)),
      hasMore: more > 0,
      more: more === 1 ? 'and 1 more record' : `and ${more} more records`,
    });
  };

  let count = Math.min(sorted.length, MAX_HISTORY_ENTRIES);
  let result = render(count, FULL_CAPS);
  if (cardSizeBytes(result) <= MAX_CARD_BYTES) return result;
  for (; count >= 0; count--) {
    result = render(count, COMPACT_CAPS);
    if (cardSizeBytes(result) <= MAX_CARD_BYTES) return result;
  }
  return result; // not reached: with no entries listed the card is tiny
}
