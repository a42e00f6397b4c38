/** $batch, injected faults (throttling, slowness, dropped connections), replication lag, auth, 501s. */
import type { Client } from '@microsoft/microsoft-graph-client';
import { SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS, type RunningSandbox } from '../../src/sandbox';
import { credentialFor, type GraphErrorBody, graphFailure, graphRaw, rawRequest, startTestSandbox, useTestSandbox } from './helpers';

let sandbox: RunningSandbox;
let client: Client;
let token: string;
useTestSandbox((started) => ({ sandbox, client, token } = started));

interface BatchResponse {
  responses: { id: string; status: number; headers: Record<string, string>; body?: Record<string, unknown> }[];
}
const batch = async (requests: unknown[]): Promise<BatchResponse> => (await client.api('/$batch').post({ requests })) as BatchResponse;
const byId = (res: BatchResponse, id: string): BatchResponse['responses'][number] | undefined => res.responses.find((r) => r.id === id);

describe('$batch', () => {
  test('user + domain + roles in one round trip; sub-requests are logged viaBatch', async () => {
    const res = await batch([
      { id: 'user', method: 'GET', url: '/users/alice@contoso.com?$select=id,onPremisesImmutableId,onPremisesSyncEnabled' },
      { id: 'domain', method: 'GET', url: 'domains/contoso.com' },
      { id: 'roles', method: 'GET', url: `/users/${SANDBOX_USERS.dave}/transitiveMemberOf/microsoft.graph.directoryRole?$select=displayName,roleTemplateId` },
    ]);
    expect(byId(res, 'user')).toMatchObject({ status: 200, body: { id: SANDBOX_USERS.alice, onPremisesImmutableId: SANDBOX_IMMUTABLE_IDS.alice } });
    expect(byId(res, 'domain')).toMatchObject({ status: 200, body: { authenticationType: 'Managed' } });
    expect(byId(res, 'roles')?.body?.value).toEqual([expect.objectContaining({ displayName: 'Global Administrator' })]);

    const graphLog = sandbox.requests().filter((r) => r.path.startsWith('/v1.0'));
    expect(graphLog.map((r) => [r.method, r.path, r.viaBatch, r.status])).toEqual([
      ['POST', '/v1.0/$batch', false, 200],
      ['GET', '/v1.0/users/alice@contoso.com', true, 200],
      ['GET', '/v1.0/domains/contoso.com', true, 200],
      ['GET', `/v1.0/users/${SANDBOX_USERS.dave}/transitiveMemberOf/microsoft.graph.directoryRole`, true, 200],
    ]);
    expect(graphLog[1]?.query).toEqual({ $select: 'id,onPremisesImmutableId,onPremisesSyncEnabled' });
  });

  test('a throttled user answers 429 with Retry-After inside a 200 batch; the SDK does not retry it', async () => {
    const request = [
      { id: '1', method: 'GET', url: '/users/grace@contoso.com?$select=id' },
      { id: '2', method: 'GET', url: '/users/alice@contoso.com?$select=id' },
    ];
    for (let i = 0; i < 2; i += 1) {
      const res = await batch(request);
      expect(byId(res, '1')).toMatchObject({ status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: 'TooManyRequests' } } });
      expect(byId(res, '2')?.status).toBe(200);
    }
    expect(byId(await batch(request), '1')?.status).toBe(200); // Grace's seeded rule: first 2 only
    expect(sandbox.requests().filter((r) => r.path === '/v1.0/$batch')).toHaveLength(3);
  });

  test('dependsOn a failed request: 424; more than 20 requests: 400', async () => {
    const res = await batch([
      { id: 'a', method: 'GET', url: '/users/ghost@contoso.com' },
      { id: 'b', method: 'PATCH', url: '/users/alice@contoso.com', dependsOn: ['a'], headers: { 'Content-Type': 'application/json' }, body: { onPremisesImmutableId: null } },
      { id: 'c', method: 'GET', url: '/domains/fabrikam.com', dependsOn: [] },
    ]);
    expect(res.responses.map((r) => [r.id, r.status])).toEqual([['a', 404], ['b', 424], ['c', 200]]);
    expect(sandbox.getUser('alice@contoso.com')?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);

    const many = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/domains/contoso.com' }));
    expect(await graphFailure(client.api('/$batch').post({ requests: many }))).toMatchObject({ statusCode: 400 });
    expect(await graphFailure(client.api('/$batch').post({ requests: [{ id: 'x', method: 'GET', url: '/users', dependsOn: ['later'] }] }))).toMatchObject({ statusCode: 400 });
  });

  test('PATCH inside a batch works and answers 204 without a body', async () => {
    const res = await batch([{ id: 'p', method: 'PATCH', url: `/users/${SANDBOX_USERS.judy}`, headers: { 'Content-Type': 'application/json' }, body: { onPremisesImmutableId: null } }]);
    expect(byId(res, 'p')?.status).toBe(204);
    expect(byId(res, 'p')?.body).toBeUndefined();
    expect(sandbox.getUser(SANDBOX_USERS.judy)?.onPremisesImmutableId).toBeNull();
  });
});

describe('faults', () => {
  test("top-level 429s are retried by the SDK's RetryHandler (two 429s, then success)", async () => {
    const grace = (await client.api('/users/grace@contoso.com').select('id').get()) as { id: string };
    expect(grace.id).toBe(SANDBOX_USERS.grace);
    const attempts = sandbox.requests().filter((r) => r.path === '/v1.0/users/grace@contoso.com');
    expect(attempts.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(attempts.map((r) => r.headers['retry-attempt'])).toEqual([undefined, '1', '2']);
    // Grace's rule counts her id and her UPN together: both uses are spent now.
    expect((await graphRaw(sandbox, 'GET', `/v1.0/users/${SANDBOX_USERS.grace}`, undefined, token)).status).toBe(200);
  });

  test('always throttled: the SDK gives up after 3 retries with GraphError 429', async () => {
    sandbox.clearFaults();
    sandbox.addFault({ pathIncludes: 'alice', status: 429, retryAfterSeconds: 0 });
    const failure = await graphFailure(client.api('/users/alice@contoso.com').get());
    expect(failure).toMatchObject({ statusCode: 429, code: 'TooManyRequests' });
    expect(sandbox.requests().filter((r) => r.path.includes('alice'))).toHaveLength(4);
  });

  test('503/504/500 carry Graph-shaped bodies; method filters; times', async () => {
    sandbox.addFault({ method: 'PATCH', pathIncludes: 'alice', status: 503, retryAfterSeconds: 7, times: 1 });
    sandbox.addFault({ method: 'GET', pathIncludes: '/domains/', status: 504, times: 1 });
    sandbox.addFault({ pathIncludes: '/organization', times: 1 });
    const patch = await graphRaw(sandbox, 'PATCH', '/v1.0/users/alice@contoso.com', { onPremisesImmutableId: null }, token);
    expect(patch.status).toBe(503);
    expect(patch.headers['retry-after']).toBe('7');
    expect((patch.json as GraphErrorBody).error.code).toBe('ServiceUnavailable');
    expect((await graphRaw(sandbox, 'GET', '/v1.0/users/alice@contoso.com', undefined, token)).status).toBe(200);
    const domain = await graphRaw(sandbox, 'GET', '/v1.0/domains/contoso.com', undefined, token);
    expect([domain.status, (domain.json as GraphErrorBody).error.code]).toEqual([504, 'GatewayTimeout']);
    expect((await graphRaw(sandbox, 'GET', '/v1.0/organization', undefined, token)).status).toBe(500);
    expect((await graphRaw(sandbox, 'PATCH', '/v1.0/users/alice@contoso.com', { onPremisesImmutableId: null }, token)).status).toBe(204);
  });

  test('delayMs slows the answer down; dropConnection destroys the socket', async () => {
    sandbox.addFault({ pathIncludes: '/domains/contoso.com', delayMs: 400, times: 1 });
    const started = Date.now();
    expect((await graphRaw(sandbox, 'GET', '/v1.0/domains/contoso.com', undefined, token)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);

    sandbox.addFault({ pathIncludes: '/domains/fabrikam.com', dropConnection: true, times: 1 });
    await expect(graphRaw(sandbox, 'GET', '/v1.0/domains/fabrikam.com', undefined, token)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(sandbox.requests().find((r) => r.path === '/v1.0/domains/fabrikam.com')?.status).toBe(0);
  });
});

describe('replication lag', () => {
  test("Heidi's seeded lag: after a write, reads (GET, $filter, $batch) still show the old value", async () => {
    await client.api('/users/heidi@contoso.com').patch({ onPremisesImmutableId: null });
    expect(sandbox.getUser('heidi@contoso.com')?.onPremisesImmutableId).toBeNull(); // written
    const read = (await client.api('/users/heidi@contoso.com').select('onPremisesImmutableId').get()) as { onPremisesImmutableId: string | null };
    expect(read.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.heidi);
    const filtered = await graphRaw(sandbox, 'GET', `/v1.0/users?$filter=${encodeURIComponent(`onPremisesImmutableId eq '${SANDBOX_IMMUTABLE_IDS.heidi}'`)}&$select=id`, undefined, token);
    expect((filtered.json as { value: { id: string }[] }).value.map((u) => u.id)).toEqual([SANDBOX_USERS.heidi]);
    const res = await batch([{ id: '1', method: 'GET', url: `/users/${SANDBOX_USERS.heidi}?$select=onPremisesImmutableId` }]);
    expect(byId(res, '1')?.body?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.heidi);
  });

  test('global lag: old value inside the window, new value after it', async () => {
    sandbox.setReplicationLag(800); // generous: the first read must land inside the window
    await client.api('/users/alice@contoso.com').patch({ onPremisesImmutableId: null });
    const readAlice = async (): Promise<unknown> =>
      ((await client.api('/users/alice@contoso.com').select('onPremisesImmutableId').get()) as { onPremisesImmutableId: unknown }).onPremisesImmutableId;
    expect(await readAlice()).toBe(SANDBOX_IMMUTABLE_IDS.alice);
    await new Promise((resolve) => setTimeout(resolve, 850));
    expect(await readAlice()).toBeNull();
  });
});

describe('auth and unknown routes', () => {
  test('no token or a bad token: 401 InvalidAuthenticationToken', async () => {
    const none = await rawRequest(sandbox, 'GET', '/v1.0/users/alice@contoso.com');
    expect(none.status).toBe(401);
    expect((none.json as GraphErrorBody).error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
    expect(sandbox.requests()[0]).toMatchObject({ status: 401, authorized: false });

    const forged = `${token.slice(0, token.lastIndexOf('.'))}.AAAA`;
    const bad = await graphRaw(sandbox, 'GET', '/v1.0/users/alice@contoso.com', undefined, forged);
    expect(bad.status).toBe(401);
    expect((bad.json as GraphErrorBody).error.message).toMatch(/validation failure/);
  });

  test('an expired token: 401', async () => {
    const shortLived = await startTestSandbox({ tokenLifetimeSeconds: 1 });
    try {
      const t = (await credentialFor(shortLived).getToken(`${shortLived.url}/.default`)).token;
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const res = await graphRaw(shortLived, 'GET', '/v1.0/users/alice@contoso.com', undefined, t);
      expect(res.status).toBe(401);
      expect((res.json as GraphErrorBody).error.code).toBe('InvalidAuthenticationToken');
    } finally {
      await shortLived.close();
    }
  });

  test('unknown routes, /beta and unemulated query options: 501 NotImplemented', async () => {
    const unknown = await graphRaw(sandbox, 'GET', '/v1.0/applications', undefined, token);
    expect(unknown.status).toBe(501);
    expect((unknown.json as GraphErrorBody).error).toMatchObject({ code: 'NotImplemented', message: 'The sandbox directory does not emulate GET /v1.0/applications' });
    expect((await graphRaw(sandbox, 'GET', '/v1.0/users/alice@contoso.com/onPremisesSyncBehavior', undefined, token)).status).toBe(501);
    expect((await graphRaw(sandbox, 'DELETE', '/v1.0/directory/deletedItems/' + SANDBOX_USERS.kate, undefined, token)).status).toBe(501);
    expect((await graphRaw(sandbox, 'GET', '/beta/users/alice@contoso.com/transitiveMemberOf', undefined, token)).status).toBe(501);
    expect((await graphRaw(sandbox, 'GET', '/v1.0/users/alice@contoso.com?$expand=manager', undefined, token)).status).toBe(501);
    expect((await rawRequest(sandbox, 'GET', '/something/else')).status).toBe(501);
    expect((await graphRaw(sandbox, 'GET', '/v1.0/me', undefined, token)).status).toBe(400); // app-only token
  });
});
