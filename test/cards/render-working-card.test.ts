import { renderProgressCard, renderWorkingCard } from '../../src/cards';
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

describe('renderProgressCard', () => {
  it.each([false, true])('passes the official parser; no buttons unless Refresh is asked for (%p)', (sandbox) => {
    const plain = renderProgressCard({ sandbox, headline: '⏳ Recording your rejection…', detail: 'Rejecting the request.' });
    expectValidCard(plain);
    expect(findActions(plain)).toEqual([]);
    expect(cardTextJoined(plain)).not.toContain('Request ID');
    const withRefresh = renderProgressCard({ sandbox, headline: '⚠️ Could not finish', detail: 'x', hint: 'Tap Refresh.', requestId: makeRequest().id, refresh: true });
    expectValidCard(withRefresh);
    expect(findActions(withRefresh).filter((a) => !a.isFallback).map((a) => [a.type, a.verb, a.data])).toEqual([['Action.Execute', 'request.refresh', { requestId: makeRequest().id }]]);
    expect(cardTextJoined(withRefresh)).toContain('Tap Refresh.');
  });

  it('offers no Refresh for an id that is not a request id', () => {
    expect(findActions(renderProgressCard({ sandbox: false, headline: 'h', detail: 'd', requestId: 'bad id', refresh: true }))).toEqual([]);
  });
});
