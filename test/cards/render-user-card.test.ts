import { renderUserCard, Verbs, type UserCardButtons, type UserCardInput } from '../../src/cards';
import type { ClearBlocker } from '../../src/workflow/types';
import { cardTextJoined, collectCardText, findActions, findObjects } from './card-text';
import { ANCHOR_GUID, makeSnapshot, REQUEST_ID } from './fixtures';
import { expectValidCard } from './official-parser';

const SYNCED: ClearBlocker = { kind: 'synced', lastSyncDateTime: '2026-03-02T14:05:00Z' };
const FEDERATED: ClearBlocker = { kind: 'federated', domain: 'fabrikam.com' };
const EMPTY: ClearBlocker = { kind: 'already-empty' };
const ADMIN: ClearBlocker = { kind: 'protected', reason: 'privileged-role', detail: 'Global Administrator' };
const GROUP: ClearBlocker = { kind: 'protected', reason: 'protected-group', detail: 'Tier0-Admins' };
const ALL_BUTTONS: UserCardButtons = { approve: true, reject: true, cancel: true, addReason: true };

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

  variants.push(
    ['all buttons', { buttons: ALL_BUTTONS }],
    ['approvers channel', { buttons: { approve: true, reject: true, cancel: false }, approveTitle: 'Approve & clear', refreshUserIds: ['29:a', '29:b'] }],
    ['requester view', { buttons: { approve: false, reject: false, cancel: true, addReason: true }, showRequestId: true, refreshUserIds: [] }],
    ['no buttons at all', { buttons: { approve: false, reject: false, cancel: false, addReason: false } }],
    ['reason and approvals', { reason: 'INC0012345 — user re-hired', approvals: [{ name: 'Adele Approver', at: '2026-11-25T14:05:00Z' }], requiredApprovals: 2 }],
    ['privileged-role blocker', { blockers: [ADMIN] }],
    ['protected-group blocker', { blockers: [GROUP] }],
    ['every blocker', { blockers: [SYNCED, FEDERATED, EMPTY, ADMIN, GROUP], showRequestId: true, refreshUserIds: ['29:a'] }],
    [
      'long values in the new fields',
      {
        buttons: ALL_BUTTONS,
        approveTitle: 'A'.repeat(500),
        reason: '*'.repeat(5000),
        approvals: Array.from({ length: 40 }, (_, i) => ({ name: `${'['.repeat(300)}${i}`, at: 'x'.repeat(300) })),
        requiredApprovals: 99,
        refreshUserIds: Array.from({ length: 500 }, (_, i) => `29:${'u'.repeat(100)}${i}`),
        showRequestId: true,
        requestId: 'Z'.repeat(128),
        snapshot: makeSnapshot({ user: { displayName: '*'.repeat(5000), userPrincipalName: '_'.repeat(5000) } }),
      },
    ],
    [
      'long protected details',
      {
        blockers: [SYNCED, { kind: 'federated', domain: 'd'.repeat(5000) }, EMPTY, ...Array.from({ length: 30 }, (_, i): ClearBlocker => ({ kind: 'protected', reason: i % 2 ? 'privileged-role' : 'protected-group', detail: '_'.repeat(5000) }))],
        reason: '\\'.repeat(5000),
        approvals: Array.from({ length: 40 }, () => ({ name: '😀'.repeat(500), at: '2026-11-25T14:05:00Z' })),
        requiredApprovals: 2,
        showRequestId: true,
        notice: 'n'.repeat(5000),
        requestedBy: 'r'.repeat(5000),
        snapshot: makeSnapshot({
          user: { displayName: '*'.repeat(5000), userPrincipalName: '_'.repeat(5000), userType: 'x'.repeat(500) },
          domain: { id: '['.repeat(5000), authenticationType: 'Unknown' },
          roles: Array.from({ length: 80 }, (_, i) => ({ displayName: `Role ${i} ${'('.repeat(300)}`, roleTemplateId: null })),
        }),
      },
    ],
  );

  it.each(variants)('%s: passes the official parser and fits in 28 KB', (_name, overrides) => {
    expectValidCard(render(overrides));
  });

  it('confirm card: Confirm is an Action.Execute with exactly { requestId }, with a Submit fallback carrying the verb', () => {
    const actions = findActions(render());
    const confirm = actions.find((a) => a.title === 'Confirm' && !a.isFallback);
    expect(confirm).toEqual({ type: 'Action.Execute', title: 'Confirm', verb: Verbs.approve, data: { requestId: REQUEST_ID }, isFallback: false });
    const cancel = actions.find((a) => a.title === 'Cancel' && !a.isFallback);
    expect(cancel).toEqual({ type: 'Action.Execute', title: 'Cancel', verb: Verbs.cancel, data: { requestId: REQUEST_ID }, isFallback: false });
    const fallbacks = actions.filter((a) => a.isFallback);
    expect(fallbacks).toEqual([
      { type: 'Action.Submit', title: 'Confirm', data: { verb: 'request.approve', requestId: REQUEST_ID }, isFallback: true },
      { type: 'Action.Submit', title: 'Reject request', data: { verb: 'request.reject', requestId: REQUEST_ID }, isFallback: true },
      { type: 'Action.Submit', title: 'Cancel', data: { verb: 'request.cancel', requestId: REQUEST_ID }, isFallback: true },
    ]);
  });

  it('every Action.Execute has exactly { requestId } and a Submit fallback with the same title and { verb, requestId }', () => {
    const card = render({ buttons: ALL_BUTTONS });
    const executes = findObjects(card, (o) => o.type === 'Action.Execute');
    expect(executes.map((e) => e.verb)).toEqual([Verbs.approve, Verbs.reject, Verbs.addReason, Verbs.cancel]);
    for (const e of executes) {
      expect(e.data).toEqual({ requestId: REQUEST_ID });
      expect(e.fallback).toMatchObject({ type: 'Action.Submit', title: e.title, data: { verb: e.verb, requestId: REQUEST_ID } });
      expect(Object.keys((e.fallback as { data: object }).data).sort()).toEqual(['requestId', 'verb']);
    }
  });

  it('shows the user state as facts', () => {
    const card = render();
    expect(fact(card, 'Display name')).toBe('Alice Smith');
    expect(fact(card, 'UPN')).toBe('alice@contoso.com');
    expect(fact(card, 'Object ID')).toBe('00aa00aa-bb11-cc22-dd33-44ee44ee44ee');
    expect(fact(card, 'Primary SMTP')).toBe('alice.smith@contoso.com');
    expect(fact(card, 'Immutable ID')).toBe('yYuRNW0Z6kCXeYidebdT8A==');
    expect(fact(card, 'On-prem GUID')).toBe(ANCHOR_GUID);
    expect(fact(card, 'On-prem sync')).toBe('No — sync stopped (was synced)');
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
      fact(render({ snapshot: makeSnapshot({ user: { onPremisesSyncEnabled: enabled } }) }), 'On-prem sync');
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
    [FEDERATED, [/Why this can't be cleared/, /fabrikam\.com, a federated domain/, /FederatedUser\.SourceAnchor/, /\.onmicrosoft\.com/, /switch it back to fabrikam\.com yourself/, /by object id, since the UPN has changed: clear immutable id for [0-9a-f-]{36}/, /the UPN returns to fabrikam\.com by itself/]],
    [EMPTY, [/Nothing to clear: the immutable ID of Alice Smith is already empty/, /already empty/, /delta sync/, /Start-ADSyncSyncCycle -PolicyType Delta/]],
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

  describe('buttons', () => {
    /** The titles of the buttons on the card itself (not inside a ShowCard, not fallbacks). */
    function topButtons(card: Record<string, unknown>): string[] {
      const sets = findObjects(card.body, (o) => o.type === 'ActionSet');
      return sets.flatMap((set) => (set.actions as Array<{ title: string }>).map((a) => a.title));
    }

    const showCard = (card: unknown, title: string): Record<string, unknown> | undefined =>
      findObjects(card, (o) => o.type === 'Action.ShowCard' && o.title === title)[0];

    it('default: Confirm, Reject, Cancel (no Add reason)', () => {
      expect(topButtons(render())).toEqual(['Confirm', 'Reject', 'Cancel']);
      expect(topButtons(render({ buttons: {} }))).toEqual(['Confirm', 'Reject', 'Cancel']);
      // An omitted key keeps its default.
      expect(topButtons(render({ buttons: { addReason: true } }))).toEqual(['Confirm', 'Reject', 'Add reason', 'Cancel']);
      expect(topButtons(render({ buttons: { cancel: false } }))).toEqual(['Confirm', 'Reject']);
    });

    const flags = [false, true];
    const matrix = flags.flatMap((approve) =>
      flags.flatMap((reject) => flags.flatMap((cancel) => flags.map((addReason) => ({ approve, reject, cancel, addReason })))),
    );
    it.each(matrix)('matrix %o: exactly the chosen buttons, parser-clean', (buttons) => {
      const card = render({ buttons, approveTitle: 'Approve & clear' });
      expectValidCard(card);
      const expected = [
        ...(buttons.approve ? ['Approve & clear'] : []),
        ...(buttons.reject ? ['Reject'] : []),
        ...(buttons.addReason ? ['Add reason'] : []),
        ...(buttons.cancel ? ['Cancel'] : []),
      ];
      expect(topButtons(card)).toEqual(expected);
      const verbs = findActions(card).filter((a) => a.type === 'Action.Execute').map((a) => a.verb);
      expect(verbs.includes(Verbs.approve)).toBe(buttons.approve);
      expect(verbs.includes(Verbs.reject)).toBe(buttons.reject);
      expect(verbs.includes(Verbs.addReason)).toBe(buttons.addReason);
      expect(verbs.includes(Verbs.cancel)).toBe(buttons.cancel);
      // The "what confirming does" note belongs to the approve button.
      expect(cardTextJoined(card).includes('sets the immutable ID to empty')).toBe(buttons.approve);
      if (expected.length === 0) expect(findObjects(card, (o) => o.type === 'ActionSet')).toEqual([]);
    });

    it.each<[string, Partial<UserCardInput>]>([
      ['blocked', { blockers: [SYNCED] }],
      ['protected', { blockers: [ADMIN] }],
      ['no requestId', { requestId: undefined }],
      ['show', { purpose: 'show' }],
    ])('%s: no buttons whatever `buttons` says', (_name, overrides) => {
      expect(findActions(render({ ...overrides, buttons: ALL_BUTTONS }))).toEqual([]);
    });

    it('approveTitle names the approve button and its fallback', () => {
      const card = render({ approveTitle: 'Approve & clear' });
      const approve = findObjects(card, (o) => o.verb === Verbs.approve)[0];
      expect(approve).toMatchObject({ type: 'Action.Execute', title: 'Approve & clear', style: 'destructive' });
      expect(approve?.fallback).toMatchObject({ type: 'Action.Submit', title: 'Approve & clear', style: 'destructive' });
      expect(findObjects(render({ approveTitle: '   ' }), (o) => o.verb === Verbs.approve)[0]?.title).toBe('Confirm');
    });

    it('Reject is a ShowCard with a required reason and an Execute carrying exactly { requestId }', () => {
      const reject = showCard(render(), 'Reject');
      expect(reject).toBeDefined();
      const inner = reject?.card as { type: string; body: unknown[]; actions: unknown[] };
      expect(inner.type).toBe('AdaptiveCard');
      expect(inner.body).toEqual([
        {
          type: 'Input.Text',
          id: 'rejectReason',
          label: 'Reason for rejecting',
          isRequired: true,
          errorMessage: 'A reason is required to reject',
          placeholder: 'Why? The requester will see this.',
          maxLength: 500,
          isMultiline: true,
        },
      ]);
      expect(inner.actions).toEqual([
        {
          type: 'Action.Execute',
          title: 'Reject request',
          verb: 'request.reject',
          data: { requestId: REQUEST_ID },
          fallback: { type: 'Action.Submit', title: 'Reject request', data: { verb: 'request.reject', requestId: REQUEST_ID } },
        },
      ]);
    });

    it('Add reason is a ShowCard with a reason input and an Execute for request.reason', () => {
      const add = showCard(render({ buttons: { addReason: true } }), 'Add reason');
      const inner = add?.card as { body: Array<Record<string, unknown>>; actions: Array<Record<string, unknown>> };
      expect(inner.body).toEqual([
        { type: 'Input.Text', id: 'reason', label: 'Reason or ticket', placeholder: 'Reason or ticket id, e.g. INC0012345', maxLength: 500 },
      ]);
      expect(inner.actions[0]).toMatchObject({ type: 'Action.Execute', verb: 'request.reason', data: { requestId: REQUEST_ID } });
      expect(inner.actions[0]?.data).toEqual({ requestId: REQUEST_ID });
      expect(inner.actions[0]?.fallback).toEqual({ type: 'Action.Submit', title: 'Save reason', data: { verb: 'request.reason', requestId: REQUEST_ID } });
    });
  });

  describe('reason and approvals', () => {
    it('shows the reason, escaped', () => {
      const text = cardTextJoined(render({ reason: 'INC0012345 [x](http://evil) <at>Boss</at>' }));
      expect(text).toContain('Reason: INC0012345 \\[x\\]\\(http:\u2060//evil\\) \u2039at\u203aBoss\u2039/at\u203a');
      expect(cardTextJoined(render())).not.toContain('Reason:');
      expect(cardTextJoined(render({ reason: '   ' }))).not.toContain('Reason:');
    });

    it('shows "Approvals: n of m — who (when)" when more than one approval is needed or some exist', () => {
      const adele = { name: 'Adele Approver', at: '2026-11-25T14:05:00Z' };
      expect(cardTextJoined(render({ approvals: [adele], requiredApprovals: 2 }))).toContain('Approvals: 1 of 2 — Adele Approver (2026-11-25 14:05 UTC)');
      expect(cardTextJoined(render({ approvals: [], requiredApprovals: 2 }))).toContain('Approvals: 0 of 2');
      expect(cardTextJoined(render({ approvals: [adele, { name: 'Ben_B', at: '2026-11-25T14:07:00Z' }], requiredApprovals: 3 }))).toContain(
        'Approvals: 2 of 3 — Adele Approver (2026-11-25 14:05 UTC), Ben\\_B (2026-11-25 14:07 UTC)',
      );
      expect(cardTextJoined(render({ approvals: [adele] }))).toContain('Approvals: 1 — Adele Approver');
      expect(cardTextJoined(render({ approvals: [], requiredApprovals: 1 }))).not.toContain('Approvals');
      expect(cardTextJoined(render())).not.toContain('Approvals');
    });

    it('explains that several approvers are needed on the approve note', () => {
      expect(cardTextJoined(render({ requiredApprovals: 2 }))).toContain('Once 2 different approvers approve');
      expect(cardTextJoined(render())).toContain('Confirming sets the immutable ID to empty');
    });
  });

  describe('refresh', () => {
    const refreshOf = (card: Record<string, unknown>): unknown => card.refresh;

    it('is absent unless refreshUserIds is given with a requestId', () => {
      expect(refreshOf(render())).toBeUndefined();
      expect(refreshOf(render({ requestId: undefined, refreshUserIds: ['29:a'] }))).toBeUndefined();
    });

    it('refreshes the request for the given users', () => {
      expect(refreshOf(render({ refreshUserIds: ['29:a', '8:orgid:b'] }))).toEqual({
        action: { type: 'Action.Execute', verb: 'request.refresh', data: { requestId: REQUEST_ID } },
        userIds: ['29:a', '8:orgid:b'],
      });
    });

    it('keeps an empty list (nobody is refreshed automatically)', () => {
      const card = render({ refreshUserIds: [] });
      expect(refreshOf(card)).toEqual({ action: { type: 'Action.Execute', verb: 'request.refresh', data: { requestId: REQUEST_ID } }, userIds: [] });
      expectValidCard(card);
    });

    it('caps userIds at 60, dropping blanks and duplicates first', () => {
      const ids = Array.from({ length: 100 }, (_, i) => `29:user-${i}`);
      const card = render({ refreshUserIds: ['', '  ', ids[0] ?? '', ...ids] });
      const userIds = (refreshOf(card) as { userIds: string[] }).userIds;
      expect(userIds).toHaveLength(60);
      expect(userIds).toEqual(ids.slice(0, 60));
      expectValidCard(card);
    });

    it('is added on a blocked card too (the view can change when the user does)', () => {
      expect(refreshOf(render({ blockers: [SYNCED], refreshUserIds: ['29:a'] }))).toBeDefined();
    });
  });

  describe('request id', () => {
    it('shows the id and how to withdraw when asked', () => {
      const card = render({ showRequestId: true });
      expect(fact(card, 'Request ID')).toBe('req\\_0123456789abcdef-XYZ');
      expect(cardTextJoined(card)).toContain('Send “cancel req\\_0123456789abcdef-XYZ” to withdraw it.');
    });

    it('is hidden by default and without a requestId', () => {
      expect(fact(render(), 'Request ID')).toBeUndefined();
      expect(fact(render({ showRequestId: true, requestId: undefined }), 'Request ID')).toBeUndefined();
      expect(cardTextJoined(render({ showRequestId: true, requestId: undefined }))).not.toContain('withdraw');
    });
  });

  describe('protected blocker', () => {
    it('privileged role: names the role, explains the takeover risk and the setting, no buttons', () => {
      const card = render({ blockers: [ADMIN] });
      expect(findActions(card)).toEqual([]);
      const text = cardTextJoined(card);
      expect(text).toContain("Why this can't be cleared");
      expect(text).toContain('Protected account');
      expect(text).toContain(
        'This user holds Global Administrator. Changing the anchor of an admin lets whoever controls the matching on-premises account take it over through a hard match, so the bot refuses unless ALLOW\\_PRIVILEGED\\_TARGETS=true. What to do: ask your Entra administrator to make this change, or to remove the roles first.',
      );
      expect(text).not.toContain('protected group');
    });

    it('protected group: names the group', () => {
      const text = cardTextJoined(render({ blockers: [GROUP] }));
      expect(text).toContain('This user is in the protected group Tier0-Admins; the bot never changes members of that group.');
      expect(text).not.toContain('This user holds');
    });

    it('lists several, escaped, with blanks described', () => {
      const text = cardTextJoined(
        render({
          blockers: [
            ADMIN,
            { kind: 'protected', reason: 'privileged-role', detail: 'Privileged *Role* Administrator' },
            { kind: 'protected', reason: 'protected-group', detail: ' ' },
          ],
        }),
      );
      expect(text).toContain('This user holds Global Administrator, Privileged \\*Role\\* Administrator.');
      expect(text).toContain('protected group (name not recorded);');
      expect(cardTextJoined(render({ blockers: [{ kind: 'protected', reason: 'privileged-role', detail: '' }] }))).toContain('This user holds an admin role.');
    });
  });

  describe('reason blocks', () => {
    const TITLES: Array<[ClearBlocker, string]> = [
      [ADMIN, 'Protected account'],
      [SYNCED, 'Still synced from on-premises'],
      [FEDERATED, 'Federated sign-in domain'],
      [EMPTY, 'Nothing to clear'],
    ];

    /** The blocks under the "Why this can't be cleared" / "What to do instead" heading, in order. */
    function reasonBlocks(card: unknown): Array<Record<string, unknown>> {
      const [container] = findObjects(
        card,
        (o) => o.type === 'Container' && Array.isArray(o.items) && /^(Why this can't be cleared|What to do instead)$/.test(String((o.items as Array<{ text?: unknown }>)[0]?.text)),
      );
      return ((container?.items ?? []) as Array<Record<string, unknown>>).slice(1);
    }

    // Every combination of the four blocks (already-empty and federated never come together from
    // assessClear, but the card must still draw them right).
    const combos = Array.from({ length: 15 }, (_, mask) => TITLES.filter((_t, i) => ((mask + 1) >> i) & 1));
    it.each(combos.map((c) => [c.map(([, t]) => t).join(' + '), c] as const))('%s: a line only between blocks, never under the heading', (_name, combo) => {
      const card = render({ blockers: combo.map(([b]) => b) });
      expectValidCard(card);
      const blocks = reasonBlocks(card);
      // Alone on a clear card, the already-empty block drops its title (the headline says it).
      const titleOf = (block: unknown): string | undefined => {
        const first = collectCardText(block)[0];
        return first?.startsWith('The immutable ID is already empty') ? 'Nothing to clear' : first;
      };
      expect(blocks.map(titleOf)).toEqual(combo.map(([, title]) => title));
      expect(blocks.map((b) => b.separator === true)).toEqual(blocks.map((_b, i) => i > 0));
      // false is the default and never written out (the official serializer drops it).
      for (const b of blocks) expect(b.separator === undefined || b.separator === true).toBe(true);
    });

    it('federated alone: no line between the heading and "Federated sign-in domain" (like the synced card)', () => {
      for (const blocker of [FEDERATED, SYNCED, EMPTY, ADMIN, GROUP]) {
        const [first] = reasonBlocks(render({ blockers: [blocker] }));
        expect(first).toBeDefined();
        expect(first).not.toHaveProperty('separator');
      }
    });

    it('the protected block comes first (the bot refuses it whatever else is fixed), one block for role and group', () => {
      const blocks = reasonBlocks(render({ blockers: [SYNCED, FEDERATED, GROUP, ADMIN] }));
      expect(blocks.map((b) => collectCardText(b)[0])).toEqual(['Protected account', 'Still synced from on-premises', 'Federated sign-in domain']);
      expect(collectCardText(blocks[0]).join('\n')).toMatch(/holds Global Administrator[\s\S]*protected group Tier0-Admins/);
      expect(blocks.map((b) => b.separator)).toEqual([undefined, true, true]);
    });
  });

  describe('headline and who', () => {
    /** The first heading-style TextBlock. */
    const headline = (card: unknown): unknown => findObjects(card, (o) => o.type === 'TextBlock' && o.style === 'heading')[0]?.text;

    it('already-empty alone: says there is nothing to clear, calmly, and what to do instead', () => {
      const card = render({ blockers: [EMPTY], snapshot: makeSnapshot({ user: { onPremisesImmutableId: null } }) });
      expect(headline(card)).toBe('Nothing to clear: the immutable ID of Alice Smith is already empty');
      const text = cardTextJoined(card);
      expect(text).not.toMatch(/can't be cleared/);
      expect(text).toContain('What to do instead');
      expect(text).toMatch(/already empty/i);
      expect(text).toMatch(/delta sync/i);
      expect(text).toContain('Start-ADSyncSyncCycle -PolicyType Delta');
      // Said once in the headline; not repeated as a block title.
      expect(collectCardText(card).filter((t) => t === 'Nothing to clear')).toEqual([]);
      expect(findObjects(card, (o) => o.type === 'Container' && o.style === 'attention')).toEqual([]);
    });

    it('already-empty with another reason, or any other reason: "can\'t be cleared right now"', () => {
      for (const blockers of [[SYNCED], [FEDERATED], [ADMIN], [SYNCED, EMPTY], [GROUP, EMPTY]]) {
        const card = render({ blockers });
        expect(headline(card)).toBe("The immutable ID of Alice Smith can't be cleared right now");
        expect(cardTextJoined(card)).toContain("Why this can't be cleared");
      }
      expect(collectCardText(render({ blockers: [SYNCED, EMPTY] }))).toContain('Nothing to clear');
      expect(headline(render())).toBe('Clear the immutable ID of Alice Smith?');
    });

    it('a show card of a user with no immutable ID: titled with the name, a positive "ready to match" state, no red box', () => {
      const card = render({ purpose: 'show', requestId: undefined, blockers: [EMPTY] });
      expectValidCard(card);
      expect(headline(card)).toBe('Alice Smith');
      const text = cardTextJoined(card);
      expect(text).toContain('No immutable ID: ready to match');
      expect(text).not.toMatch(/can't be cleared/);
      expect(findObjects(card, (o) => o.style === 'attention')).toEqual([]);
      expect(findObjects(card, (o) => o.type === 'Container' && o.style === 'good')).toHaveLength(1);
    });

    it('a show card of a user who cannot be cleared keeps the attention box', () => {
      const card = render({ purpose: 'show', requestId: undefined, blockers: [SYNCED, EMPTY] });
      expect(cardTextJoined(card)).toContain("Why this can't be cleared");
      expect(findObjects(card, (o) => o.type === 'Container' && o.style === 'attention')).toHaveLength(1);
    });

    it('"Looked up by" on a blocked card (no request was made), "Requested by" on a request', () => {
      const blocked = cardTextJoined(render({ blockers: [SYNCED], requestId: undefined }));
      expect(blocked).toContain('Looked up by Harry Helpdesk');
      expect(blocked).not.toContain('Requested by');
      expect(cardTextJoined(render({ blockers: [EMPTY] }))).toContain('Looked up by Harry Helpdesk');
      expect(cardTextJoined(render({ purpose: 'show', requestId: undefined }))).toContain('Looked up by Harry Helpdesk');
      const request = cardTextJoined(render());
      expect(request).toContain('Requested by Harry Helpdesk');
      expect(request).not.toContain('Looked up by');
      expect(cardTextJoined(render({ blockers: [SYNCED], requestedBy: '_x_' }))).toContain('Looked up by \\_x\\_');
    });
  });

  describe('admin roles, for the helpdesk reader', () => {
    const admin = makeSnapshot({ roles: [{ displayName: 'Global Administrator', roleTemplateId: '62e90394-69f5-4237-9190-012177145e10' }] });

    it('says what to do and whom to ask, in a warning box with the default (readable) text colour', () => {
      const card = render({ snapshot: admin, purpose: 'show', requestId: undefined, blockers: [] });
      const text = cardTextJoined(card);
      expect(text).toMatch(/Admin roles block soft matching/);
      expect(text).toMatch(/What to do: ask your Entra administrator \(a Privileged Role Administrator or Global Administrator\) to remove these roles/);
      expect(text).toContain('(Global Administrator)');
      // Yellow text on a light card is hard to read: no TextBlock uses the Warning colour.
      expect(findObjects(card, (o) => o.type === 'TextBlock' && String(o.color ?? '').toLowerCase() === 'warning')).toEqual([]);
      expect(text).not.toMatch(/blocks taking over cloud accounts/);
    });

    it('says when the tenant blocks hard-match takeover too', () => {
      const card = render({ snapshot: admin, purpose: 'show', requestId: undefined, blockers: [], takeoverBlocked: true });
      expectValidCard(card);
      expect(cardTextJoined(card)).toMatch(/This tenant also blocks taking over cloud accounts through a hard match \(blockCloudObjectTakeoverThroughHardMatchEnabled\)/);
    });

    it('reads the takeover block from the tenant sync flags read with the snapshot', () => {
      const flags = { blockSoftMatchEnabled: false, softMatchOnUpnEnabled: true, blockCloudObjectTakeoverThroughHardMatchEnabled: true };
      const snapshot = { ...admin, tenantSync: { kind: 'read' as const, flags } };
      expect(cardTextJoined(render({ snapshot, purpose: 'show', requestId: undefined, blockers: [] }))).toMatch(/This tenant also blocks taking over cloud accounts/);
    });

    it('the protected-account refusal tells the helpdesk whom to ask', () => {
      expect(cardTextJoined(render({ snapshot: admin, blockers: [ADMIN] }))).toMatch(/What to do: ask your Entra administrator to make this change, or to remove the roles first/);
    });
  });

  describe('admin target (allowed by ALLOW_PRIVILEGED_TARGETS)', () => {
    const admin = makeSnapshot({ roles: [{ displayName: 'Global Administrator', roleTemplateId: '62e90394-69f5-4237-9190-012177145e10' }] });
    const NOTE = /needs the bot's app to hold the Privileged Authentication Administrator role; without it Microsoft Graph answers 403 and nothing changes/;

    it('says the app needs Privileged Authentication Administrator, next to the soft-match warning', () => {
      const card = render({ snapshot: admin });
      expectValidCard(card);
      const texts = collectCardText(card);
      const warning = texts.findIndex((t) => /Admin roles block soft matching/.test(t));
      const note = texts.findIndex((t) => NOTE.test(t));
      expect(warning).toBeGreaterThanOrEqual(0);
      // Right after the warning's own lines (what it means, what to do).
      expect(note).toBeGreaterThan(warning);
      expect(note).toBeLessThanOrEqual(warning + 3);
      expect(findActions(card).some((a) => a.verb === Verbs.approve)).toBe(true);
    });

    it('only on a clearable card of a user with admin roles', () => {
      expect(cardTextJoined(render())).not.toMatch(NOTE);
      expect(cardTextJoined(render({ snapshot: makeSnapshot({ roles: null }) }))).not.toMatch(NOTE);
      expect(cardTextJoined(render({ snapshot: admin, blockers: [ADMIN] }))).not.toMatch(NOTE);
      expect(cardTextJoined(render({ snapshot: admin, purpose: 'show', requestId: undefined }))).not.toMatch(NOTE);
    });
  });
});
