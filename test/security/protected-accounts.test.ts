/**
 * Threat: a helpdesk request (or a compromised helpdesk account plus a hurried approver) takes
 * over an administrator through hard matching: clear the admin's anchor, then let an on-premises
 * object the attacker controls match it.
 *
 * Members of PROTECTED_GROUP_ID (transitively) and holders of privileged directory roles are
 * refused unless ALLOW_PRIVILEGED_TARGETS=true; refusals make zero PATCH. Protection is checked
 * again when the change runs, and fails closed when it cannot be checked.
 */
import { ROLE_TEMPLATES, SANDBOX_GROUPS, SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS } from '../../src/sandbox';
import { findActions } from '../cards/card-text';
import { Harness, HELPDESK, startHarness } from '../helpers/bot-harness';
import { cardText, lastCard, lastText, patches, requestClear, writes } from '../helpers/security-helpers';

/** Adele and Aaron (approvers, nested in "Protected accounts") get an anchor so only protection blocks them. */
const PLANTED_ANCHOR = 'qgCqABG7IszdM0TuRO5E7g==';
function anchorApprovers(h: Harness): void {
  for (const id of [SANDBOX_USERS.adele, SANDBOX_USERS.aaron]) {
    const user = h.sandbox.getUser(id)!;
    user.onPremisesImmutableId = PLANTED_ANCHOR;
    user.onPremisesSyncEnabled = false;
  }
}

const hasConfirm = (card: Record<string, unknown>) => findActions(card).some((a) => a.verb === 'request.approve');

function expectRefused(h: Harness, reason: RegExp): void {
  const card = lastCard(h);
  expect(hasConfirm(card)).toBe(false);
  expect(cardText(card)).toMatch(reason);
  expect(writes(h.sandbox)).toHaveLength(0);
  expect(h.audit.entries.filter((e) => e.event === 'request.created')).toHaveLength(0);
}

describe('by default (ALLOW_PRIVILEGED_TARGETS unset), with PROTECTED_GROUP_ID set', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ PROTECTED_GROUP_ID: SANDBOX_GROUPS.protectedAccounts, RATE_LIMIT_PER_MINUTE: '10000' });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.sandbox.reset();
    h.connector.clear();
    h.audit.entries.length = 0;
    anchorApprovers(h);
  });

  it.each([
    ['UPN', 'dave@contoso.com'],
    ['object id', SANDBOX_USERS.dave],
    ['secondary proxy address', 'dave.admin@contoso.com'],
  ])('refuses dave (Global Administrator) named by %s, with no request and no PATCH', async (_how, who) => {
    await h.say(`clear immutable id for ${who}`, { from: HELPDESK });
    expectRefused(h, /Global Administrator/);
  });

  it.each([
    ['adele', 'adele.approver@contoso.com'],
    ['aaron', 'aaron.approver@contoso.com'],
  ])('refuses %s, a member of the protected group only through a nested group', async (_name, upn) => {
    await h.say(`clear immutable id for ${upn}`, { from: HELPDESK });
    expectRefused(h, /protected/i);
    // Asked Graph for transitive membership of exactly the protected group.
    const checks = h.sandbox.requests().filter((r) => r.path.endsWith('/checkMemberGroups'));
    expect(checks.some((c) => JSON.stringify(c.body) === JSON.stringify({ groupIds: [SANDBOX_GROUPS.protectedAccounts] }))).toBe(true);
  });

  it('refuses a user holding another admin role (User Administrator), not just Global Administrator', async () => {
    h.sandbox.getUser(SANDBOX_USERS.alice)!.roleTemplateIds = [ROLE_TEMPLATES.userAdministrator];
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    expectRefused(h, /User Administrator/);
  });

  it('still lets an ordinary user through (the gate is not "refuse everyone")', async () => {
    await requestClear(h, 'alice@contoso.com');
    expect(hasConfirm(lastCard(h))).toBe(true);
  });

  it('re-checks when the change runs: a user who became an admin after the request is not changed', async () => {
    const { requestId } = await requestClear(h, 'alice@contoso.com');
    h.sandbox.getUser(SANDBOX_USERS.alice)!.roleTemplateIds = [ROLE_TEMPLATES.globalAdministrator];
    const { body } = await h.tap('clear.confirm', { requestId });
    expect(patches(h.sandbox)).toHaveLength(0);
    expect(cardText(body.value)).toMatch(/Global Administrator/);
    expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
    expect(h.audit.entries.map((e) => e.event)).toContain('change.stale');
  });

  it('re-checks the protected group when the change runs: a user added to it after the request is not changed', async () => {
    const { requestId } = await requestClear(h, 'alice@contoso.com');
    h.sandbox.getGroup(SANDBOX_GROUPS.protectedAccounts)!.memberIds.push(SANDBOX_USERS.alice);
    const { body } = await h.tap('clear.confirm', { requestId });
    expect(patches(h.sandbox)).toHaveLength(0);
    expect(cardText(body.value)).toMatch(/protected/i);
    expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  });

  it('asks about the protected group inside the look-up batch: a lookup and the re-read before the write are one round trip each', async () => {
    const topLevel = () => h.sandbox.requests().filter((r) => !r.viaBatch && r.path.startsWith('/v1.0/'));
    const { requestId } = await requestClear(h, 'alice@contoso.com');
    expect(topLevel().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v1.0/$batch']);
    const check = h.sandbox.requests().find((r) => r.viaBatch && r.path.endsWith('/checkMemberGroups'));
    expect(check?.body).toEqual({ groupIds: [SANDBOX_GROUPS.protectedAccounts] });
    h.sandbox.clearRequests();
    await h.tap('clear.confirm', { requestId });
    expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBeNull();
    // Re-read with roles, domain and the protected-group check in one $batch, then PATCH, then one verify read.
    expect(topLevel().map((r) => `${r.method} ${r.path.replace(SANDBOX_USERS.alice, '{id}')}`)).toEqual(['POST /v1.0/$batch', 'PATCH /v1.0/users/{id}', 'GET /v1.0/users/{id}']);
    expect(h.sandbox.requests().filter((r) => r.viaBatch && r.path.endsWith('/checkMemberGroups'))).toHaveLength(1);
  });

  it('fails closed when the roles cannot be read: no request, no PATCH', async () => {
    h.sandbox.addFault({ pathIncludes: 'transitiveMemberOf', status: 500 });
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    expectRefused(h, /could not be read|couldn't be read|unknown/i);
  });

  it('fails closed when the protected-group check fails: no request, a clear message', async () => {
    h.sandbox.addFault({ pathIncludes: 'checkMemberGroups', status: 503, retryAfterSeconds: 0 });
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    expect(lastText(h)).toMatch(/temporarily unavailable/);
    expect(writes(h.sandbox)).toHaveLength(0);
    expect(h.audit.entries).toHaveLength(0);
  });

  it('fails closed at approval time when the protected-group check fails then', async () => {
    const { requestId } = await requestClear(h, 'alice@contoso.com');
    h.sandbox.addFault({ pathIncludes: 'checkMemberGroups', status: 503, retryAfterSeconds: 0 });
    const { body } = await h.tap('clear.confirm', { requestId });
    expect(patches(h.sandbox)).toHaveLength(0);
    expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
    expect(cardText(body.value)).toMatch(/fail/i);
    expect(lastText(h)).toMatch(/temporarily unavailable/);
    expect(h.audit.entries.map((e) => e.event)).toEqual(['request.created', 'request.approved', 'change.failed']);
  });
});

describe('without PROTECTED_GROUP_ID', () => {
  it('refuses dave by role alone, and does not ask Graph about groups', async () => {
    const h = await startHarness();
    try {
      await h.say('clear immutable id for dave@contoso.com', { from: HELPDESK });
      expectRefused(h, /Global Administrator/);
      expect(h.sandbox.requests().filter((r) => r.path.endsWith('/checkMemberGroups'))).toHaveLength(0);
      // Adele is protected only by the group: without PROTECTED_GROUP_ID she is offered.
      anchorApprovers(h);
      await requestClear(h, 'adele.approver@contoso.com');
      expect(hasConfirm(lastCard(h))).toBe(true);
    } finally {
      await h.close();
    }
  });
});

describe('with ALLOW_PRIVILEGED_TARGETS=true', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ PROTECTED_GROUP_ID: SANDBOX_GROUPS.protectedAccounts, ALLOW_PRIVILEGED_TARGETS: 'true' });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.sandbox.reset();
    h.connector.clear();
    anchorApprovers(h);
  });

  it('offers dave and clears him once the app holds the privileged role', async () => {
    h.sandbox.grantPrivilegedRole(true);
    const { requestId } = await requestClear(h, 'dave@contoso.com');
    const { body } = await h.tap('clear.confirm', { requestId });
    expect(cardText(body.value)).toMatch(/cleared/i);
    expect(patches(h.sandbox)).toHaveLength(1);
    expect(patches(h.sandbox)[0]).toMatchObject({ path: `/v1.0/users/${SANDBOX_USERS.dave}`, status: 204 });
  });

  it('offers adele (protected group member) and clears her', async () => {
    const { requestId } = await requestClear(h, 'adele.approver@contoso.com');
    const { body } = await h.tap('clear.confirm', { requestId });
    expect(cardText(body.value)).toMatch(/cleared/i);
    expect(patches(h.sandbox)).toHaveLength(1);
    expect(h.sandbox.getUser(SANDBOX_USERS.adele)?.onPremisesImmutableId).toBeNull();
  });
});
