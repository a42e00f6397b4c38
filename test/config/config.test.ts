import { loadConfig } from '../../src/config';
import { base, CLIENT, configProblems as problemsOf, TENANT } from './config-problems';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config.port).toBe(3978);
    expect(config.graph.endpoint).toBe('https://graph.microsoft.com');
    expect(config.graph.credential.kind).toBe('secret');
    expect(config.allowedTenantIds).toEqual([TENANT]);
    expect(config.roles.approverIds).toEqual([]);
    expect(config.bot.appId).toBe('');
    expect(config.host).toBe('127.0.0.1');
    expect(Object.isFrozen(config.graph)).toBe(true);
  });

  it('names every bad variable at once and what it should hold', () => {
    const problems = problemsOf({
      PORT: 'abc',
      BOT_ID: 'not-a-guid',
      BOT_TYPE: 'Weird',
      GRAPH_ENDPOINT: 'http://graph.example',
      APPROVER_IDS: 'bob,' + CLIENT,
      AZURE_CLIENT_ID: CLIENT,
    });
    const text = problems.join('\n');
    for (const name of ['PORT', 'BOT_ID', 'BOT_TYPE', 'GRAPH_ENDPOINT', 'APPROVER_IDS', 'AZURE_TENANT_ID']) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/APPROVER_IDS: "bob" not an Entra object id/);
    expect(text).toMatch(/GRAPH_ENDPOINT: must be an https URL/);
  });

  it('re-checks waiting "Clear when unsynced" requests every 15m by default; UNSYNC_CHECK_INTERVAL must be a duration from 1 second to 1 day', () => {
    expect(loadConfig(base).approvals.unsyncCheckIntervalMs).toBe(15 * 60_000);
    expect(loadConfig({ ...base, UNSYNC_CHECK_INTERVAL: '5m' }).approvals.unsyncCheckIntervalMs).toBe(5 * 60_000);
    expect(problemsOf({ ...base, UNSYNC_CHECK_INTERVAL: 'often' }).join('\n')).toMatch(/UNSYNC_CHECK_INTERVAL: "often" is not a duration/);
    expect(problemsOf({ ...base, UNSYNC_CHECK_INTERVAL: '10ms' }).join('\n')).toMatch(/UNSYNC_CHECK_INTERVAL: "10ms" is shorter than 1 second/);
    expect(problemsOf({ ...base, UNSYNC_CHECK_INTERVAL: '2d' })).toHaveLength(1);
  });

  it('requires a password with a bot id, and a tenant for single-tenant bots', () => {
    const problems = problemsOf({ ...base, BOT_ID: CLIENT, BOT_TYPE: 'SingleTenant' });
    expect(problems.join('\n')).toMatch(/BOT_PASSWORD: required/);
    expect(problems.join('\n')).toMatch(/BOT_TENANT_ID: required for BOT_TYPE=SingleTenant/);
  });

  it('defaults BOT_TYPE to SingleTenant, which needs the bot\'s tenant once BOT_ID is set', () => {
    expect(loadConfig(base).bot.appType).toBe('SingleTenant');
    expect(problemsOf({ ...base, BOT_ID: CLIENT, BOT_PASSWORD: 'p' }).join('\n')).toMatch(/BOT_TENANT_ID: required for BOT_TYPE=SingleTenant/);
    const config = loadConfig({ ...base, BOT_ID: CLIENT, BOT_PASSWORD: 'p', BOT_TENANT_ID: TENANT });
    expect(config.bot).toMatchObject({ appId: CLIENT, appType: 'SingleTenant', tenantId: TENANT });
  });

  it('takes STORAGE_ACCOUNT_URL as a blob endpoint, normalised, and refuses it with a connection string', () => {
    expect(loadConfig({ ...base, STORAGE_ACCOUNT_URL: 'https://botstate.blob.core.windows.net/' }).storage).toEqual({
      accountUrl: 'https://botstate.blob.core.windows.net',
      containerName: 'immutable-id-bot',
    });
    expect(loadConfig({ ...base, STORAGE_ACCOUNT_URL: 'https://127.0.0.1:10000/devstoreaccount1' }).storage.accountUrl).toBe(
      'https://127.0.0.1:10000/devstoreaccount1',
    );
    expect(problemsOf({ ...base, STORAGE_ACCOUNT_URL: 'https://a.blob.core.windows.net', STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }).join()).toMatch(
      /STORAGE_CONNECTION_STRING, STORAGE_ACCOUNT_URL: set one of them, not both/,
    );
  });

  it.each([
    ['http://127.0.0.1:10000/devstoreaccount1', /must be https \(a token is never sent over plain http\).*use STORAGE_CONNECTION_STRING/],
    ['https://a.blob.core.windows.net/?sv=2024&sig=abc', /without a SAS token/],
    ['https://a.blob.core.windows.net/immutable-id-bot', /names a container or blob.*STORAGE_CONTAINER_NAME/],
    ['botstate', /is not a URL/],
  ])('explains a bad STORAGE_ACCOUNT_URL %s', (value, message) => {
    const problems = problemsOf({ ...base, STORAGE_ACCOUNT_URL: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^STORAGE_ACCOUNT_URL: /);
    expect(problems[0]).toMatch(message);
    // A SAS signature is a secret: it is never echoed.
    expect(problems[0]).not.toContain('sig=abc');
  });

  it('binds to all interfaces only when inbound auth is on', () => {
    const config = loadConfig({ ...base, BOT_ID: CLIENT, BOT_PASSWORD: 'p', BOT_TYPE: 'MultiTenant' });
    expect(config.host).toBe('0.0.0.0');
  });

  it('turns instance discovery off for a non-Microsoft authority and keeps it for Microsoft clouds', () => {
    expect(loadConfig({ ...base, AZURE_AUTHORITY_HOST: 'https://127.0.0.1:8443' }).graph.disableInstanceDiscovery).toBe(true);
    expect(loadConfig({ ...base, AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us' }).graph.disableInstanceDiscovery).toBe(false);
  });

  it('chooses certificate or managed identity by the variables present', () => {
    expect(loadConfig({ AZURE_TENANT_ID: TENANT, AZURE_CLIENT_ID: CLIENT, AZURE_CLIENT_CERTIFICATE_PATH: '/c.pem' }).graph.credential.kind).toBe('certificate');
    expect(loadConfig({ AZURE_TENANT_ID: TENANT }).graph.credential.kind).toBe('managed-identity');
    expect(problemsOf({ ...base, AZURE_CLIENT_CERTIFICATE_PATH: '/c.pem' }).join()).toMatch(/set one of them, not both/);
  });

  it('requires all seven botbuilder cloud settings together', () => {
    const problems = problemsOf({ ...base, ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1/x' });
    expect(problems.join()).toMatch(/ToBotFromChannelTokenIssuer/);
    expect(problems.join()).toMatch(/must be set all together/);
  });

  it('parses approver and tenant lists', () => {
    const other = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const config = loadConfig({ ...base, APPROVER_IDS: ` ${CLIENT.toUpperCase()} , ${other}`, ALLOWED_TENANT_IDS: other });
    expect(config.roles.approverIds).toEqual([CLIENT, other]);
    expect(config.allowedTenantIds).toEqual([other]);
  });
});
