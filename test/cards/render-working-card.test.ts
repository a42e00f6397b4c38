import { renderWorkingCard } from '../../src/cards';
import { cardTextJoined, findActions } from './card-text';
import { makeRequest } from './fixtures';
import { expectValidCard } from './official-parser';

describe('renderWorkingCard', () => {
  it.each([false, true])('passes the official parser, no buttons, banner iff sandbox (%p)', (sandbox) => {
    const card = renderWorkingCard({ request: makeRequest({ state: 'executing' }), sandbox });
    expectValidCard(card);
    expect(findActions(card)).toEqual([]);
    expect(cardTextJoined(card).includes('🧪 Sandbox directory')).toBe(sandbox);
  });

  it('says who and what, and that the card will update', () => {
    const text = cardTextJoined(renderWorkingCard({ request: makeRequest({ state: 'executing' }), sandbox: false }));
    expect(text).toContain('Working on it…');
    expect(text).toContain('Clearing the immutable ID of Alice Smith (alice@contoso.com), confirmed by Anna Approver. This card updates when it\'s done.');
  });

  it('works without an approver name', () => {
    const { approvedBy: _a, ...request } = makeRequest({ state: 'executing' });
    const card = renderWorkingCard({ request, sandbox: false });
    expectValidCard(card);
    expect(cardTextJoined(card)).toContain('Clearing the immutable ID of Alice Smith (alice@contoso.com). This card updates');
  });

  it('escapes hostile names', () => {
    const card = renderWorkingCard({
      request: makeRequest({ targetDisplayName: '[click](http://evil)', approvedBy: { aadObjectId: '', name: '<at>Boss</at>' } }),
      sandbox: false,
    });
    expectValidCard(card);
    const text = cardTextJoined(card);
    expect(text).not.toContain('<at>');
    expect(text).toContain('\\[click\\]');
  });
});
