/**
 * Property: whatever the directory or Teams hands us, no card gets a markdown link, a tag or
 * mention, a template expression or a broken structure.
 */
import fc from 'fast-check';
import {
  escapeCardText,
  renderHelpCard,
  renderHistoryCard,
  renderSyncErrorCard,
  renderOutcomeCard,
  renderTipsCard,
  renderUserCard,
  renderWorkingCard,
  type AdaptiveCardJson,
} from '../../src/cards';
import { sanitizeBotText } from '../../src/cards/escape';
import type { AuditEntry } from '../../src/storage/audit-log';
import type { ChangeOutcome } from '../../src/workflow/types';
import { collectCardText, findActions } from './card-text';
import { makeAuditEntry, makeOutcome, makeRequest, makeSnapshot, REQUEST_ID } from './fixtures';
import { officialParserProblems } from './official-parser';

const FRAGMENTS = [
  '[x](http://evil)', '[x]', '(http://evil)', '](', '![i](x)', '<at>Admin</at>', '<b>', '&lt;at&gt;', '&#60;',
  '${$root}', '${', '$', '{', '}', '{{DATE(2017-02-14T06:08:39Z,SHORT)}}', '**', '__', '*', '_', '~~', '`', '\\',
  '#', '> ', '- ', '+ ', '1. ', '2) ', '\n', '\r\n', '\u2028', '\u0085', '\u202E', '\u2066', '\t', 'http://', 'https://x.y',
  '😀', '👩‍💻', 'é', '山', ' ', 'a', '0', '.', ':', '/', '|', '"', "'",
];

/** Strings built from hostile pieces, plus arbitrary Unicode (any code point). */
const hostile: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 25 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(...FRAGMENTS), maxLength: 400 }),
);
const maybeHostile = fc.option(hostile, { nil: null });

/** The text with every backslash-escaped character removed: what markdown would still act on. */
const unescaped = (text: string): string => text.replace(/\\[\s\S]/g, '');

/** Every way a visible text could turn into markup; [] when it is inert. */
function markupProblems(text: string): string[] {
  const bare = unescaped(text);
  const problems: string[] = [];
  if (/\[[^\]]*\]\s*[([]/.test(bare)) problems.push('markdown link');
  if (/[[\]`*_~#!\\]/.test(bare)) problems.push('unescaped markdown character');
  if (/[<>]/.test(text)) problems.push('angle bracket (tag, mention or autolink)');
  if (/&#?[A-Za-z0-9]+;/.test(text)) problems.push('HTML entity');
  if (text.includes('${')) problems.push('template expression');
  if (text.includes('{{')) problems.push('card function');
  if (/[a-z][a-z0-9+.-]*:\/\//i.test(text)) problems.push('bare URL');
  if (/[\r\n\u2028\u2029\u0085]/.test(text)) problems.push('line break');
  if (/^\s*(?:[-+*]|\d+[.)])(?:\s|$)/.test(text)) problems.push('list marker at start');
  return problems;
}

function checkCard(name: string, card: AdaptiveCardJson): void {
  const problems = officialParserProblems(card);
  for (const text of collectCardText(card)) {
    for (const p of markupProblems(text)) problems.push(`${p} in ${JSON.stringify(text)}`);
  }
  if (problems.length > 0) throw new Error(`${name} card:\n${problems.join('\n')}`);
}

/** Action payloads carry only the verb and the request id, never a value from the directory or a user. */
function checkActionData(name: string, card: AdaptiveCardJson): void {
  for (const action of findActions(card)) {
    if (action.type === 'Action.ShowCard') continue; // opens its card; sends nothing
    const data = action.data as Record<string, unknown> | undefined;
    const allowed = action.isFallback ? ['requestId', 'verb'] : ['requestId'];
    if (!data || JSON.stringify(Object.keys(data).sort()) !== JSON.stringify(allowed) || data.requestId !== REQUEST_ID) {
      throw new Error(`${name} card: unexpected action data ${JSON.stringify(data)}`);
    }
  }
}

describe('hostile directory values', () => {
  it('never produce markup and never break any card', () => {
    fc.assert(
      fc.property(
        fc.record({
          displayName: maybeHostile,
          upn: hostile,
          mail: maybeHostile,
          id: hostile,
          immutableId: maybeHostile,
          proxy: hostile,
          userType: maybeHostile,
          domain: hostile,
          role: hostile,
          person: hostile,
          message: hostile,
          graphRequestId: hostile,
          status: fc.constantFrom<ChangeOutcome['status']>('completed', 'completed-pending-replication', 'failed', 'cancelled', 'stale', 'rejected', 'expired'),
          sandbox: fc.boolean(),
          reason: hostile,
          rejectionReason: hostile,
          detail: hostile,
          event: hostile,
          approvalCount: fc.integer({ min: 0, max: 3 }),
        }),
        (v) => {
          const snapshot = makeSnapshot({
            user: {
              id: v.id,
              displayName: v.displayName,
              userPrincipalName: v.upn,
              mail: v.mail,
              onPremisesImmutableId: v.immutableId,
              userType: v.userType,
              proxyAddresses: [`SMTP:${v.proxy}`, v.proxy],
              onPremisesLastSyncDateTime: v.message,
            },
            domain: { id: v.domain, authenticationType: 'Federated' },
            roles: [{ displayName: v.role, roleTemplateId: v.id }],
            readAt: v.graphRequestId,
          });
          const actor = { aadObjectId: v.id, name: v.person };
          const approvals = Array.from({ length: v.approvalCount }, () => ({ actor, at: v.message }));
          const request = makeRequest({
            id: REQUEST_ID,
            targetUpn: v.upn,
            targetDisplayName: v.displayName,
            requester: actor,
            approvedBy: actor,
            rejectedBy: actor,
            cancelledBy: actor,
            reason: v.reason,
            rejectionReason: v.rejectionReason,
            approvals,
            requiredApprovals: 2,
            outcome: makeOutcome(v.status, { before: v.immutableId, after: v.immutableId, message: v.message, graphRequestId: v.graphRequestId, at: v.message }),
          });
          const sandbox = v.sandbox;
          // The bot-written texts embed user values the way callers do: escaped.
          const notice = `The value changed for ${escapeCardText(v.upn)}.`;

          checkCard('confirm', renderUserCard({ snapshot, blockers: [], requestId: REQUEST_ID, purpose: 'clear', sandbox, requestedBy: v.person, notice }));
          const full = renderUserCard({
            snapshot,
            blockers: [],
            requestId: REQUEST_ID,
            purpose: 'clear',
            sandbox,
            requestedBy: v.person,
            notice,
            reason: v.reason,
            approvals: approvals.map((a) => ({ name: a.actor.name, at: a.at })),
            requiredApprovals: 2,
            buttons: { approve: true, reject: true, cancel: true, addReason: true },
            approveTitle: 'Approve & clear',
            refreshUserIds: [v.id, v.person],
            showRequestId: true,
          });
          checkCard('confirm, every option', full);
          checkActionData('confirm, every option', full);
          const blockers = [
            { kind: 'synced', lastSyncDateTime: v.message },
            { kind: 'federated', domain: v.domain },
            { kind: 'already-empty' },
            { kind: 'protected', reason: 'privileged-role', detail: v.role },
            { kind: 'protected', reason: 'protected-group', detail: v.detail },
          ] as const;
          const blocked = renderUserCard({
            snapshot,
            blockers: [...blockers],
            reason: v.reason,
            purpose: 'clear',
            sandbox,
            requestedBy: v.person,
          });
          checkCard('blocked', blocked);
          if (findActions(blocked).length > 0) throw new Error('blocked card has actions');
          checkCard('show', renderUserCard({ snapshot, blockers: [], purpose: 'show', sandbox }));
          checkCard('outcome', renderOutcomeCard({ request, sandbox }));
          checkCard('working', renderWorkingCard({ request, sandbox }));
          checkCard('tips', renderTipsCard({ requestId: REQUEST_ID, snapshot, sandbox }));
          checkCard('help', renderHelpCard({ sandbox, reason: `I didn't understand "${escapeCardText(v.message)}".` }));

          const entry = (overrides: Partial<AuditEntry>): AuditEntry =>
            makeAuditEntry({
              at: v.message,
              actor,
              target: { id: v.id, upn: v.upn },
              before: v.immutableId,
              after: v.immutableId,
              graphRequestId: v.graphRequestId,
              detail: v.detail,
              ...overrides,
            });
          const history = renderHistoryCard({
            entries: [
              entry({ event: v.event as AuditEntry['event'] }),
              entry({ event: 'change.succeeded', at: '2026-03-02T15:00:00Z' }),
              entry({ event: 'request.rejected', detail: v.rejectionReason }),
            ],
            subject: v.upn,
            sandbox,
          });
          checkCard('history', history);
          if (findActions(history).length > 0) throw new Error('history card has actions');

          const syncError = { upn: v.upn, error: v.event, detail: v.detail, notificationId: REQUEST_ID, sandbox };
          const ready = renderSyncErrorCard({ ...syncError, snapshot, blockers: [] });
          checkCard('sync error', ready);
          checkActionData('sync error', ready);
          checkCard('sync error, blocked', renderSyncErrorCard({ ...syncError, snapshot, blockers: [...blockers] }));
          checkCard(
            'sync error, lookup failed',
            renderSyncErrorCard({ ...syncError, blockers: [], lookupError: `I couldn't find ${escapeCardText(v.upn)}.` }),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('escapeCardText output is inert for any string', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        expect(markupProblems(escapeCardText(s))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('sanitizeBotText (markdown kept by design) never lets a tag, expression or URL through', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = sanitizeBotText(s);
        expect(out).not.toMatch(/[<>\r\n]|\$\{|\{\{|:\/\//);
        expect(out).not.toMatch(/&#?[A-Za-z0-9]+;/);
      }),
      { numRuns: 2000 },
    );
  });
});
