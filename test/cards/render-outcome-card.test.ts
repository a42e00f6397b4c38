import { renderOutcomeCard } from '../../src/cards';
import type { ChangeOutcome, ChangeRequest } from '../../src/workflow/types';
import { cardTextJoined, collectCardText, findActions } from './card-text';
import { ANCHOR, APPROVER, makeOutcome, makeRequest } from './fixtures';
import { expectValidCard } from './official-parser';

const STATUSES: Array<ChangeOutcome['status']> = ['completed', 'completed-pending-replication', 'failed', 'unconfirmed', 'cancelled', 'stale', 'rejected', 'expired'];

function render(request: Partial<ChangeRequest>, sandbox = false): ReturnType<typeof renderOutcomeCard> {
  return renderOutcomeCard({ request: makeRequest(request), sandbox });
}

function fact(card: unknown, title: string): string | undefined {
  const texts = collectCardText(card);
  const i = texts.indexOf(title);
  return i >= 0 ? texts[i + 1] : undefined;
}

/** The first TextBlock with the heading style. */
function headline(card: unknown): string | undefined {
  let found: string | undefined;
  JSON.stringify(card, (_k, v: unknown) => {
    const o = v as Record<string, unknown> | null;
    if (found === undefined && o && typeof o === 'object' && o.style === 'heading' && typeof o.text === 'string') found = o.text;
    return v;
  });
  return found;
}

describe('renderOutcomeCard', () => {
  describe.each(STATUSES)('%s', (status) => {
    it.each([false, true])('passes the official parser; only a change that ran offers Undo (sandbox %p)', (sandbox) => {
      const card = render({ outcome: makeOutcome(status, { graphRequestId: 'abc-123', message: 'Some detail' }) }, sandbox);
      expectValidCard(card);
      const ran = status === 'completed' || status === 'completed-pending-replication';
      expect(findActions(card).map((a) => `${a.type} ${a.verb ?? (a.data as { verb?: string }).verb}`)).toEqual(ran ? ['Action.Execute request.undo', 'Action.Submit request.undo'] : []);
      expect(cardTextJoined(card).includes('Sandbox directory')).toBe(sandbox);
    });

    it('passes with hostile and long values', () => {
      const card = render({
        targetDisplayName: '<at>Admin</at> [x](http://evil) ' + '*'.repeat(4000),
        targetUpn: '_'.repeat(4000),
        requester: { aadObjectId: '', name: '${$root.x}'.repeat(500) },
        approvedBy: { aadObjectId: '', name: '\n'.repeat(10) + '# hi' },
        rejectedBy: { aadObjectId: '', name: '<at>x</at>'.repeat(500) },
        rejectionReason: '[x](http://evil) '.repeat(500),
        reason: '${$root}'.repeat(1000),
        approvals: Array.from({ length: 50 }, () => ({ actor: { aadObjectId: '', name: '\\'.repeat(500) }, at: 'x' })),
        requiredApprovals: 3,
        outcome: makeOutcome(status, { message: '**boom**\n'.repeat(2000), graphRequestId: ')'.repeat(999), before: '+'.repeat(999) }),
      });
      expectValidCard(card);
    });
  });

  it('cleared: headline, before → (empty), who and when', () => {
    const card = render({ outcome: makeOutcome('completed', { graphRequestId: 'f00d-1234' }) });
    expect(headline(card)).toBe('✅ Immutable ID cleared for Alice Smith');
    expect(fact(card, 'User')).toBe('Alice Smith (alice@contoso.com)');
    expect(fact(card, 'Before')).toBe(ANCHOR);
    expect(fact(card, 'After')).toBe('(empty)');
    expect(fact(card, 'Requested by')).toBe('Harry Helpdesk');
    expect(fact(card, 'Confirmed by')).toBe('Anna Approver');
    expect(fact(card, 'When')).toBe('2026-03-02 15:01 UTC');
    expect(fact(card, 'Graph request ID')).toBe('f00d-1234');
  });

  it.each<[ChangeOutcome['status'], RegExp]>([
    ['completed', /^Immutable ID cleared for Alice Smith$/],
    ['completed-pending-replication', /^Cleared for Alice Smith — waiting for directory replication$/],
    ['failed', /^Clearing the immutable ID for Alice Smith failed$/],
    ['unconfirmed', /^Could not confirm: Clearing the immutable ID for Alice Smith$/],
    ['cancelled', /^Request for Alice Smith cancelled/],
    ['stale', /^Nothing changed for Alice Smith$/],
    ['rejected', /^Request for Alice Smith rejected/],
    ['expired', /^Request for Alice Smith expired$/],
  ])('%s: the headline says it in words; an emoji (a box without an emoji font) only decorates', (status, words) => {
    const card = render({ state: 'completed', outcome: makeOutcome(status) }, true);
    const noEmoji = (t: string): string => t.replace(/\p{Extended_Pictographic}\uFE0F?/gu, '').trim();
    expect(noEmoji(String(headline(card)))).toMatch(words);
    expect(collectCardText(card).map(noEmoji)).toContain('Sandbox directory — no real tenant is changed');
  });

  it('omits the Graph request id when there is none', () => {
    expect(fact(render({ outcome: makeOutcome('completed') }), 'Graph request ID')).toBeUndefined();
  });

  it('pending replication: says it was accepted, shows the read-back value, never "fail"', () => {
    const card = render({ outcome: makeOutcome('completed-pending-replication') });
    expect(headline(card)).toBe('⏳ Cleared for Alice Smith — waiting for directory replication');
    const text = cardTextJoined(card);
    expect(text).toMatch(/accepted the change/);
    expect(text).toMatch(/within a few minutes/);
    // The command is set off in quotes (as on the request card), so the sentence reads right.
    expect(text).toContain('Send “show alice@contoso.com” to check again.');
    expect(text).not.toMatch(/Send show/);
    expect(text.toLowerCase()).not.toContain('fail');
    expect(JSON.stringify(card).toLowerCase()).not.toContain('fail');
    expect(fact(card, 'Read back')).toBe(ANCHOR);
    expect(fact(card, 'After')).toBeUndefined();
  });

  it('failed: shows the message, escaped', () => {
    const card = render({ state: 'failed', outcome: makeOutcome('failed', { message: 'Graph said *no* (403)' }) });
    expect(headline(card)).toMatch(/failed/);
    expect(cardTextJoined(card)).toContain('Graph said \\*no\\* \\(403\\)');
    expect(cardTextJoined(render({ outcome: makeOutcome('failed') }))).toContain('No details were recorded.');
  });

  it('cancelled: names who cancelled when the workflow records it, without "Confirmed by"', () => {
    const card = render({ state: 'cancelled', cancelledBy: { aadObjectId: 'x', name: 'Anna Approver' }, outcome: makeOutcome('cancelled') });
    expect(headline(card)).toBe('Request for Alice Smith cancelled by Anna Approver');
    expect(cardTextJoined(card)).toContain('Nothing was changed.');
    expect(fact(card, 'Confirmed by')).toBeUndefined();
  });

  it('cancelled without approvedBy: no guessed name, shows the message', () => {
    const { approvedBy: _omit, ...request } = makeRequest({
      state: 'cancelled',
      outcome: makeOutcome('cancelled', { message: 'Cancelled by Harry Helpdesk' }),
    });
    const card = renderOutcomeCard({ request, sandbox: false });
    expect(headline(card)).toBe('Request for Alice Smith cancelled');
    expect(cardTextJoined(card)).toContain('Cancelled by Harry Helpdesk');
    expect(cardTextJoined(card)).toContain('Nothing was changed.');
  });

  it('stale: "Nothing changed" and the message', () => {
    const card = render({ outcome: makeOutcome('stale', { message: 'The user changed after the card was shown, so nothing was changed.' }) });
    expect(headline(card)).toBe('Nothing changed for Alice Smith');
    expect(cardTextJoined(card)).toContain('The user changed after the card was shown');
  });

  it('no outcome yet: says so instead of inventing one', () => {
    const { outcome: _o, ...request } = makeRequest({ state: 'executing' });
    const card = renderOutcomeCard({ request, sandbox: false });
    expectValidCard(card);
    expect(headline(card)).toBe('No outcome recorded yet for Alice Smith');
    expect(cardTextJoined(card)).toContain('Request state: executing');
    expect(fact(card, 'Before')).toBeUndefined();
  });

  it('shows just the UPN when there is no display name', () => {
    expect(fact(render({ targetDisplayName: null, outcome: makeOutcome('completed') }), 'User')).toBe('alice@contoso.com');
  });

  describe('rejected', () => {
    const rejected = (overrides: Partial<ChangeRequest> = {}): ReturnType<typeof renderOutcomeCard> =>
      render({
        state: 'rejected',
        approvals: [],
        rejectedBy: { aadObjectId: 'r', name: 'Rita Reviewer' },
        rejectionReason: 'Wrong user — see INC0012345',
        outcome: makeOutcome('rejected'),
        ...overrides,
      });

    it('names who rejected, shows the reason and that nothing changed; nobody "confirmed"', () => {
      const { approvedBy: _a, ...request } = makeRequest({
        state: 'rejected',
        approvals: [],
        rejectedBy: { aadObjectId: 'r', name: 'Rita Reviewer' },
        rejectionReason: 'Wrong user — see INC0012345',
        outcome: makeOutcome('rejected'),
      });
      const card = renderOutcomeCard({ request, sandbox: false });
      expectValidCard(card);
      expect(headline(card)).toBe('Request for Alice Smith rejected by Rita Reviewer');
      expect(fact(card, 'Reason')).toBe('Wrong user — see INC0012345');
      expect(cardTextJoined(card)).toContain('Nothing was changed.');
      expect(fact(card, 'Confirmed by')).toBeUndefined();
      expect(fact(card, 'Approved by')).toBeUndefined();
      expect(findActions(card)).toEqual([]);
    });

    it('shows the reason once, even though the outcome message carries it too', () => {
      const reason = 'Wrong user, see INC0012345';
      const card = rejected({ rejectionReason: reason, outcome: { ...makeOutcome('rejected'), message: reason } });
      expect(collectCardText(card).filter((t) => t.includes('INC0012345'))).toHaveLength(1);
    });

    it('never says "Confirmed by", even if approvedBy is set', () => {
      expect(fact(rejected({ approvals: [] }), 'Confirmed by')).toBeUndefined();
    });

    it('escapes the reason and the name', () => {
      const card = rejected({ rejectedBy: { aadObjectId: '', name: '<at>Boss</at>' }, rejectionReason: '**no** [x](http://evil)' });
      expect(headline(card)).toBe('Request for Alice Smith rejected by \u2039at\u203aBoss\u2039/at\u203a');
      expect(fact(card, 'Reason')).toBe('\\*\\*no\\*\\* \\[x\\]\\(http:\u2060//evil\\)');
    });

    it('without a rejecter name or reason: plain headline, no Reason fact', () => {
      const { rejectedBy: _r, rejectionReason: _rr, ...request } = makeRequest({ state: 'rejected', outcome: makeOutcome('rejected') });
      const card = renderOutcomeCard({ request, sandbox: false });
      expect(headline(card)).toBe('Request for Alice Smith rejected');
      expect(fact(card, 'Reason')).toBeUndefined();
    });

    it('lists partial approvals given before the rejection', () => {
      const card = rejected({ requiredApprovals: 2, approvals: [{ actor: APPROVER, at: '2026-03-02T15:01:00Z' }] });
      expect(fact(card, 'Approved by')).toBe('Anna Approver');
      expect(fact(card, 'Confirmed by')).toBeUndefined();
    });
  });

  it('expired: headline, nothing changed, send again', () => {
    const card = render({ state: 'expired', approvals: [], outcome: makeOutcome('expired') });
    expectValidCard(card);
    expect(headline(card)).toBe('Request for Alice Smith expired');
    expect(cardTextJoined(card)).toContain('Nothing was changed. Send the command again if it is still needed.');
    expect(fact(card, 'Confirmed by')).toBeUndefined();
    expect(fact(card, 'Reason')).toBeUndefined();
  });

  it('a rejection reason is not shown for other outcomes', () => {
    expect(fact(render({ rejectionReason: 'x', outcome: makeOutcome('completed') }), 'Reason')).toBeUndefined();
  });

  describe('approvals', () => {
    const ADELE = { aadObjectId: 'a', name: 'Adele Approver' };

    it('single approval that ran the change: "Confirmed by" as before, no list', () => {
      const card = render({ outcome: makeOutcome('completed') });
      expect(fact(card, 'Confirmed by')).toBe('Anna Approver');
      expect(fact(card, 'Approved by')).toBeUndefined();
    });

    it('several approvals: "Approved by" lists them all instead of "Confirmed by"', () => {
      const card = render({
        requiredApprovals: 2,
        approvals: [
          { actor: ADELE, at: '2026-03-02T15:00:30Z' },
          { actor: APPROVER, at: '2026-03-02T15:01:00Z' },
        ],
        outcome: makeOutcome('completed'),
      });
      expect(fact(card, 'Approved by')).toBe('Adele Approver, Anna Approver');
      expect(fact(card, 'Confirmed by')).toBeUndefined();
    });

    it('caps a long list', () => {
      const approvals = Array.from({ length: 13 }, (_, i) => ({ actor: { aadObjectId: '', name: `A${i}` }, at: '2026-03-02T15:00:30Z' }));
      expect(fact(render({ requiredApprovals: 13, approvals, outcome: makeOutcome('completed') }), 'Approved by')).toMatch(/A9 and 3 more$/);
    });

    it('a stored request without an approvals list still renders (older records)', () => {
      const { approvals: _a, ...request } = makeRequest({ outcome: makeOutcome('completed') });
      const card = renderOutcomeCard({ request: request as ChangeRequest, sandbox: false });
      expectValidCard(card);
      expect(fact(card, 'Confirmed by')).toBe('Anna Approver');
    });
  });

  it("shows the requester's reason, escaped", () => {
    const card = render({ reason: 'INC0012345 _urgent_', outcome: makeOutcome('completed') });
    expect(fact(card, "Requester's reason")).toBe('INC0012345 \\_urgent\\_');
    expect(fact(render({ outcome: makeOutcome('completed') }), "Requester's reason")).toBeUndefined();
  });
});
