/** Tenant-scale reads and writes: server-driven paging, group look-up, transitive members, the write limit, sync-error seeds. */
import type { Client } from '@microsoft/microsoft-graph-client';
import { SANDBOX_USERS, type RunningSandbox } from '../../src/sandbox';
import { BULK_GROUPS, BULK_USERS, FOREST_MOVE_GROUP, SYNC_ERROR_UPNS, SYNC_ERROR_USERS } from '../../src/sandbox/seed-bulk';
import { graphFailure, graphRaw, rawRequest, useTestSandbox } from './helpers';

let sandbox: RunningSandbox;
let client: Client;
let token: string;
useTestSandbox((started) => ({ sandbox, client, token } = started));

type Page = { '@odata.nextLink'?: string; value: Record<string, unknown>[] };
const control = (method: string, route: string, body?: unknown) =>
  rawRequest(sandbox, method, `/_sandbox/${route}`, body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

async function readAll(first: string): Promise<{ pages: number; items: Record<string, unknown>[] }> {
  let url: string | undefined = first;
  let pages = 0;
  const items: Record<string, unknown>[] = [];
  while (url) {
    const page = (await client.api(url).get()) as Page;
    pages += 1;
    items.push(...page.value);
    url = page['@odata.nextLink'];
  }
  return { pages, items };
}

describe('GET /users at tenant scale', () => {
  test('server-driven paging: $top=999 still gets pages of the server\'s size, and every user once', async () => {
    const everyone = (await client.api('/users').select('id').top(999).get()) as Page;
    expect(everyone['@odata.nextLink']).toBeUndefined();
    expect((await control('POST', 'page-size', { max: 4 })).status).toBe(204);
    const { pages, items } = await readAll('/users?$select=id,onPremisesProvisioningErrors&$top=999');
    expect(pages).toBe(Math.ceil(everyone.value.length / 4));
    expect(items.map((u) => u.id)).toEqual(everyone.value.map((u) => u.id));
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(['id', 'onPremisesProvisioningErrors']);
    const nextLinks = sandbox.requests().filter((r) => r.path === '/v1.0/users').map((r) => r.query.$top);
    expect(new Set(nextLinks)).toEqual(new Set(['999'])); // the nextLink keeps $top and $select
    expect((await control('POST', 'page-size', { max: 0 })).status).toBe(400);
  });

  test('$top above 999 is refused as Graph does', async () => {
    expect(await graphFailure(client.api('/users').top(1000).get())).toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
  });

  test('seeded sync errors: a UPN conflict and a proxy-address conflict, with the cloud users holding the values', async () => {
    const { items } = await readAll('/users?$select=id,userPrincipalName,onPremisesProvisioningErrors&$top=999');
    const withErrors = items.filter((u) => (u.onPremisesProvisioningErrors as unknown[]).length > 0);
    expect(withErrors.map((u) => u.userPrincipalName).sort()).toEqual([SYNC_ERROR_UPNS.kimDuplicate, SYNC_ERROR_UPNS.luisDuplicate].sort());
    expect(withErrors.find((u) => u.id === SYNC_ERROR_USERS.kimDuplicate)?.onPremisesProvisioningErrors).toEqual([
      expect.objectContaining({ category: 'PropertyConflict', propertyCausingError: 'UserPrincipalName', value: SYNC_ERROR_UPNS.kim }),
    ]);
    const holder = (await client.api('/users').filter("proxyAddresses/any(x:x eq 'smtp:lortiz@contoso.com')").select('id').get()) as Page;
    expect(holder.value.map((u) => u.id)).toEqual([SYNC_ERROR_USERS.luis]);
  });

  test('provisioning errors can be set and cleared over HTTP (a sync error that gets resolved)', async () => {
    expect((await control('PUT', `users/${SYNC_ERROR_USERS.kimDuplicate}/provisioning-errors`, [])).status).toBe(204);
    expect(sandbox.getUser(SYNC_ERROR_USERS.kimDuplicate)?.onPremisesProvisioningErrors).toEqual([]);
    expect((await control('PUT', `users/${SYNC_ERROR_USERS.kimDuplicate}/provisioning-errors`, [{ value: 1 }])).status).toBe(400);
    expect((await control('PUT', 'users/nobody@contoso.com/provisioning-errors', [])).status).toBe(404);
  });
});

describe('groups', () => {
  test('found by display name or mail; transitive members paged, through the nested group', async () => {
    const byName = (await client.api('/groups').filter(`displayName eq '${FOREST_MOVE_GROUP.displayName}' or mail eq '${FOREST_MOVE_GROUP.displayName}'`).select('id,displayName,mail').get()) as Page;
    expect(byName.value).toEqual([{ id: BULK_GROUPS.forestMove, displayName: FOREST_MOVE_GROUP.displayName, mail: FOREST_MOVE_GROUP.mail }]);
    const byMail = (await client.api('/groups').filter(`mail eq '${FOREST_MOVE_GROUP.mail.toUpperCase()}'`).select('id').get()) as Page;
    expect(byMail.value.map((g) => g.id)).toEqual([BULK_GROUPS.forestMove]);
    expect(await graphFailure(client.api('/groups').filter("startswith(displayName,'F')").get())).toMatchObject({ statusCode: 400, code: 'Request_UnsupportedQuery' });

    const { pages, items } = await readAll(`/groups/${BULK_GROUPS.forestMove}/transitiveMembers/microsoft.graph.user?$select=id&$top=3`);
    expect(pages).toBe(3);
    expect(items.map((u) => u.id).sort()).toEqual(
      [...Object.values(BULK_USERS), SANDBOX_USERS.bob, SANDBOX_USERS.carol, SANDBOX_USERS.dave, SANDBOX_USERS.ivan].sort(),
    );
  });

  test('generated users join a group by name (for throttling tests and the benchmark)', async () => {
    const made = await control('POST', 'generated-users', { prefix: 'gen', count: 30, group: 'Generated wave' });
    expect(made.status).toBe(201);
    const body = made.json as { groupId: string; users: { id: string; userPrincipalName: string }[] };
    expect(body.users[0]?.userPrincipalName).toBe('gen0001@contoso.com');
    const { items } = await readAll(`/groups/${body.groupId}/transitiveMembers/microsoft.graph.user?$select=id,onPremisesImmutableId,onPremisesSyncEnabled&$top=999`);
    expect(items).toHaveLength(30);
    expect(items.every((u) => typeof u.onPremisesImmutableId === 'string' && u.onPremisesSyncEnabled === false)).toBe(true);
    expect((await control('POST', 'generated-users', { prefix: 'BAD PREFIX', count: 1 })).status).toBe(400);
  });
});

describe('the identity write limit', () => {
  test('is Graph\'s 3,000 per 150 s by default; past a lowered limit writes get 429 + Retry-After, reads do not', async () => {
    expect((await control('GET', 'write-limit')).json).toEqual({ writes: 3000, perSeconds: 150 });
    expect((await control('POST', 'write-limit', { writes: 2, perSeconds: 30 })).status).toBe(204);
    const patch = (id: string) => graphRaw(sandbox, 'PATCH', `/v1.0/users/${id}`, { onPremisesImmutableId: null }, token);
    expect((await patch(BULK_USERS.nora)).status).toBe(204);
    expect((await patch(BULK_USERS.omar)).status).toBe(204);
    const throttled = await patch(BULK_USERS.pia);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(29);
    expect((throttled.json as { error: { code: string } }).error.code).toBe('TooManyRequests');
    expect(sandbox.getUser(BULK_USERS.pia)?.onPremisesImmutableId).not.toBeNull();
    expect((await graphRaw(sandbox, 'GET', `/v1.0/users/${BULK_USERS.pia}`, undefined, token)).status).toBe(200);
    // Inside $batch too, per sub-request.
    const batch = await graphRaw(sandbox, 'POST', '/v1.0/$batch', { requests: [{ id: '1', method: 'PATCH', url: `/users/${BULK_USERS.quinn}`, body: { onPremisesImmutableId: null }, headers: { 'Content-Type': 'application/json' } }] }, token);
    expect((batch.json as { responses: { status: number }[] }).responses[0]?.status).toBe(429);
    expect((await control('POST', 'write-limit', { writes: 0, perSeconds: 1 })).status).toBe(400);
    sandbox.reset();
    expect(sandbox.writeLimit()).toEqual({ writes: 3000, perSeconds: 150 });
  });
});
