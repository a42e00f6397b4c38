import { renderUserCard, Verbs, type UserCardInput } from '../../src/cards';
import type { ClearBlocker } from '../../src/workflow/types';
import { cardTextJoined, collectCardText, findActions } from './card-text';
import { ANCHOR_GUID, makeSnapshot, REQUEST_ID } from './fixtures';
import { expectValidCard } from './official-parser';

const SYNCED: ClearBlocker = { kind: 'synced', lastSyncDateTime: '2026-03-02T14:05:00Z' };
const FEDERATED: ClearBlocker = { kind: 'federated', domain: 'fabrikam.com' };
const EMPTY: ClearBlocker = { kind: 'already-empty' };

function render(overrides: Partial<UserCardInput> = {}): ReturnType<typeof renderUserCard> {
  return renderUserCard({
    snapshot: makeSnapshot(),
    blockers: [],
    requestId: REQUEST_ID,
    purpose: 'clear',
    sandbox: false,
    requestedBy: 'Harry Helpdesk',
    ...overrides,
  });
}

/** The fact value shown next to a title. */
function fact(card: unknown, title: string): string | undefined {
  const texts = collectCardText(card);
  const i = texts.indexOf(title);
  return i >= 0 ? texts[i + 1] : undefined;
}

describe('renderUserCard', () => {
  const variants: Array<[string, Partial<UserCardInput>]> = [
    ['confirm', {}],
    ['confirm in sandbox', { sandbox: true }],
    ['synced blocker', { blockers: [SYNCED] }],
    ['synced blocker, never-synced time', { blockers: [{ kind: 'synced', lastSyncDateTime: null }] }],
    ['federated blocker', { blockers: [FEDERATED] }],
    ['already-empty blocker', { blockers: [EMPTY], snapshot: makeSnapshot({ user: { onPremisesImmutableId: null } }) }],
    ['all blockers', { blockers: [SYNCED, FEDERATED, EMPTY], sandbox: true }],
    ['show', { purpose: 'show', requestId: undefined }],
    ['show, blocked', { purpose: 'show', blockers: [SYNCED] }],
    ['with roles', { snapshot: makeSnapshot({ roles: [{ displayName: 'Global Administrator', roleTemplateId: null }] }) }],
    ['roles unreadable', { snapshot: makeSnapshot({ roles: null }) }],
    [
      'guest, never synced, disabled',
      {
        snapshot: makeSnapshot({
          user: {
            userType: 'Guest',
            userPrincipalName: 'bob_fabrikam.com#EXT#@contoso.onmicrosoft.com',
            onPremisesSyncEnabled: null,
            onPremisesLastSyncDateTime: null,
            accountEnabled: false,
            onPremisesImmutableId: null,
            mail: null,
            proxyAddresses: [],
          },
        }),
      },
    ],
    ['notice', { notice: 'The immutable ID changed since the card you confirmed was shown. Nothing was changed; here is the current state.' }],
    [
      'long values and many roles',
      {
        notice: 'n'.repeat(5000),
        requestedBy: 'r'.repeat(5000),
        blockers: [SYNCED, { kind: 'federated', domain: 'd'.repeat(5000) }, EMPTY],
        snapshot: makeSnapshot({
          user: { displayName: '*'.repeat(5000), userPrincipalName: '_'.repeat(5000), userType: 'x'.repeat(500) },
          domain: { id: '['.repeat(5000), authenticationType: 'Unknown' },
          roles: Array.from({ length: 80 }, (_, i) => ({ displayName: `Role ${i} ${'('.repeat(300)}`, roleTemplateId: null })),
        }),
      },
    ],
  ];

  it.each(variants)('%s: passes the official parser and fits in 28 KB', (_name, overrides) => {
    expectValidCard(render(overrides));
  });

  it('confirm card: Confirm is an Action.Execute with exactly { requestId }, with a Submit fallback carrying the verb', () => {
    const actions = findActions(render());
    const confirm = actions.find((a) => a.title === 'Confirm' && !a.isFallback);
    expect(confirm).toEqual({ type: 'Action.Execute', title: 'Confirm', verb: Verbs.confirmClear, data: { requestId: REQUEST_ID }, isFallback: false });
    const cancel = actions.find((a) => a.title === 'Cancel' && !a.isFallback);
    expect(cancel).toEqual({ type: 'Action.Execute', title: 'Cancel', verb: Verbs.cancelClear, data: { requestId: REQUEST_ID }, isFallback: false });
    const fallbacks = actions.filter((a) => a.isFallback);
    expect(fallbacks).toEqual([
      { type: 'Action.Submit', title: 'Confirm', data: { verb: 'clear.confirm', requestId: REQUEST_ID }, isFallback: true },
      { type: 'Action.Submit', title: 'Cancel', data: { verb: 'clear.cancel', requestId: REQUEST_ID }, isFallback: true },
    ]);
  });

  it('shows the user state as facts', () => {
    const card = render();
    expect(fact(card, 'Display name')).toBe('Alice Smith');
    expect(fact(card, 'UPN')).toBe('alice@contoso.com');
    expect(fact(card, 'Object ID')).toBe('00aa00aa-bb11-cc22-dd33-44ee44ee44ee');
    expect(fact(card, 'Primary SMTP')).toBe('alice.smith@contoso.com');
    expect(fact(card, 'Immutable ID')).toBe('yYuRNW0Z6kCXeYidebdT8A==');
    expect(fact(card, 'On-prem GUID')).toBe(ANCHOR_GUID);
    expect(fact(card, 'Synced from on-premises')).toBe('No — sync stopped (was synced)');
    expect(fact(card, 'Last sync')).toBe('2026-03-02 14:05 UTC');
    expect(fact(card, 'Account')).toBe('Enabled');
    expect(fact(card, 'User type')).toBe('Member');
    expect(fact(card, 'UPN domain')).toBe('contoso.com (Managed)');
    expect(fact(card, 'Admin roles')).toBe('None');
    expect(cardTextJoined(card)).toContain('Requested by Harry Helpdesk');
    expect(cardTextJoined(card)).toContain('Read from the directory at 2026-03-02 15:00 UTC');
  });

  it('describes each sync state and a guest', () => {
    const state = (enabled: boolean | null): string | undefined =>
      fact(render({ snapshot: makeSnapshot({ user: { onPremisesSyncEnabled: enabled } }) }), 'Synced from on-premises');
    expect(state(true)).toBe('Yes — synced now');
    expect(state(false)).toBe('No — sync stopped (was synced)');
    expect(state(null)).toBe('Never synced');
    const guest = render({ snapshot: makeSnapshot({ user: { userType: 'Guest', accountEnabled: false, onPremisesLastSyncDateTime: null, onPremisesImmutableId: null } }) });
    expect(fact(guest, 'User type')).toBe('Guest');
    expect(fact(guest, 'Account')).toBe('Disabled');
    expect(fact(guest, 'Last sync')).toBe('Never');
    expect(fact(guest, 'Immutable ID')).toBe('(empty)');
    expect(fact(guest, 'On-prem GUID')).toBeUndefined();
  });

  it('omits the GUID when the anchor is not a 16-byte value', () => {
    const card = render({ snapshot: makeSnapshot({ user: { onPremisesImmutableId: 'alice-legacy-anchor' } }) });
    expect(fact(card, 'Immutable ID')).toBe('alice-legacy-anchor');
    expect(fact(card, 'On-prem GUID')).toBeUndefined();
  });

  it('names admin roles and says they block soft matching', () => {
    const card = render({
      snapshot: makeSnapshot({
        roles: [
          { displayName: 'Global Administrator', roleTemplateId: '62e90394-69f5-4237-9190-012177145e10' },
          { displayName: 'User Administrator', roleTemplateId: null },
        ],
      }),
    });
    expect(fact(card, 'Admin roles')).toBe('Global Administrator, User Administrator');
    expect(cardTextJoined(card)).toMatch(/admin roles block soft matching/i);
    expect(cardTextJoined(render())).not.toMatch(/block soft matching/i);
    const unknown = render({ snapshot: makeSnapshot({ roles: null }) });
    expect(fact(unknown, 'Admin roles')).toBe('Could not be read');
  });

  it('caps a long role list with "and N more"', () => {
    const roles = Array.from({ length: 14 }, (_, i) => ({ displayName: `Role ${i}`, roleTemplateId: null }));
    expect(fact(render({ snapshot: makeSnapshot({ roles }) }), 'Admin roles')).toMatch(/Role 9 and 4 more$/);
  });

  it.each([
    [SYNCED, [/Why this can't be cleared/, /Entra Connect still syncs this user \(last sync: 2026-03-02 14:05 UTC\)/, /out of sync scope/, /Deleted users/, /cloud-only/]],
    [FEDERATED, [/Why this can't be cleared/, /fabrikam\.com, a federated domain/, /FederatedUser\.SourceAnchor/, /\.onmicrosoft\.com/, /Switch the UPN back to fabrikam\.com/]],
    [EMPTY, [/Why this can't be cleared/, /already empty/, /Start-ADSyncSyncCycle -PolicyType Delta/]],
  ] as Array<[ClearBlocker, RegExp[]]>)('blocked by %o: no Confirm, explains what to do', (blocker, expected) => {
    const card = render({ blockers: [blocker] });
    expect(findActions(card)).toEqual([]);
    const text = cardTextJoined(card);
    for (const re of expected) expect(text).toMatch(re);
    expect(text).not.toContain('To clear it, send');
  });

  it('explains only the blockers that apply', () => {
    const text = cardTextJoined(render({ blockers: [FEDERATED] }));
    expect(text).not.toMatch(/still syncs/);
    expect(text).not.toMatch(/already empty/);
  });

  it('refuses a requestId that parseActionData would reject (the buttons could never work)', () => {
    expect(() => render({ requestId: 'short' })).toThrow(/requestId/);
    expect(() => render({ requestId: '${x}'.repeat(10) })).toThrow(/requestId/);
  });

  it('clear without a requestId shows no buttons', () => {
    expect(findActions(render({ requestId: undefined }))).toEqual([]);
  });

  it('show card: no actions, a hint with the command, or the blockers instead of the hint', () => {
    const card = render({ purpose: 'show' });
    expect(findActions(card)).toEqual([]);
    expect(cardTextJoined(card)).toContain('To clear it, send:');
    expect(collectCardText(card)).toContain('clear immutable id for alice@contoso.com');

    const blocked = render({ purpose: 'show', blockers: [SYNCED] });
    expect(findActions(blocked)).toEqual([]);
    expect(cardTextJoined(blocked)).not.toContain('To clear it');
    expect(cardTextJoined(blocked)).toContain("Why this can't be cleared");
  });

  it('shows the notice first, in an attention container', () => {
    const card = render({ notice: 'The immutable ID changed since the card you confirmed was shown.' });
    const body = card.body as Array<Record<string, unknown>>;
    expect(body[0]).toMatchObject({ type: 'Container', style: 'attention' });
    expect(collectCardText(body[0])).toEqual(['The immutable ID changed since the card you confirmed was shown.']);
  });

  it('sandbox banner iff sandbox', () => {
    expect(cardTextJoined(render({ sandbox: true }))).toContain('🧪 Sandbox directory — no real tenant is changed');
    expect(cardTextJoined(render({ sandbox: false }))).not.toContain('Sandbox');
  });

  it('escapes directory values', () => {
    const card = render({ snapshot: makeSnapshot({ user: { displayName: '**Boss** [x](http://evil)' } }) });
    expect(fact(card, 'Display name')).toBe('\\*\\*Boss\\*\\* \\[x\\]\\(http:\u2060//evil\\)');
  });

  it('is Adaptive Card 1.5 with the schema', () => {
    expect(render()).toMatchObject({ type: 'AdaptiveCard', version: '1.5', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
  });
});
