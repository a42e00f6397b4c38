/** Each change kind's plan and assessment, as pure functions. */
import type { DirectoryUser, UserSnapshot } from '../../src/directory/types';
import { CHANGE_KINDS, kindModule, type AssessContext } from '../../src/workflow/change-kinds';

const ANCHOR = 'yYuRNW0Z6kCXeYidebdT8A==';
const OTHER = 'qgCqABG7IszdM0TuRO5E7g==';

function snapshot(user: Partial<DirectoryUser> = {}): UserSnapshot {
  return {
    user: {
      id: 'u1',
      displayName: 'Alice',
      userPrincipalName: 'alice@contoso.com',
      mail: null,
      onPremisesImmutableId: ANCHOR,
      onPremisesSyncEnabled: null,
      onPremisesLastSyncDateTime: null,
      onPremisesUserPrincipalName: null,
      accountEnabled: true,
      userType: 'Member',
      proxyAddresses: [],
      ...user,
    },
    domain: { id: 'contoso.com', authenticationType: 'Managed' },
    roles: [],
    readAt: '2026-03-02T15:00:00Z',
  };
}
const context = (holders: DirectoryUser[] = []): AssessContext => ({ protection: { allowPrivilegedTargets: false }, holders });

it('has one module per kind, each naming itself and ending with verify', () => {
  for (const [kind, module] of Object.entries(CHANGE_KINDS)) {
    expect(module.kind).toBe(kind);
    expect(module.steps[module.steps.length - 1]).toBe('verify');
  }
  expect(() => kindModule('no-such-kind' as never)).toThrow(/unknown change kind/);
});

describe('clear-immutable-id', () => {
  const clear = kindModule('clear-immutable-id');
  it('plans the value shown → null', () => {
    expect(clear.plan(snapshot(), {})).toEqual([{ attribute: 'onPremisesImmutableId', before: ANCHOR, after: null }]);
  });
  it('is blocked for a synced user, an empty value, a federated domain', () => {
    expect(clear.assess(snapshot({ onPremisesSyncEnabled: true }), [], context()).map((b) => b.kind)).toEqual(['synced']);
    expect(clear.assess(snapshot({ onPremisesImmutableId: null }), [], context()).map((b) => b.kind)).toEqual(['already-empty']);
    expect(clear.assess({ ...snapshot(), domain: { id: 'fabrikam.com', authenticationType: 'Federated' } }, [], context()).map((b) => b.kind)).toEqual(['federated']);
  });
});

describe('set-immutable-id', () => {
  const set = kindModule('set-immutable-id');
  it('plans the current value → the new anchor', () => {
    expect(set.plan(snapshot(), { immutableId: OTHER })).toEqual([{ attribute: 'onPremisesImmutableId', before: ANCHOR, after: OTHER }]);
  });
  it('names the user who holds the value, and refuses the value the user already has', () => {
    const holder = { ...snapshot().user, id: 'u2', userPrincipalName: 'bob@contoso.com', displayName: 'Bob' };
    const changes = set.plan(snapshot(), { immutableId: OTHER });
    expect(set.assess(snapshot(), changes, context([holder]))).toEqual([{ kind: 'value-taken', heldBy: { id: 'u2', userPrincipalName: 'bob@contoso.com', displayName: 'Bob' } }]);
    expect(set.assess(snapshot(), set.plan(snapshot(), { immutableId: ANCHOR }), context()).map((b) => b.kind)).toEqual(['same-value']);
    expect(set.checksUniqueness).toBe(true);
  });
});

describe('undo', () => {
  const undo = kindModule('undo');
  const cleared = [{ attribute: 'onPremisesImmutableId' as const, before: ANCHOR, after: null }];
  it('plans the reverse of the recorded change', () => {
    expect(undo.plan(snapshot({ onPremisesImmutableId: null }), { reverse: cleared })).toEqual([{ attribute: 'onPremisesImmutableId', before: null, after: ANCHOR }]);
  });
  it('is refused when the value is no longer what the change wrote', () => {
    const changes = undo.plan(snapshot(), { reverse: cleared });
    expect(undo.assess(snapshot({ onPremisesImmutableId: OTHER }), changes, context())).toEqual([
      { kind: 'changed-since', attribute: 'onPremisesImmutableId', expected: null, current: OTHER },
    ]);
    expect(undo.assess(snapshot({ onPremisesImmutableId: null }), changes, context())).toEqual([]);
    expect(undo.planAgain(snapshot(), {} as never)).toBeNull();
  });
});
