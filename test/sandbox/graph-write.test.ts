/** PATCH /users/{id}: the clear, and every rule that refuses it. */
import type { Client } from '@microsoft/microsoft-graph-client';
import { SANDBOX_IMMUTABLE_IDS, SANDBOX_UPNS, SANDBOX_USERS, type RunningSandbox } from '../../src/sandbox';
import { graphClientFor, graphFailure, graphRaw, startTestSandbox, type GraphErrorBody } from './helpers';

let sandbox: RunningSandbox;
let client: Client;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  client = graphClientFor(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const clear = (key: string): Promise<unknown> => client.api(`/users/${key}`).patch({ onPremisesImmutableId: null });
const immutableIdOf = async (key: string): Promise<unknown> =>
  ((await client.api(`/users/${key}`).select('onPremisesImmutableId').get()) as { onPremisesImmutableId: unknown }).onPremisesImmutableId;

test('clearing a cloud-only user: 204, then GET shows null, history keeps the old value', async () => {
  expect(await immutableIdOf('alice@contoso.com')).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  await expect(clear('alice@contoso.com')).resolves.toBeUndefined();
  expect(await immutableIdOf('alice@contoso.com')).toBeNull();

  const alice = sandbox.getUser(SANDBOX_USERS.alice);
  expect(alice?.onPremisesImmutableId).toBeNull();
  expect(alice?.history).toEqual([
    expect.objectContaining({ previous: { onPremisesImmutableId: SANDBOX_IMMUTABLE_IDS.alice }, next: { onPremisesImmutableId: null } }),
  ]);
  const patch = sandbox.requests().find((r) => r.method === 'PATCH');
  expect(patch).toMatchObject({ path: '/v1.0/users/alice@contoso.com', status: 204, body: { onPremisesImmutableId: null }, authorized: true, viaBatch: false });

  sandbox.reset();
  expect(sandbox.getUser('alice@contoso.com')?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
});

test('a synced user: 400 Request_BadRequest (on-premises mastered)', async () => {
  const res = await graphRaw(sandbox, 'PATCH', '/v1.0/users/bob@contoso.com', { onPremisesImmutableId: null });
  expect(res.status).toBe(400);
  expect((res.json as GraphErrorBody).error).toMatchObject({
    code: 'Request_BadRequest',
    message: 'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.',
  });
  expect(sandbox.getUser('bob@contoso.com')?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.bob);
});

test('a federated-domain user: 400, unless the same PATCH moves the UPN to a managed domain', async () => {
  expect(await graphFailure(clear('carol@fabrikam.com'))).toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
  expect(sandbox.getUser('carol@fabrikam.com')?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.carol);

  // Microsoft's workaround: move to a managed UPN (clearing works there), set the new anchor
  // in the same call that restores the federated UPN.
  await client.api(`/users/${SANDBOX_USERS.carol}`).patch({ userPrincipalName: 'carol@contoso.onmicrosoft.com', onPremisesImmutableId: null });
  expect(sandbox.getUser(SANDBOX_USERS.carol)).toMatchObject({ userPrincipalName: 'carol@contoso.onmicrosoft.com', onPremisesImmutableId: null });
  const backWithoutAnchor = await graphFailure(client.api(`/users/${SANDBOX_USERS.carol}`).patch({ userPrincipalName: 'carol@fabrikam.com' }));
  expect(backWithoutAnchor).toMatchObject({ statusCode: 400, code: 'Request_BadRequest' });
  await client.api(`/users/${SANDBOX_USERS.carol}`).patch({ userPrincipalName: 'carol@fabrikam.com', onPremisesImmutableId: 'bmV3LWFuY2hvcg==' });
  expect(sandbox.getUser(SANDBOX_USERS.carol)).toMatchObject({ userPrincipalName: 'carol@fabrikam.com', onPremisesImmutableId: 'bmV3LWFuY2hvcg==' });
});

test('a Global Administrator: 403 until the app holds Privileged Authentication Administrator', async () => {
  const denied = await graphRaw(sandbox, 'PATCH', '/v1.0/users/dave@contoso.com', { onPremisesImmutableId: null });
  expect(denied.status).toBe(403);
  expect((denied.json as GraphErrorBody).error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });

  sandbox.grantPrivilegedRole(true);
  await expect(clear('dave@contoso.com')).resolves.toBeUndefined();
  expect(sandbox.getUser('dave@contoso.com')?.onPremisesImmutableId).toBeNull();
});

test('an unknown user: 404 with the id in the message', async () => {
  const res = await graphRaw(sandbox, 'PATCH', '/v1.0/users/ghost@contoso.com', { onPremisesImmutableId: null });
  expect(res.status).toBe(404);
  expect((res.json as GraphErrorBody).error).toMatchObject({
    code: 'Request_ResourceNotFound',
    message: "Resource 'ghost@contoso.com' does not exist or one of its queried reference-property objects are not present.",
  });
});

test('the odd UPNs are clearable: $frank, o\'brien, judy (by id); guest and Ivan are no-ops that succeed', async () => {
  await client.api("/users('$frank@contoso.com')").patch({ onPremisesImmutableId: null });
  await clear("o'brien@contoso.com");
  await clear(SANDBOX_USERS.judy);
  await clear(encodeURIComponent(SANDBOX_UPNS.erin));
  await clear('ivan@contoso.com');
  for (const name of ['frank', 'obrien', 'judy', 'erin', 'ivan'] as const) {
    expect(sandbox.getUser(SANDBOX_USERS[name])?.onPremisesImmutableId).toBeNull();
  }
});

test('setting a value: duplicates and forbidden characters are refused', async () => {
  const duplicate = await graphRaw(sandbox, 'PATCH', '/v1.0/users/alice@contoso.com', { onPremisesImmutableId: SANDBOX_IMMUTABLE_IDS.bob });
  expect(duplicate.status).toBe(400);
  expect((duplicate.json as GraphErrorBody).error).toMatchObject({
    code: 'Request_BadRequest',
    message: 'Another object with the same value for property onPremisesImmutableId already exists.',
  });
  for (const bad of ['has_underscore', 'has$dollar', '', 42]) {
    const res = await graphRaw(sandbox, 'PATCH', '/v1.0/users/alice@contoso.com', { onPremisesImmutableId: bad });
    expect(res.status).toBe(400);
  }
  await client.api('/users/alice@contoso.com').patch({ onPremisesImmutableId: 'c2FuZGJveA==', accountEnabled: false });
  expect(sandbox.getUser('alice@contoso.com')).toMatchObject({ onPremisesImmutableId: 'c2FuZGJveA==', accountEnabled: false });
});

test('UPN changes need a verified domain and a free UPN; unknown properties fail loudly (501)', async () => {
  expect((await graphRaw(sandbox, 'PATCH', '/v1.0/users/alice@contoso.com', { userPrincipalName: 'alice@unknown.example' })).status).toBe(400);
  expect((await graphRaw(sandbox, 'PATCH', '/v1.0/users/alice@contoso.com', { userPrincipalName: 'bob@contoso.com' })).status).toBe(400);
  const unknown = await graphRaw(sandbox, 'PATCH', '/v1.0/users/alice@contoso.com', { department: 'X' });
  expect(unknown.status).toBe(501);
  expect((unknown.json as GraphErrorBody).error.code).toBe('NotImplemented');
  const badJson = await graphRaw(sandbox, 'PATCH', '/v1.0/users/alice@contoso.com', undefined);
  expect(badJson.status).toBe(400);
});

test('getUser returns the live object: editing it simulates a change made elsewhere', async () => {
  const judy = sandbox.getUser(SANDBOX_USERS.judy);
  if (!judy) throw new Error('judy missing');
  judy.onPremisesImmutableId = 'qgCqABG7IszdM0TuRO5E7g==';
  expect(await immutableIdOf(SANDBOX_USERS.judy)).toBe('qgCqABG7IszdM0TuRO5E7g==');
  sandbox.reset();
  expect(await immutableIdOf(SANDBOX_USERS.judy)).toBe(SANDBOX_IMMUTABLE_IDS.judy);
});
