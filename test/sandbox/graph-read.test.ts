/** Graph reads: users by every key form, $select, $filter, domains, roles, groups, organization. */
import type { Client } from '@microsoft/microsoft-graph-client';
import {
  ROLE_TEMPLATES,
  SANDBOX_GROUPS,
  SANDBOX_IMMUTABLE_IDS,
  SANDBOX_TENANT_ID,
  SANDBOX_UPNS,
  SANDBOX_USERS,
  type RunningSandbox,
} from '../../src/sandbox';
import { type GraphErrorBody, graphFailure, graphRaw, useTestSandbox } from './helpers';

let sandbox: RunningSandbox;
let client: Client;
let token: string;
useTestSandbox((started) => ({ sandbox, client, token } = started), { clearFaults: true }); // Grace's seeded throttling is covered in the batch/faults tests

type User = Record<string, unknown>;
type Page = { '@odata.context': string; '@odata.nextLink'?: string; value: User[] };
const ids = (page: Page): unknown[] => page.value.map((u) => u.id);

describe('GET /users/{id-or-upn}', () => {
  test('by UPN returns Graph’s default property set, without onPremises* fields', async () => {
    const alice = (await client.api('/users/alice@contoso.com').get()) as User;
    expect(Object.keys(alice).sort()).toEqual(
      ['@odata.context', 'businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'].sort(),
    );
    expect(alice).toMatchObject({ id: SANDBOX_USERS.alice, displayName: 'Alice Smith', mail: 'alice@contoso.com' });
    expect(alice['@odata.context']).toBe(`${sandbox.url}/v1.0/$metadata#users/$entity`);
  });

  test('by object id, and by UPN in any case', async () => {
    expect(((await client.api(`/users/${SANDBOX_USERS.bob}`).get()) as User).userPrincipalName).toBe('bob@contoso.com');
    expect(((await client.api('/users/ALICE@Contoso.COM').get()) as User).id).toBe(SANDBOX_USERS.alice);
  });

  test('$select returns only the selected properties plus id', async () => {
    const alice = (await client.api('/users/alice@contoso.com').select(['onPremisesImmutableId', 'onPremisesSyncEnabled', 'proxyAddresses']).get()) as User;
    expect(alice).toEqual({
      '@odata.context': `${sandbox.url}/v1.0/$metadata#users(onPremisesImmutableId,onPremisesSyncEnabled,proxyAddresses)/$entity`,
      id: SANDBOX_USERS.alice,
      onPremisesImmutableId: SANDBOX_IMMUTABLE_IDS.alice,
      onPremisesSyncEnabled: false,
      proxyAddresses: ['SMTP:alice@contoso.com', 'smtp:alice.smith@contoso.com'],
    });
    const failure = await graphFailure(client.api('/users/alice@contoso.com').select('noSuchProperty').get());
    expect(failure.statusCode).toBe(400);
  });

  test("a UPN starting with $ works in the users('...') form, not as a bare segment", async () => {
    const viaSdk = (await client.api("/users('$frank@contoso.com')").select('id').get()) as User;
    expect(viaSdk.id).toBe(SANDBOX_USERS.frank);
    const encoded = await graphRaw(sandbox, 'GET', "/v1.0/users('%24frank%40contoso.com')?$select=id,userPrincipalName", undefined, token);
    expect(encoded.json).toMatchObject({ id: SANDBOX_USERS.frank, userPrincipalName: '$frank@contoso.com' });
    const bare = await graphRaw(sandbox, 'GET', '/v1.0/users/$frank@contoso.com', undefined, token);
    expect(bare.status).toBe(400);
  });

  test('a guest #EXT# UPN must arrive percent-encoded', async () => {
    const erin = (await client.api(`/users/${encodeURIComponent(SANDBOX_UPNS.erin)}`).select('id,userType,mail').get()) as User;
    expect(erin).toMatchObject({ id: SANDBOX_USERS.erin, userType: 'Guest', mail: 'erin@outlook.com' });
    const logged = sandbox.requests().find((r) => r.path.includes('#EXT#'));
    expect(logged?.path).toBe(`/v1.0/users/${SANDBOX_UPNS.erin}`);
    expect(logged?.rawUrl).toContain('%23EXT%23');
  });

  test("a UPN with an apostrophe, bare and in the quoted key form ('' escapes ')", async () => {
    expect(((await client.api("/users/o'brien@contoso.com").get()) as User).id).toBe(SANDBOX_USERS.obrien);
    const quoted = await graphRaw(sandbox, 'GET', "/v1.0/users('o''brien@contoso.com')", undefined, token);
    expect(quoted.json).toMatchObject({ id: SANDBOX_USERS.obrien });
  });

  test('not found: 404 Request_ResourceNotFound with Graph’s body and ids', async () => {
    const res = await graphRaw(sandbox, 'GET', '/v1.0/users/nobody@contoso.com', undefined, token);
    expect(res.status).toBe(404);
    const body = res.json as GraphErrorBody;
    expect(body.error.code).toBe('Request_ResourceNotFound');
    expect(body.error.message).toBe("Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects are not present.");
    expect(body.error.innerError['request-id']).toBe(res.headers['request-id']);
    expect(body.error.innerError['client-request-id']).toBe(res.headers['client-request-id']);
    expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const viaSdk = await graphFailure(client.api(`/users/${'0'.repeat(8)}-0000-4000-8000-000000000000`).get());
    expect(viaSdk).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
  });

  test('every response carries request-id, and echoes client-request-id', async () => {
    const res = await graphRaw(sandbox, 'GET', '/v1.0/users/alice@contoso.com', undefined, token);
    expect(res.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['client-request-id']).toBe(res.headers['request-id']);
    const { rawRequest } = await import('./helpers');
    const echoed = await rawRequest(sandbox, 'GET', '/v1.0/users/alice@contoso.com', { headers: { Authorization: `Bearer ${token}`, 'client-request-id': 'my-correlation' } });
    expect(echoed.headers['client-request-id']).toBe('my-correlation');
  });
});

describe('GET /users?$filter=...', () => {
  const filter = async (f: string, select = 'id'): Promise<Page> => (await client.api('/users').filter(f).select(select).get()) as Page;

  test('mail eq (case-insensitive) finds a user whose mail differs from the UPN', async () => {
    const page = await filter("mail eq 'Judy.Lee@contoso.com'", 'id,userPrincipalName,mail');
    expect(page.value).toEqual([{ id: SANDBOX_USERS.judy, userPrincipalName: 'judy@contoso.onmicrosoft.com', mail: 'judy.lee@contoso.com' }]);
    expect(page['@odata.context']).toBe(`${sandbox.url}/v1.0/$metadata#users(id,userPrincipalName,mail)`);
  });

  test('userPrincipalName eq, with a doubled quote for o\'brien', async () => {
    expect(ids(await filter("userPrincipalName eq 'BOB@contoso.com'"))).toEqual([SANDBOX_USERS.bob]);
    expect(ids(await filter("userPrincipalName eq 'o''brien@contoso.com'"))).toEqual([SANDBOX_USERS.obrien]);
    expect(ids(await filter("mail eq 'o''brien@contoso.com'"))).toEqual([SANDBOX_USERS.obrien]);
  });

  test('proxyAddresses/any with any lambda variable; the smtp: prefix compares case-insensitively', async () => {
    expect(ids(await filter("proxyAddresses/any(x:x eq 'smtp:alice.smith@contoso.com')"))).toEqual([SANDBOX_USERS.alice]);
    expect(ids(await filter("proxyAddresses/any(addr: addr eq 'SMTP:JLEE@contoso.com')"))).toEqual([SANDBOX_USERS.judy]);
    expect(ids(await filter("proxyAddresses/any(x:x eq 'jlee@contoso.com')"))).toEqual([]); // no prefix, no match
  });

  test('onPremisesImmutableId eq is case-sensitive and needs + / = URL-encoded', async () => {
    const value = SANDBOX_IMMUTABLE_IDS.alice; // contains + and /
    expect(value).toMatch(/[+/]/);
    const encoded = await graphRaw(sandbox, 'GET', `/v1.0/users?$filter=${encodeURIComponent(`onPremisesImmutableId eq '${value}'`)}&$select=id`, undefined, token);
    expect(ids(encoded.json as Page)).toEqual([SANDBOX_USERS.alice]);
    // Unencoded, '+' reads as a space (as in Graph): nothing matches.
    expect(ids(await filter(`onPremisesImmutableId eq '${value}'`))).toEqual([]);
    const lower = await graphRaw(sandbox, 'GET', `/v1.0/users?$filter=${encodeURIComponent(`onPremisesImmutableId eq '${value.toLowerCase()}'`)}`, undefined, token);
    expect(ids(lower.json as Page)).toEqual([]);
  });

  test('startsWith on displayName, givenName and surname is case-insensitive and needs no ConsistencyLevel (a default query)', async () => {
    expect(ids(await filter("startswith(displayName,'alice smith')"))).toEqual([SANDBOX_USERS.alice]);
    expect(ids(await filter("startsWith(displayName,'Sean O''B')"))).toEqual([SANDBOX_USERS.obrien]);
    expect(ids(await filter("startswith(displayName,'Approver')"))).toEqual([]);
    expect(ids(await filter("startswith(displayName,'Approver') or startswith(givenName,'Approver') or startswith(surname,'approver')")).sort()).toEqual(
      [SANDBOX_USERS.adele, SANDBOX_USERS.aaron].sort(),
    );
    expect(ids(await filter("displayName eq 'ALICE SMITH'"))).toEqual([SANDBOX_USERS.alice]);
  });

  test('clauses joined by or', async () => {
    const page = await filter("mail eq 'alice@contoso.com' or userPrincipalName eq 'bob@contoso.com' or proxyAddresses/any(p:p eq 'smtp:jlee@contoso.com')");
    expect(ids(page).sort()).toEqual([SANDBOX_USERS.alice, SANDBOX_USERS.bob, SANDBOX_USERS.judy].sort());
  });

  test('anything else: 400 Request_UnsupportedQuery', async () => {
    for (const f of ["contains(displayName,'A')", "mail eq 'a@b.c' and userPrincipalName eq 'x'", "startswith(displayName,'A'", "mail eq 'unterminated"]) {
      const failure = await graphFailure(client.api('/users').filter(f).get());
      expect(failure).toMatchObject({ statusCode: 400, code: 'Request_UnsupportedQuery' });
    }
  });

  test('$top pages with @odata.nextLink', async () => {
    const first = (await client.api('/users').select('id').top(5).get()) as Page;
    expect(first.value).toHaveLength(5);
    expect(first['@odata.nextLink']).toBeDefined();
    const next = (await client.api(first['@odata.nextLink'] ?? '').get()) as Page;
    expect(next.value).toHaveLength(5);
    expect(ids(next)).not.toContain(first.value[0]?.id);
  });
});

describe('domains, roles, groups, organization', () => {
  test('GET /domains/{name}', async () => {
    expect(await client.api('/domains/contoso.com').get()).toMatchObject({ id: 'contoso.com', authenticationType: 'Managed', isDefault: true, isVerified: true });
    expect(await client.api('/domains/fabrikam.com').get()).toMatchObject({ id: 'fabrikam.com', authenticationType: 'Federated' });
    expect(await client.api('/domains/contoso.onmicrosoft.com').get()).toMatchObject({ authenticationType: 'Managed', isInitial: true });
    expect(await graphFailure(client.api('/domains/unknown.example').get())).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
  });

  test('transitiveMemberOf/microsoft.graph.directoryRole lists active roles with real template ids', async () => {
    const dave = (await client.api('/users/dave@contoso.com/transitiveMemberOf/microsoft.graph.directoryRole').select('displayName,roleTemplateId').get()) as Page;
    expect(dave.value).toEqual([
      expect.objectContaining({ displayName: 'Global Administrator', roleTemplateId: ROLE_TEMPLATES.globalAdministrator }),
    ]);
    const alice = (await client.api(`/users/${SANDBOX_USERS.alice}/transitiveMemberOf/microsoft.graph.directoryRole`).get()) as Page;
    expect(alice.value).toEqual([]);
  });

  test('group membership: transitive groups, checkMemberGroups, group members', async () => {
    const adele = (await client.api(`/users/${SANDBOX_USERS.adele}/transitiveMemberOf/microsoft.graph.group`).select('id,displayName').get()) as Page;
    // Protected accounts contains Identity Approvers: nested membership counts.
    expect(adele.value.map((g) => g.displayName).sort()).toEqual(['Identity Approvers', 'Protected accounts']);

    const check = (await client
      .api(`/users/${SANDBOX_USERS.helen}/checkMemberGroups`)
      .post({ groupIds: [SANDBOX_GROUPS.helpdesk, SANDBOX_GROUPS.identityApprovers] })) as { value: string[] };
    expect(check.value).toEqual([SANDBOX_GROUPS.helpdesk]);

    const members = (await client.api(`/groups/${SANDBOX_GROUPS.protectedAccounts}/transitiveMembers/microsoft.graph.user`).select('id').get()) as Page;
    expect(ids(members).sort()).toEqual([SANDBOX_USERS.dave, SANDBOX_USERS.adele, SANDBOX_USERS.aaron].sort());
  });

  test('GET /organization reports directory sync', async () => {
    const org = (await client.api('/organization').select('id,onPremisesSyncEnabled,onPremisesLastSyncDateTime').get()) as Page;
    expect(org.value).toEqual([{ id: SANDBOX_TENANT_ID, onPremisesSyncEnabled: true, onPremisesLastSyncDateTime: expect.any(String) }]);
  });
});
