import { renderOutcomeCard } from '../../src/cards';
import type { ChangeOutcome, ChangeRequest } from '../../src/workflow/types';
import { cardTextJoined, collectCardText, findActions } from './card-text';
import { ANCHOR, makeOutcome, makeRequest } from './fixtures';
import { expectValidCard } from './official-parser';

const STATUSES: Array<ChangeOutcome['status']> = ['cleared', 'cleared-pending-replication', 'failed', 'cancelled', 'stale'];

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
    it.each([false, true])('passes the official parser, no buttons (sandbox %p)', (sandbox) => {
      const card = render({ outcome: makeOutcome(status, { graphRequestId: 'abc-123', message: 'Some detail' }) }, sandbox);
      expectValidCard(card);
      expect(findActions(card)).toEqual([]);
      expect(cardTextJoined(card).includes('Sandbox directory')).toBe(sandbox);
    });

    it('passes with hostile and long values', () => {
      const card = render({
        targetDisplayName: '<at>Admin</at> [x](http://evil) ' + '*'.repeat(4000),
        targetUpn: '_'.repeat(4000),
        requester: { aadObjectId: '', name: '${$root.x}'.repeat(500) },
        approvedBy: { aadObjectId: '', name: '\n'.repeat(10) + '# hi' },
        outcome: makeOutcome(status, { message: '**boom**\n'.repeat(2000), graphRequestId: ')'.repeat(999), before: '+'.repeat(999) }),
      });
      expectValidCard(card);
    });
  });

  it('cleared: headline, before → (empty), who and when', () => {
    const card = render({ outcome: makeOutcome('cleared', { graphRequestId: 'f00d-1234' }) });
    expect(headline(card)).toBe('✅ Immutable ID cleared');
    expect(fact(card, 'User')).toBe('Alice Smith (alice@contoso.com)');
    expect(fact(card, 'Before')).toBe(ANCHOR);
    expect(fact(card, 'After')).toBe('(empty)');
    expect(fact(card, 'Requested by')).toBe('Harry Helpdesk');
    expect(fact(card, 'Confirmed by')).toBe('Anna Approver');
    expect(fact(card, 'When')).toBe('2026-03-02 15:01 UTC');
    expect(fact(card, 'Graph request ID')).toBe('f00d-1234');
  });

  it('omits the Graph request id when there is none', () => {
    expect(fact(render({ outcome: makeOutcome('cleared') }), 'Graph request ID')).toBeUndefined();
  });

  it('pending replication: says it was accepted, shows the read-back value, never "fail"', () => {
    const card = render({ outcome: makeOutcome('cleared-pending-replication') });
    expect(headline(card)).toBe('⏳ Cleared — waiting for directory replication');
    const text = cardTextJoined(card);
    expect(text).toMatch(/accepted the change/);
    expect(text).toMatch(/within a few minutes/);
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
    expect(headline(card)).toBe('Request cancelled by Anna Approver');
    expect(cardTextJoined(card)).toContain('Nothing was changed.');
    expect(fact(card, 'Confirmed by')).toBeUndefined();
  });

  it('cancelled without approvedBy: no guessed name, shows the message', () => {
    const { approvedBy: _omit, ...request } = makeRequest({
      state: 'cancelled',
      outcome: makeOutcome('cancelled', { message: 'Cancelled by Harry Helpdesk' }),
    });
    const card = renderOutcomeCard({ request, sandbox: false });
    expect(headline(card)).toBe('Request cancelled');
    expect(cardTextJoined(card)).toContain('Cancelled by Harry Helpdesk');
    expect(cardTextJoined(card)).toContain('Nothing was changed.');
  });

  it('stale: "Nothing changed" and the message', () => {
    const card = render({ outcome: makeOutcome('stale', { message: 'The user changed after the card was shown, so nothing was changed.' }) });
    expect(headline(card)).toBe('Nothing changed');
    expect(cardTextJoined(card)).toContain('The user changed after the card was shown');
  });

  it('no outcome yet: says so instead of inventing one', () => {
    const { outcome: _o, ...request } = makeRequest({ state: 'executing' });
    const card = renderOutcomeCard({ request, sandbox: false });
    expectValidCard(card);
    expect(headline(card)).toBe('No outcome recorded yet');
    expect(cardTextJoined(card)).toContain('Request state: executing');
    expect(fact(card, 'Before')).toBeUndefined();
  });

  it('shows just the UPN when there is no display name', () => {
    expect(fact(render({ targetDisplayName: null, outcome: makeOutcome('cleared') }), 'User')).toBe('alice@contoso.com');
  });
});
