import { escapeCardText, renderSyncErrorCard, Verbs, type SyncErrorCardInput } from '../../src/cards';
import type { ClearBlocker } from '../../src/workflow/types';
import { cardTextJoined, collectCardText, findActions } from './card-text';
import { ANCHOR, makeSnapshot, REQUEST_ID } from './fixtures';
import { expectValidCard } from './official-parser';

const NOTIFICATION_ID = 'ntf_0123456789abcdef-XYZ';
const DETAIL =
  'Unable to update this object in Azure Active Directory, because the attribute [SourceAnchor], is already associated with another object.';

function render(overrides: Partial<SyncErrorCardInput> = {}): ReturnType<typeof renderSyncErrorCard> {
  return renderSyncErrorCard({
    upn: 'alice@contoso.com',
    error: 'InvalidSoftMatch',
    detail: DETAIL,
    snapshot: makeSnapshot(),
    notificationId: NOTIFICATION_ID,
    blockers: [],
    sandbox: false,
    ...overrides,
  });
}

function fact(card: unknown, title: string): string | undefined {
  const texts = collectCardText(card);
  const i = texts.indexOf(title);
  return i >= 0 ? texts[i + 1] : undefined;
}

const SYNCED: ClearBlocker = { kind: 'synced', lastSyncDateTime: '2026-03-02T14:05:00Z' };
const FEDERATED: ClearBlocker = { kind: 'federated', domain: 'fabrikam.com' };
const EMPTY: ClearBlocker = { kind: 'already-empty' };
const ADMIN: ClearBlocker = { kind: 'protected', reason: 'privileged-role', detail: 'Global Administrator' };
const GROUP: ClearBlocker = { kind: 'protected', reason: 'protected-group', detail: 'Tier0-Admins' };

describe('renderSyncErrorCard', () => {

  it.each<[string, Partial<SyncErrorCardInput>]>([
    ['ready', {}],
    ['sandbox', { sandbox: true }],
    ['another error', { error: 'AttributeValueMustBeUnique' }],
    ['lookup failed', { snapshot: undefined, lookupError: "I couldn't find **alice@contoso.com** in the directory (HTTP 404 Request_ResourceNotFound)." }],
    ['lookup failed, no text', { snapshot: undefined }],
    ['every blocker', { blockers: [SYNCED, FEDERATED, EMPTY, ADMIN, GROUP] }],
    ['no detail', { detail: '   ' }],
    [
      'long and hostile',
      {
        upn: '<at>x</at>'.repeat(500),
        error: '${$root}'.repeat(500),
        detail: '\\😀['.repeat(3000),
        lookupError: 'x'.repeat(5000),
        blockers: [SYNCED, { kind: 'federated', domain: '_'.repeat(5000) }, EMPTY, ...Array.from({ length: 20 }, (): ClearBlocker => ({ kind: 'protected', reason: 'protected-group', detail: '*'.repeat(5000) }))],
        snapshot: makeSnapshot({ user: { displayName: '*'.repeat(5000), userPrincipalName: '_'.repeat(5000), id: '['.repeat(5000), onPremisesImmutableId: '+'.repeat(5000) } }),
      },
    ],
  ])('%s: passes the official parser and fits in 28 KB', (_name, overrides) => {
    expectValidCard(render(overrides));
  });

  it('heading names the error and the user; shows the detail', () => {
    const card = render();
    expect(collectCardText(card)[0]).toBe('Entra Connect reported InvalidSoftMatch for alice@contoso.com');
    expect(cardTextJoined(card)).toContain(escapeCardText(DETAIL, 1000));
  });

  it('cuts the detail at about 1000 characters', () => {
    const card = render({ detail: 'd'.repeat(5000) });
    const shown = collectCardText(card).find((t) => t.startsWith('ddd')) ?? '';
    expect(Array.from(shown)).toHaveLength(1000);
    expect(shown.endsWith('…')).toBe(true);
  });

  it('explains InvalidSoftMatch (any case) and only that', () => {
    expect(cardTextJoined(render())).toMatch(/already has an immutable ID or another anchor.*Clearing the immutable ID lets the next sync match/);
    expect(cardTextJoined(render({ error: 'invalidsoftmatch' }))).toMatch(/can't soft-match/);
    expect(cardTextJoined(render({ error: 'AttributeValueMustBeUnique' }))).not.toMatch(/soft-match/);
  });

  it("shows the user's key facts", () => {
    const card = render({ snapshot: makeSnapshot({ user: { onPremisesSyncEnabled: null }, domain: { id: 'contoso.com', authenticationType: 'Managed' } }) });
    expect(fact(card, 'Display name')).toBe('Alice Smith');
    expect(fact(card, 'UPN')).toBe('alice@contoso.com');
    expect(fact(card, 'Object ID')).toBe('00aa00aa-bb11-cc22-dd33-44ee44ee44ee');
    expect(fact(card, 'Immutable ID')).toBe(ANCHOR);
    expect(fact(card, 'On-prem sync')).toBe('Never synced');
    expect(fact(card, 'UPN domain')).toBe('contoso.com (Managed)');
    expect(cardTextJoined(card)).toContain('Read from the directory at 2026-03-02 15:00 UTC');
  });

  it('ready: one "Request clear" button (Execute notify.request with exactly { requestId: notificationId }, Submit fallback)', () => {
    expect(findActions(render())).toEqual([
      { type: 'Action.Execute', title: 'Request clear', verb: Verbs.requestFromNotification, data: { requestId: NOTIFICATION_ID }, isFallback: false },
      { type: 'Action.Submit', title: 'Request clear', data: { verb: 'notify.request', requestId: NOTIFICATION_ID }, isFallback: true },
    ]);
  });

  it.each([SYNCED, FEDERATED, EMPTY, ADMIN, GROUP])('blocked by %o: no button, says why', (blocker) => {
    const card = render({ blockers: [blocker] });
    expect(findActions(card)).toEqual([]);
    expect(cardTextJoined(card)).toContain("Why this can't be cleared");
  });

  it('names each blocker', () => {
    const text = cardTextJoined(render({ blockers: [SYNCED, FEDERATED, EMPTY, ADMIN, GROUP] }));
    expect(text).toContain('last sync: 2026-03-02 14:05 UTC');
    expect(text).toContain('The UPN is in fabrikam.com, a federated domain');
    expect(text).toContain('already empty');
    expect(text).toContain('This user holds Global Administrator; the bot refuses admin accounts unless ALLOW\\_PRIVILEGED\\_TARGETS=true.');
    expect(text).toContain('This user is in the protected group Tier0-Admins');
  });

  it('lookup failed: shows why instead of the facts, no button', () => {
    const card = render({ snapshot: undefined, lookupError: "I couldn't find **alice@contoso.com** in the directory." });
    expect(findActions(card)).toEqual([]);
    expect(fact(card, 'Object ID')).toBeUndefined();
    const text = cardTextJoined(card);
    expect(text).toContain("Couldn't look the user up");
    expect(text).toContain("I couldn't find **alice@contoso.com** in the directory.");
    expect(text).not.toContain('Read from the directory');
  });

  it('the lookup error is not shown when there is a snapshot', () => {
    expect(cardTextJoined(render({ lookupError: 'stale error' }))).not.toContain('stale error');
  });

  it('refuses a notification id that parseActionData would reject', () => {
    expect(() => render({ notificationId: 'short' })).toThrow(/notificationId/);
    expect(() => render({ notificationId: 'has a space in it, long enough' })).toThrow(/notificationId/);
  });

  it('escapes the reported values', () => {
    const card = render({ upn: 'x_y@contoso.com', error: '<at>Boss</at>', detail: '[click](https://evil) ${$root}' });
    expect(collectCardText(card)[0]).toBe('Entra Connect reported \u2039at\u203aBoss\u2039/at\u203a for x\\_y@contoso.com');
    expect(cardTextJoined(card)).toContain('\\[click\\]\\(https:\u2060//evil\\) $\u2060{$root}');
  });

  it('uses request-id-shaped notification ids (the fixture id is also valid)', () => {
    expect(() => render({ notificationId: REQUEST_ID })).not.toThrow();
  });
});

describe('renderSyncErrorCard for the sync-error watch', () => {
  const conflict = { property: 'UserPrincipalName', value: 'kim.lee@contoso.com', holder: { displayName: 'Kim Lee', userPrincipalName: 'kim.lee@contoso.com' } };

  it('shows which property conflicts with which value and who holds it, with Request clear', () => {
    const card = render({ upn: 'kim.lee4821@contoso.onmicrosoft.com', error: 'PropertyConflict', detail: '', conflict });
    expectValidCard(card);
    expect(fact(card, 'Property')).toBe('UserPrincipalName');
    expect(fact(card, 'Conflicting value')).toBe('kim.lee@contoso.com');
    expect(fact(card, 'Held by')).toBe('Kim Lee (kim.lee@contoso.com)');
    expect([...new Set(findActions(card).map((a) => a.title))]).toEqual(['Request clear']);
  });

  it('says when no user holds the value, and offers nothing', () => {
    const card = render({ error: 'PropertyConflict', detail: '', snapshot: undefined, conflict: { property: 'ProxyAddress', value: 'SMTP:sales@contoso.com' } });
    expectValidCard(card);
    expect(fact(card, 'Held by')).toMatch(/no user found/);
    expect(findActions(card)).toHaveLength(0);
  });

  it('a resolved error says so and has no button', () => {
    const card = render({ error: 'PropertyConflict', detail: '', snapshot: undefined, conflict, resolvedAt: '2026-03-02T14:05:00Z' });
    expectValidCard(card);
    expect(cardTextJoined(card)).toMatch(/Resolved/);
    expect(findActions(card)).toHaveLength(0);
  });
});
