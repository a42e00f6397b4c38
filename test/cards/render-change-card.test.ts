import { cardSizeBytes, MAX_CARD_BYTES, renderChangeCard } from '../../src/cards';
import type { Blocker } from '../../src/workflow/types';
import { cardTextJoined, findActions } from './card-text';
import { ANCHOR, makeSnapshot, makeUser, REQUEST_ID } from './fixtures';
import { expectValidCard } from './official-parser';

const NEW = 'yYuRNW0Z6kCXeYidebdT8A==';
const base = { newValue: NEW, title: 'Hard match: set the immutable ID?', summary: 'Approving sets it.', sandbox: false };

describe('renderChangeCard', () => {
  it('shows current and new value as immutable ID and GUID, with approve / reject / cancel', () => {
    const card = renderChangeCard({ ...base, snapshot: makeSnapshot(), blockers: [], requestId: REQUEST_ID });
    expectValidCard(card);
    const text = cardTextJoined(card);
    expect(text).toContain(ANCHOR);
    expect(text).toContain(NEW);
    expect(text).toContain('35918bc9-196d-40ea-9779-889d79b753f0');
    expect(findActions(card).filter((a) => a.type === 'Action.Execute').map((a) => a.verb)).toEqual(['request.approve', 'request.reject', 'request.cancel']);
  });

  it('shows no buttons and says why when something blocks it', () => {
    const blockers: Blocker[] = [{ kind: 'value-taken', heldBy: { id: 'u2', userPrincipalName: 'bob@contoso.com', displayName: 'Bob *Jones*' } }, { kind: 'synced', lastSyncDateTime: null }];
    const card = renderChangeCard({ ...base, snapshot: makeSnapshot(), blockers, requestId: REQUEST_ID });
    expectValidCard(card);
    expect(findActions(card)).toEqual([]);
    expect(cardTextJoined(card)).toMatch(/Bob \\\*Jones\\\* \(bob@contoso.com\)\*\* already holds/);
  });

  it('stays valid and small with hostile values', () => {
    const user = makeUser({ displayName: '<at>x</at> [a](http://evil) ' + '*'.repeat(4000), userPrincipalName: '_'.repeat(4000) });
    const card = renderChangeCard({ ...base, snapshot: makeSnapshot({ user }), blockers: [{ kind: 'value-taken', heldBy: { id: 'x', userPrincipalName: '#'.repeat(5000), displayName: '$'.repeat(5000) } }], requestedBy: '${x}'.repeat(300), reason: '_'.repeat(9000) });
    expectValidCard(card);
    expect(cardSizeBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
  });
});
