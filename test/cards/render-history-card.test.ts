import { MAX_CARD_BYTES, MAX_HISTORY_ENTRIES, cardSizeBytes, renderHistoryCard } from '../../src/cards';
import type { AuditEntry } from '../../src/storage/audit-log';
import { cardTextJoined, collectCardText, findActions, findObjects } from './card-text';
import { ANCHOR, makeAuditEntry } from './fixtures';
import { expectValidCard } from './official-parser';

/** The per-entry containers (separator containers under the body), each as its visible text lines. */
function blocks(card: Record<string, unknown>): string[][] {
  const body = card.body as Array<Record<string, unknown>>;
  return body.filter((e) => e.type === 'Container' && e.separator === true).map((c) => collectCardText(c));
}

function monospaceTexts(card: unknown): string[] {
  return findObjects(card, (o) => o.type === 'TextBlock' && o.fontType === 'Monospace').map((o) => String(o.text));
}

/** An entry `minutes` after 15:00 on 2026-03-02. */
const at = (minutes: number): string => new Date(Date.UTC(2026, 2, 2, 15, minutes)).toISOString();

describe('renderHistoryCard', () => {
  it.each([false, true])('empty: heading and "No records yet.", parser-clean, no buttons (sandbox %p)', (sandbox) => {
    const card = renderHistoryCard({ entries: [], subject: 'alice@contoso.com', sandbox });
    expectValidCard(card);
    expect(findActions(card)).toEqual([]);
    const text = cardTextJoined(card);
    expect(text).toContain('History for alice@contoso.com');
    expect(text).toContain('No records yet.');
    expect(text.includes('🧪 Sandbox directory')).toBe(sandbox);
  });

  it('without a subject the heading is "Latest changes"', () => {
    const card = renderHistoryCard({ entries: [makeAuditEntry()], sandbox: false });
    expect(collectCardText(card)[0]).toBe('Latest changes');
    expect(cardTextJoined(card)).not.toContain('No records yet.');
  });

  it('one compact block per entry: event, target, time, actor, before → after, Graph request id, detail', () => {
    const card = renderHistoryCard({
      entries: [makeAuditEntry({ before: ANCHOR, after: null, graphRequestId: 'f00d-1234', detail: 'Read back empty' })],
      subject: 'alice@contoso.com',
      sandbox: false,
    });
    expectValidCard(card);
    expect(blocks(card)).toEqual([
      ['Cleared · alice@contoso.com', '2026-03-02 15:01 UTC · Anna Approver', `${ANCHOR} → (empty)`, 'Graph request ID: f00d-1234', 'Read back empty'],
    ]);
    expect(monospaceTexts(card)).toEqual([`${ANCHOR} → (empty)`]);
  });

  it('omits what was not recorded, and shows one side of the change when only one was', () => {
    const card = renderHistoryCard({
      entries: [
        makeAuditEntry({ event: 'request.created', at: at(3) }),
        makeAuditEntry({ event: 'change.intent', at: at(2), before: ANCHOR }),
        makeAuditEntry({ event: 'change.succeeded', at: at(1), after: null }),
      ],
      sandbox: false,
    });
    expect(blocks(card)).toEqual([
      ['Requested · alice@contoso.com', '2026-03-02 15:03 UTC · Anna Approver'],
      ['Change started · alice@contoso.com', '2026-03-02 15:02 UTC · Anna Approver', `Before: ${ANCHOR}`],
      ['Cleared · alice@contoso.com', '2026-03-02 15:01 UTC · Anna Approver', 'After: (empty)'],
    ]);
  });

  it.each([
    ['request.created', 'Requested'],
    ['request.approved', 'Approved'],
    ['request.rejected', 'Rejected'],
    ['request.cancelled', 'Cancelled'],
    ['request.expired', 'Expired'],
    ['request.refused', 'Refused'],
    ['request.reason', 'Reason added'],
    ['change.intent', 'Change started'],
    ['change.succeeded', 'Cleared'],
    ['change.failed', 'Failed'],
    ['change.stale', 'Not run (user changed)'],
    ['change.reconciled', 'Settled after an interruption'],
    ['change.unconfirmed', 'Could not confirm'],
    ['some_new.event', 'some\\_new.event'],
    ['[x](http://evil)', '\\[x\\]\\(http:\u2060//evil\\)'],
    ['toString', 'toString'],
    ['__proto__', '\\_\\_proto\\_\\_'],
  ])('labels %s as "%s"', (event, label) => {
    const card = renderHistoryCard({ entries: [makeAuditEntry({ event: event as AuditEntry['event'] })], sandbox: false });
    expectValidCard(card);
    expect(blocks(card)[0]?.[0]).toBe(`${label} · alice@contoso.com`);
  });

  it('sorts newest first, whatever order the entries come in; unparseable times go last', () => {
    const entries = [at(1), 'not a time', at(5), at(3)].map((t, i) => makeAuditEntry({ at: t, detail: `d${i}` }));
    const card = renderHistoryCard({ entries, sandbox: false });
    expect(blocks(card).map((b) => b[b.length - 1])).toEqual(['d2', 'd3', 'd0', 'd1']);
    expect(blocks(card)[3]?.[1]).toBe('not a time · Anna Approver');
  });

  it(`shows at most ${MAX_HISTORY_ENTRIES} and says how many more`, () => {
    const entries = Array.from({ length: 27 }, (_, i) => makeAuditEntry({ at: at(i), detail: `d${i}` }));
    const card = renderHistoryCard({ entries, sandbox: false });
    expectValidCard(card);
    expect(blocks(card)).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(blocks(card)[0]?.at(-1)).toBe('d26');
    expect(cardTextJoined(card)).toContain('and 7 more records');
    const one = renderHistoryCard({ entries: entries.slice(0, 21), sandbox: false });
    expect(cardTextJoined(one)).toContain('and 1 more record');
    expect(cardTextJoined(renderHistoryCard({ entries: entries.slice(0, 20), sandbox: false }))).not.toContain('more record');
  });

  it('20 entries with every field at realistic maximum length: all listed, within 28 KB, parser-clean', () => {
    const upn = `${'a'.repeat(64)}@${'b'.repeat(44)}.com`; // 113 characters, the UPN maximum
    const entries = Array.from({ length: 25 }, (_, i) =>
      makeAuditEntry({
        at: at(i),
        event: 'change.reconciled',
        actor: { aadObjectId: '', name: 'N'.repeat(256) },
        target: { id: 'x', upn },
        before: 'B'.repeat(300),
        after: 'A'.repeat(300),
        graphRequestId: 'g'.repeat(300),
        detail: 'D'.repeat(2000),
      }),
    );
    const card = renderHistoryCard({ entries, subject: upn, sandbox: true });
    expectValidCard(card);
    expect(blocks(card)).toHaveLength(20);
    expect(cardTextJoined(card)).toContain('and 5 more records');
    expect(cardSizeBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
  });

  it('20 entries of worst-case characters (each byte-heavy after escaping): stays within 28 KB and counts what it left out', () => {
    const heavy = (n: number): string => '\\😀<'.repeat(n);
    const entries = Array.from({ length: 30 }, (_, i) =>
      makeAuditEntry({
        at: at(i),
        event: heavy(100) as AuditEntry['event'],
        actor: { aadObjectId: '', name: heavy(300) },
        target: { id: 'x', upn: heavy(300) },
        before: heavy(300),
        after: heavy(300),
        graphRequestId: heavy(300),
        detail: heavy(2000),
      }),
    );
    const card = renderHistoryCard({ entries, subject: heavy(300), sandbox: true });
    expectValidCard(card);
    const shown = blocks(card).length;
    expect(shown).toBeGreaterThanOrEqual(5);
    expect(cardTextJoined(card)).toContain(`and ${30 - shown} more records`);
  });

  it('escapes every value', () => {
    const card = renderHistoryCard({
      entries: [
        makeAuditEntry({
          actor: { aadObjectId: '', name: '<at>Boss</at>' },
          target: { id: 'x', upn: 'x_y@contoso.com' },
          before: '+abc==',
          graphRequestId: '**id**',
          detail: '[click](https://evil) ${$root}',
        }),
      ],
      subject: 'x_y@contoso.com',
      sandbox: false,
    });
    expectValidCard(card);
    expect(blocks(card)).toEqual([
      [
        'Cleared · x\\_y@contoso.com',
        '2026-03-02 15:01 UTC · \u2039at\u203aBoss\u2039/at\u203a',
        'Before: \\+abc==',
        'Graph request ID: \\*\\*id\\*\\*',
        '\\[click\\]\\(https:\u2060//evil\\) $\u2060{$root}',
      ],
    ]);
    expect(collectCardText(card)).toContain('History for x\\_y@contoso.com');
  });
});
