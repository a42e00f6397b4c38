/** Deleted items: DELETE moves a user there, lookups by mail / id / endswith(UPN), restore. */
import type { Client } from '@microsoft/microsoft-graph-client';
import { KATE_DELETED_AGO_MS, SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS, deletedUserPrincipalName, type RunningSandbox } from '../../src/sandbox';
import { type GraphErrorBody, graphFailure, graphRaw, rawRequest, type RawResponse, useTestSandbox } from './helpers';

let sandbox: RunningSandbox;
let client: Client;
let token: string;
useTestSandbox((started) => ({ sandbox, client, token } = started), { clearFaults: true });

type User = Record<string, unknown>;
type Page = { '@odata.count'?: number; value: User[] };
const DELETED_USERS = '/v1.0/directory/deletedItems/microsoft.graph.user';
const kateDeletedUpn = deletedUserPrincipalName(SANDBOX_USERS.kate, 'kate@contoso.com');
const rawGet = (path: string, headers: Record<string, string>): Promise<RawResponse> =>
  rawRequest(sandbox, 'GET', path, { headers: { Authorization: `Bearer ${token}`, ...headers } });

describe('the seeded deleted user (Kate, previously synced)', () => {
  test('is not a live user, by UPN or by id', async () => {
    expect((await graphRaw(sandbox, 'GET', '/v1.0/users/kate@contoso.com', undefined, token)).status).toBe(404);
    expect((await graphRaw(sandbox, 'GET', `/v1.0/users/${SANDBOX_USERS.kate}`, undefined, token)).status).toBe(404);
  });

  test('is listed in deleted items with the id-prefixed UPN, deletedDateTime, and her anchor', async () => {
    const page = (await client.api('/directory/deletedItems/microsoft.graph.user').select('id,userPrincipalName,mail,deletedDateTime,onPremisesImmutableId,onPremisesSyncEnabled').get()) as Page;
    expect(page.value).toEqual([
      {
        '@odata.type': '#microsoft.graph.user',
        id: SANDBOX_USERS.kate,
        userPrincipalName: kateDeletedUpn,
        mail: 'kate@contoso.com',
        deletedDateTime: expect.any(String) as unknown,
        onPremisesImmutableId: SANDBOX_IMMUTABLE_IDS.kate,
        onPremisesSyncEnabled: true,
      },
    ]);
    const deletedAgo = Date.now() - Date.parse(page.value[0]?.deletedDateTime as string);
    expect(Math.abs(deletedAgo - KATE_DELETED_AGO_MS)).toBeLessThan(60 * 60 * 1000);
  });

  test('is found by mail and by id, not by userPrincipalName eq', async () => {
    const byMail = (await rawGet(`${DELETED_USERS}?$filter=${encodeURIComponent("mail eq 'kate@contoso.com'")}&$select=id`, {})).json as Page;
    expect(byMail.value.map((u) => u.id)).toEqual([SANDBOX_USERS.kate]);
    const byId = (await rawGet(`${DELETED_USERS}?$filter=${encodeURIComponent(`id eq '${SANDBOX_USERS.kate}'`)}&$select=id`, {})).json as Page;
    expect(byId.value.map((u) => u.id)).toEqual([SANDBOX_USERS.kate]);
    const byUpn = (await rawGet(`${DELETED_USERS}?$filter=${encodeURIComponent("userPrincipalName eq 'kate@contoso.com'")}`, {})).json as Page;
    expect(byUpn.value).toEqual([]);
  });

  test('endswith(userPrincipalName) finds her only as an advanced query (ConsistencyLevel + $count)', async () => {
    const filter = encodeURIComponent("endswith(userPrincipalName,'kate@contoso.com')");
    const plain = await rawGet(`${DELETED_USERS}?$filter=${filter}`, {});
    expect(plain.status).toBe(400);
    expect((plain.json as GraphErrorBody).error).toMatchObject({ code: 'Request_UnsupportedQuery', message: expect.stringContaining('ConsistencyLevel:eventual') as unknown });
    const noCount = await rawGet(`${DELETED_USERS}?$filter=${filter}`, { ConsistencyLevel: 'eventual' });
    expect(noCount.status).toBe(400);
    const advanced = await rawGet(`${DELETED_USERS}?$filter=${filter}&$count=true&$select=id,userPrincipalName`, { ConsistencyLevel: 'eventual' });
    expect(advanced.status).toBe(200);
    expect(advanced.json).toMatchObject({ '@odata.count': 1, value: [{ id: SANDBOX_USERS.kate, userPrincipalName: kateDeletedUpn }] });
  });

  test('GET /directory/deletedItems/{id}; a live user is not there', async () => {
    const kate = (await client.api(`/directory/deletedItems/${SANDBOX_USERS.kate}`).select('id,deletedDateTime').get()) as User;
    expect(kate).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: SANDBOX_USERS.kate, deletedDateTime: expect.any(String) as unknown });
    const viaCast = (await client.api(`/directory/deletedItems/microsoft.graph.user/${SANDBOX_USERS.kate}`).select('id').get()) as User;
    expect(viaCast).toMatchObject({ id: SANDBOX_USERS.kate });
    expect(await graphFailure(client.api(`/directory/deletedItems/${SANDBOX_USERS.alice}`).get())).toMatchObject({ statusCode: 404, code: 'Request_ResourceNotFound' });
  });

  test('restore: 200 with the user, live again under her old UPN, cloud-only, anchor kept', async () => {
    const restored = (await client.api(`/directory/deletedItems/${SANDBOX_USERS.kate}/restore`).post({})) as User;
    expect(restored).toMatchObject({ id: SANDBOX_USERS.kate, userPrincipalName: 'kate@contoso.com' });
    const live = (await client.api('/users/kate@contoso.com').select('id,onPremisesImmutableId,onPremisesSyncEnabled,deletedDateTime').get()) as User;
    expect(live).toMatchObject({ id: SANDBOX_USERS.kate, onPremisesImmutableId: SANDBOX_IMMUTABLE_IDS.kate, onPremisesSyncEnabled: false, deletedDateTime: null });
    expect(((await client.api('/directory/deletedItems/microsoft.graph.user').get()) as Page).value).toEqual([]);
    // ...so the clear now works.
    await client.api(`/users/${SANDBOX_USERS.kate}`).patch({ onPremisesImmutableId: null });
    expect(sandbox.getUser('kate@contoso.com')?.onPremisesImmutableId).toBeNull();
    // A second restore: the object is no longer in deleted items.
    expect(await graphFailure(client.api(`/directory/deletedItems/${SANDBOX_USERS.kate}/restore`).post({}))).toMatchObject({ statusCode: 404 });
  });

  test('restore is refused while a live user holds her UPN', async () => {
    const alice = sandbox.getUser('alice@contoso.com');
    if (alice) alice.userPrincipalName = 'kate@contoso.com';
    expect(await graphFailure(client.api(`/directory/deletedItems/${SANDBOX_USERS.kate}/restore`).post({}))).toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
    expect(sandbox.getUser(SANDBOX_USERS.kate)?.deletedDateTime).not.toBeNull();
  });

  test('her immutable id is still taken: no live user may be given it', async () => {
    const res = await graphRaw(sandbox, 'PATCH', '/v1.0/users/alice@contoso.com', { onPremisesImmutableId: SANDBOX_IMMUTABLE_IDS.kate }, token);
    expect(res.status).toBe(400);
    expect((res.json as GraphErrorBody).error.message).toBe('Another object with the same value for property onPremisesImmutableId already exists.');
  });
});

describe('DELETE /users/{id}', () => {
  test('soft-deletes a cloud user into deleted items', async () => {
    expect((await graphRaw(sandbox, 'DELETE', '/v1.0/users/ivan@contoso.com', undefined, token)).status).toBe(204);
    expect((await graphRaw(sandbox, 'GET', '/v1.0/users/ivan@contoso.com', undefined, token)).status).toBe(404);
    const page = (await rawGet(`${DELETED_USERS}?$filter=${encodeURIComponent("mail eq 'ivan@contoso.com'")}&$select=id,userPrincipalName`, {})).json as Page;
    expect(page.value).toEqual([{ '@odata.type': '#microsoft.graph.user', id: SANDBOX_USERS.ivan, userPrincipalName: deletedUserPrincipalName(SANDBOX_USERS.ivan, 'ivan@contoso.com') }]);
  });

  test('a synced user cannot be deleted in the cloud (400), an admin needs the privileged role (403)', async () => {
    expect((await graphRaw(sandbox, 'DELETE', '/v1.0/users/bob@contoso.com', undefined, token)).status).toBe(400);
    expect((await graphRaw(sandbox, 'DELETE', '/v1.0/users/dave@contoso.com', undefined, token)).status).toBe(403);
    expect(sandbox.getUser('bob@contoso.com')?.deletedDateTime).toBeNull();
  });
});

describe('a synced user stops syncing (sandbox control)', () => {
  test('out of sync scope: Entra Connect soft-deletes him', async () => {
    expect(sandbox.stopSync('bob@contoso.com', { softDelete: true })).toBe(true);
    expect((await graphRaw(sandbox, 'GET', '/v1.0/users/bob@contoso.com', undefined, token)).status).toBe(404);
    expect((await client.api(`/directory/deletedItems/${SANDBOX_USERS.bob}`).select('id,onPremisesSyncEnabled').get()) as User).toMatchObject({ id: SANDBOX_USERS.bob, onPremisesSyncEnabled: false });
  });

  test('converted to cloud-only: the clear works at once', async () => {
    expect(sandbox.stopSync(SANDBOX_USERS.bob, { softDelete: false })).toBe(true);
    await client.api('/users/bob@contoso.com').patch({ onPremisesImmutableId: null });
    expect(sandbox.getUser('bob@contoso.com')).toMatchObject({ onPremisesSyncEnabled: false, onPremisesImmutableId: null });
    expect(sandbox.stopSync('nobody@contoso.com', { softDelete: false })).toBe(false);
  });
});

test('the same lookups inside $batch keep their ConsistencyLevel header', async () => {
  const res = await graphRaw(
    sandbox,
    'POST',
    '/v1.0/$batch',
    {
      requests: [
        { id: '1', method: 'GET', url: "/directory/deletedItems/microsoft.graph.user?$filter=endswith(userPrincipalName,'kate@contoso.com')&$count=true&$select=id", headers: { ConsistencyLevel: 'eventual' } },
        { id: '2', method: 'GET', url: "/directory/deletedItems/microsoft.graph.user?$filter=endswith(userPrincipalName,'kate@contoso.com')&$count=true&$select=id" },
      ],
    },
    token,
  );
  const responses = (res.json as { responses: { id: string; status: number; body: Page }[] }).responses;
  expect(responses.find((r) => r.id === '1')).toMatchObject({ status: 200, body: { value: [{ id: SANDBOX_USERS.kate }] } });
  expect(responses.find((r) => r.id === '2')?.status).toBe(400);
});
