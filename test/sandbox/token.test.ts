/** Entra token emulation, driven by the real @azure/identity credentials. */
import { ClientCertificateCredential } from '@azure/identity';
import { createSign } from 'crypto';
import { loadSandboxTls, REDACTED, SANDBOX_CLIENT_ID, SANDBOX_TENANT_ID, type RunningSandbox } from '../../src/sandbox';
import { credentialFor, graphClientFor, rawRequest, startTestSandbox } from './helpers';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const decodeJwt = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

const tokenPath = (tenant = SANDBOX_TENANT_ID): string => `/${tenant}/oauth2/v2.0/token`;

function postForm(path: string, fields: Record<string, string>) {
  return rawRequest(sandbox, 'POST', path, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** A JWT signed with the sandbox's server key: a stand-in for a certificate-signed assertion. */
function clientAssertion(claims: Record<string, unknown>): string {
  const head = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5t: 'c2FuZGJveA' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = createSign('RSA-SHA256').update(`${head}.${body}`).sign(loadSandboxTls().key).toString('base64url');
  return `${head}.${body}.${sig}`;
}

test('ClientSecretCredential gets an app-only Graph token with the expected claims', async () => {
  const token = await credentialFor(sandbox).getToken(`${sandbox.url}/.default`);
  const claims = decodeJwt(token.token);
  expect(claims).toMatchObject({
    aud: sandbox.url,
    iss: `https://sts.windows.net/${SANDBOX_TENANT_ID}/`,
    tid: SANDBOX_TENANT_ID,
    appid: SANDBOX_CLIENT_ID,
    roles: ['User.ReadWrite.All', 'Domain.Read.All', 'GroupMember.Read.All', 'RoleManagement.Read.Directory'],
  });
  expect(claims.exp).toBeGreaterThan(Date.now() / 1000 + 3500);
  expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3500 * 1000);

  // MSAL's path: OpenID metadata, then the token endpoint; nothing else.
  expect(sandbox.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
    `GET /${SANDBOX_TENANT_ID}/v2.0/.well-known/openid-configuration 200`,
    `POST /${SANDBOX_TENANT_ID}/oauth2/v2.0/token 200`,
  ]);
});

test("Graph's own scope works too, and the Graph client accepts that token", async () => {
  const token = await credentialFor(sandbox).getToken('https://graph.microsoft.com/.default');
  expect(decodeJwt(token.token).aud).toBe('https://graph.microsoft.com');
  const credential = credentialFor(sandbox);
  const { TokenCredentialAuthenticationProvider } = await import('@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials');
  const { Client } = await import('@microsoft/microsoft-graph-client');
  const client = Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] }),
    baseUrl: sandbox.url,
    customHosts: new Set(['127.0.0.1']),
  });
  const org = (await client.api('/organization').get()) as { value: { id: string }[] };
  expect(org.value[0]?.id).toBe(SANDBOX_TENANT_ID);
});

test('a wrong secret fails the credential with AADSTS7000215 and Entra’s error body', async () => {
  await expect(credentialFor(sandbox, 'not-the-secret').getToken(`${sandbox.url}/.default`)).rejects.toThrow(/AADSTS7000215/);

  const res = await postForm(tokenPath(), {
    grant_type: 'client_credentials',
    client_id: SANDBOX_CLIENT_ID,
    client_secret: 'not-the-secret',
    scope: `${sandbox.url}/.default`,
  });
  expect(res.status).toBe(401);
  const body = res.json as Record<string, unknown>;
  expect(body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
  expect(String(body.error_description)).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
  expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
});

test('unknown tenant (AADSTS90002), unknown client (AADSTS700016), bad scope, missing credentials', async () => {
  const base = { grant_type: 'client_credentials', client_id: SANDBOX_CLIENT_ID, client_secret: sandbox.clientSecret, scope: `${sandbox.url}/.default` };
  const unknownTenant = await postForm(tokenPath('00000000-0000-0000-0000-000000000000'), base);
  expect(unknownTenant.status).toBe(400);
  expect(unknownTenant.json).toMatchObject({ error_codes: [90002] });
  const metadata = await rawRequest(sandbox, 'GET', '/nope.example/v2.0/.well-known/openid-configuration');
  expect(metadata.json).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });

  const unknownClient = await postForm(tokenPath(), { ...base, client_id: '11111111-2222-3333-4444-555555555555' });
  expect(unknownClient.status).toBe(400);
  expect(unknownClient.json).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });

  const badScope = await postForm(tokenPath(), { ...base, scope: 'User.Read' });
  expect(badScope.json).toMatchObject({ error: 'invalid_scope', error_codes: [1002012] });
  const otherResource = await postForm(tokenPath(), { ...base, scope: 'https://api.botframework.com/.default' });
  expect(otherResource.json).toMatchObject({ error: 'invalid_resource', error_codes: [500011] });

  const { client_secret: _omit, ...noSecret } = base;
  const noCredentials = await postForm(tokenPath(), noSecret);
  expect(noCredentials.status).toBe(401);
  expect(noCredentials.json).toMatchObject({ error: 'invalid_client', error_codes: [7000218] });

  // The tenant can also be addressed by a verified domain name.
  expect((await postForm(tokenPath('contoso.onmicrosoft.com'), base)).status).toBe(200);
});

test('OpenID metadata points at the same host', async () => {
  const res = await rawRequest(sandbox, 'GET', `/${SANDBOX_TENANT_ID}/v2.0/.well-known/openid-configuration`);
  expect(res.json).toMatchObject({
    token_endpoint: `${sandbox.url}/${SANDBOX_TENANT_ID}/oauth2/v2.0/token`,
    issuer: `${sandbox.url}/${SANDBOX_TENANT_ID}/v2.0`,
    authorization_endpoint: `${sandbox.url}/${SANDBOX_TENANT_ID}/oauth2/v2.0/authorize`,
    jwks_uri: `${sandbox.url}/${SANDBOX_TENANT_ID}/discovery/v2.0/keys`,
  });
  expect((await rawRequest(sandbox, 'GET', '/common/discovery/instance?api-version=1.1')).status).toBe(200);
  expect((await rawRequest(sandbox, 'GET', `/${SANDBOX_TENANT_ID}/discovery/v2.0/keys`)).json).toEqual({ keys: [] });
});

test('certificate credentials: any well-formed assertion with iss = sub = client id is accepted', async () => {
  // The real ClientCertificateCredential builds and signs the assertion itself.
  const tls = loadSandboxTls();
  const credential = new ClientCertificateCredential(
    sandbox.tenantId,
    sandbox.clientId,
    { certificate: `${tls.key}\n${tls.cert}` },
    { authorityHost: sandbox.url, disableInstanceDiscovery: true },
  );
  const token = await credential.getToken(`${sandbox.url}/.default`);
  expect(decodeJwt(token.token)).toMatchObject({ appid: SANDBOX_CLIENT_ID, appidacr: '2' });

  const fields = {
    grant_type: 'client_credentials',
    client_id: SANDBOX_CLIENT_ID,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    scope: 'https://graph.microsoft.com/.default',
  };
  const now = Math.floor(Date.now() / 1000);
  const good = clientAssertion({ iss: SANDBOX_CLIENT_ID, sub: SANDBOX_CLIENT_ID, aud: `${sandbox.url}${tokenPath()}`, exp: now + 600 });
  expect((await postForm(tokenPath(), { ...fields, client_assertion: good })).status).toBe(200);
  const wrongIssuer = clientAssertion({ iss: 'someone-else', sub: SANDBOX_CLIENT_ID, exp: now + 600 });
  expect((await postForm(tokenPath(), { ...fields, client_assertion: wrongIssuer })).status).toBe(401);
  expect((await postForm(tokenPath(), { ...fields, client_assertion: 'not-a-jwt' })).status).toBe(401);
});

test('a fault rule can make the token endpoint fail', async () => {
  sandbox.addFault({ pathIncludes: '/oauth2/v2.0/token', status: 503, retryAfterSeconds: 2, times: 1 });
  const fields = { grant_type: 'client_credentials', client_id: SANDBOX_CLIENT_ID, client_secret: sandbox.clientSecret, scope: `${sandbox.url}/.default` };
  const failed = await postForm(tokenPath(), fields);
  expect(failed.status).toBe(503);
  expect(failed.headers['retry-after']).toBe('2');
  expect(failed.json).toMatchObject({ error: 'temporarily_unavailable' });
  expect((await postForm(tokenPath(), fields)).status).toBe(200); // times: 1
});

test('the request log never holds secrets, assertions or bearer tokens', async () => {
  const token = await credentialFor(sandbox).getToken(`${sandbox.url}/.default`);
  await graphClientFor(sandbox).api('/users/alice@contoso.com').get();
  const assertion = clientAssertion({ iss: SANDBOX_CLIENT_ID, sub: SANDBOX_CLIENT_ID });
  await postForm(tokenPath(), {
    grant_type: 'client_credentials',
    client_id: SANDBOX_CLIENT_ID,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    scope: `${sandbox.url}/.default`,
  });

  const log = sandbox.requests();
  const text = JSON.stringify(log);
  expect(text).not.toContain(sandbox.clientSecret);
  expect(text).not.toContain(token.token);
  expect(text).not.toContain(assertion);
  const tokenRequests = log.filter((r) => r.path.endsWith('/oauth2/v2.0/token'));
  const bodies = tokenRequests.map((r) => r.body as Record<string, string>);
  expect(bodies.filter((b) => 'client_secret' in b).every((b) => b.client_secret === REDACTED)).toBe(true);
  expect(bodies.filter((b) => 'client_secret' in b).length).toBeGreaterThan(0);
  expect(bodies.filter((b) => 'client_assertion' in b)).toEqual([expect.objectContaining({ client_assertion: REDACTED })]);
  expect(tokenRequests.every((r) => r.authorized && r.status === 200)).toBe(true);
  const graphCall = log.find((r) => r.path === '/v1.0/users/alice@contoso.com');
  expect(graphCall?.headers.authorization).toBe(`Bearer ${REDACTED}`);
  expect(graphCall?.authorized).toBe(true);
});
