/** The seven on-prem attributes: clearable on cloud-only users through beta, read-only in v1.0; UPN moves across domains. */
import type { Client } from '@microsoft/microsoft-graph-client';
import { CLEARABLE_ON_PREM_ATTRIBUTES, SANDBOX_ON_PREM_GUIDS, SANDBOX_USERS, type RunningSandbox } from '../../src/sandbox';
import { type GraphErrorBody, graphRaw, useTestSandbox } from './helpers';

let sandbox: RunningSandbox;
let client: Client;
let token: string;
useTestSandbox((started) => ({ sandbox, client, token } = started), { clearFaults: true });

const ALL_NULL = Object.fromEntries(CLEARABLE_ON_PREM_ATTRIBUTES.map((a) => [a, null]));
const select = CLEARABLE_ON_PREM_ATTRIBUTES.join(',');

test('beta serves all seven, onPremisesObjectIdentifier included; v1.0 does not know that one', async () => {
  const liam = (await graphRaw(sandbox, 'GET', `/beta/users/liam@contoso.com?$select=${select}`, undefined, token)).json as Record<string, unknown>;
  expect(liam).toMatchObject({
    '@odata.context': `${sandbox.url}/beta/$metadata#users(${select})/$entity`,
    onPremisesDistinguishedName: 'CN=Liam Leftover,OU=Staff,DC=corp,DC=contoso,DC=com',
    onPremisesDomainName: 'corp.contoso.com',
    onPremisesImmutableId: null,
    onPremisesObjectIdentifier: SANDBOX_ON_PREM_GUIDS.liam,
    onPremisesSamAccountName: 'liam',
    onPremisesSecurityIdentifier: expect.stringMatching(/^S-1-5-21-/) as unknown,
    onPremisesUserPrincipalName: 'liam@contoso.com',
  });
  expect((await graphRaw(sandbox, 'GET', '/v1.0/users/liam@contoso.com?$select=onPremisesObjectIdentifier', undefined, token)).status).toBe(400);
});

test('beta PATCH clears all seven on a cloud-only user: 204, and history keeps every old value', async () => {
  const before = { ...sandbox.getUser('alice@contoso.com') };
  const res = await graphRaw(sandbox, 'PATCH', `/beta/users/${SANDBOX_USERS.alice}`, ALL_NULL, token);
  expect(res.status).toBe(204);
  const after = (await client.api('/users/alice@contoso.com').version('beta').select(select).get()) as Record<string, unknown>;
  for (const attribute of CLEARABLE_ON_PREM_ATTRIBUTES) expect(after[attribute]).toBeNull();
  const change = sandbox.getUser('alice@contoso.com')?.history[0];
  expect(change?.next).toEqual(ALL_NULL);
  expect(change?.previous).toEqual(Object.fromEntries(CLEARABLE_ON_PREM_ATTRIBUTES.map((a) => [a, before[a]])));
});

test('beta refuses a synced user (400) and a non-null value for a read-only attribute (400)', async () => {
  const synced = await graphRaw(sandbox, 'PATCH', '/beta/users/bob@contoso.com', ALL_NULL, token);
  expect(synced.status).toBe(400);
  expect((synced.json as GraphErrorBody).error.code).toBe('Request_BadRequest');
  const setting = await graphRaw(sandbox, 'PATCH', '/beta/users/liam@contoso.com', { onPremisesSamAccountName: 'other' }, token);
  expect(setting.status).toBe(400);
  expect(sandbox.getUser('liam@contoso.com')?.onPremisesSamAccountName).toBe('liam');
});

test('v1.0 refuses writing the read-only on-prem attributes, as Graph does', async () => {
  for (const attribute of ['onPremisesDistinguishedName', 'onPremisesSecurityIdentifier', 'onPremisesUserPrincipalName']) {
    const res = await graphRaw(sandbox, 'PATCH', '/v1.0/users/liam@contoso.com', { [attribute]: null }, token);
    expect(res.status).toBe(400);
    expect((res.json as GraphErrorBody).error).toMatchObject({ code: 'Request_BadRequest', message: `Property '${attribute}' is read-only and cannot be set.` });
  }
  expect(sandbox.getUser('liam@contoso.com')?.history).toEqual([]);
});

test('beta answers nothing else (501): fail loudly', async () => {
  expect((await graphRaw(sandbox, 'GET', '/beta/domains', undefined, token)).status).toBe(501);
});

describe('UPN changes across domains', () => {
  test('GET /domains marks the tenant’s initial .onmicrosoft.com domain with isInitial', async () => {
    const domains = ((await client.api('/domains').select('id,isInitial,authenticationType').get()) as { value: Record<string, unknown>[] }).value;
    expect(domains.filter((d) => d.isInitial === true).map((d) => d.id)).toEqual(['contoso.onmicrosoft.com']);
    expect(domains.find((d) => d.id === 'fabrikam.com')?.authenticationType).toBe('Federated');
  });

  test('moving an anchorless user onto a federated domain is refused in Graph’s error shape', async () => {
    const res = await graphRaw(sandbox, 'PATCH', '/v1.0/users/ivan@contoso.com', { userPrincipalName: 'ivan@fabrikam.com' }, token);
    expect(res.status).toBe(400);
    expect((res.json as GraphErrorBody).error).toMatchObject({ code: 'Request_BadRequest', innerError: { 'request-id': expect.any(String) as unknown } });
    expect(sandbox.getUser(SANDBOX_USERS.ivan)?.userPrincipalName).toBe('ivan@contoso.com');
  });

  test('a federated user moved to the initial domain and cleared in one PATCH; an unverified domain is refused', async () => {
    expect((await graphRaw(sandbox, 'PATCH', `/v1.0/users/${SANDBOX_USERS.carol}`, { userPrincipalName: 'carol@contoso.onmicrosoft.com', onPremisesImmutableId: null }, token)).status).toBe(204);
    expect(sandbox.getUser(SANDBOX_USERS.carol)?.history[0]?.previous).toEqual({ userPrincipalName: 'carol@fabrikam.com', onPremisesImmutableId: expect.any(String) as unknown });
    expect((await graphRaw(sandbox, 'PATCH', `/v1.0/users/${SANDBOX_USERS.carol}`, { userPrincipalName: 'carol@unknown.example' }, token)).status).toBe(400);
  });
});
