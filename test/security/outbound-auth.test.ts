/**
 * Outbound replies carry a token the bot got from the configured login endpoint
 * (ToChannelFromBotLoginUrl), with its own id and secret, over HTTPS: here the local issuer,
 * so the whole exchange runs offline (no instance discovery against login.microsoftonline.com).
 */
import { randomUUID } from 'node:crypto';
import { APPROVER, BOT, cardOf, Harness, HELPDESK, Person, startHarness } from '../helpers/bot-harness';
import {
  BOT_FRAMEWORK_SCOPE,
  BotFrameworkIssuer,
  startBotFrameworkIssuer,
  TEST_BOT_ID,
  TEST_BOT_PASSWORD,
  TEST_BOT_TENANT_ID,
} from '../helpers/bot-framework-issuer';

// A second bot registration: botbuilder caches tokens per process by app id and scope (not by
// secret or login URL), so the wrong-secret case must use an app id no other test has used.
const OTHER_BOT_ID = '0123b07b-0000-4000-8000-00000000b072';
const OTHER_BOT_PASSWORD = 'other-bot-registered-password';

let issuer: BotFrameworkIssuer;
beforeAll(async () => {
  issuer = await startBotFrameworkIssuer({ clients: { [TEST_BOT_ID]: TEST_BOT_PASSWORD, [OTHER_BOT_ID]: OTHER_BOT_PASSWORD } });
});
afterAll(async () => {
  await issuer?.close();
});

const conversationId = `a:personal-${randomUUID()}`;

function message(h: Harness, text = 'help', from: Person = HELPDESK, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    type: 'message',
    channelId: 'msteams',
    serviceUrl: h.connector.url,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: BOT,
    conversation: { id: conversationId, tenantId: h.tenantId, conversationType: 'personal' },
    channelData: { tenant: { id: h.tenantId } },
    text,
    textFormat: 'plain',
    ...extra,
  };
}

const bearer = (appId: string, h: Harness) => `Bearer ${issuer.sign({ aud: appId, serviceurl: h.connector.url })}`;

describe('with the right id and secret', () => {
  let h: Harness;
  beforeAll(async () => {
    // A short card-action deadline, so a slow confirm finishes with a proactive update.
    h = await startHarness({ BOT_ID: TEST_BOT_ID, BOT_PASSWORD: TEST_BOT_PASSWORD, BOT_TENANT_ID: TEST_BOT_TENANT_ID, CARD_ACTION_DEADLINE_MS: '100', ...issuer.cloudEnv() });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('replies reach the connector with a bearer token issued by the local login endpoint', async () => {
    const response = await h.post(message(h), { authorization: bearer(TEST_BOT_ID, h) });
    expect(response.status).toBe(200);
    await h.connector.waitFor((a) => a.some((r) => r.activity.type === 'message'), 5000);

    // The help card (and a typing indicator, had the reply been slow), each with the bot's token.
    expect(h.connector.activities.filter((a) => a.activity.type === 'message')).toHaveLength(1);
    for (const sent of h.connector.activities) {
      const token = /^Bearer (\S+)$/.exec(sent.authorization ?? '')?.[1];
      expect(issuer.issuedAccessTokens).toContain(token);
    }

    // MSAL read the login endpoint's OpenID configuration and used client credentials; no other request reached the issuer.
    expect(issuer.tokenRequests).toEqual([
      { grantType: 'client_credentials', clientId: TEST_BOT_ID, scope: BOT_FRAMEWORK_SCOPE, clientAuthenticated: true, status: 200 },
    ]);
    expect(issuer.requests.filter((r) => r.includes('/botframework.com/'))).toEqual([
      'GET /botframework.com/v2.0/.well-known/openid-configuration -> 200',
      'POST /botframework.com/oauth2/v2.0/token -> 200',
    ]);
    expect(issuer.requests.filter((r) => r.endsWith('-> 404'))).toEqual([]);
  });

  it('reuses the token for later replies', async () => {
    const before = issuer.tokenRequests.length;
    h.connector.clear();
    expect((await h.post(message(h), { authorization: bearer(TEST_BOT_ID, h) })).status).toBe(200);
    await h.connector.waitFor((a) => a.some((r) => r.activity.type === 'message'), 5000);
    expect(issuer.tokenRequests.length).toBe(before);
    expect(h.connector.activities.every((a) => a.authorization === `Bearer ${issuer.issuedAccessTokens[0]}`)).toBe(true);
  });

  it('proactive updates after a slow card action carry the token too', async () => {
    h.connector.clear();
    // heidi@contoso.com replicates slowly: verifying the clear outlasts the 100 ms deadline.
    expect((await h.post(message(h, 'clear immutable id for heidi@contoso.com'), { authorization: bearer(TEST_BOT_ID, h) })).status).toBe(200);
    const card = h.connector.messages().map((m) => cardOf(m.activity)).find(Boolean);
    const requestId = /"requestId":"([A-Za-z0-9_-]+)"/.exec(JSON.stringify(card))?.[1];
    expect(requestId).toBeDefined();
    h.connector.clear();

    const tap = message(h, '', APPROVER, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      text: undefined,
      replyToId: 'card-activity-1',
      value: { action: { type: 'Action.Execute', verb: 'clear.confirm', data: { requestId } }, trigger: 'manual' },
    });
    expect((await h.post(tap, { authorization: bearer(TEST_BOT_ID, h) })).status).toBe(200);
    await h.connector.waitFor((a) => a.some((r) => r.method === 'PUT' && r.activityId === 'card-activity-1'), 5000);
    for (const sent of h.connector.activities) {
      expect(issuer.issuedAccessTokens).toContain(/^Bearer (\S+)$/.exec(sent.authorization ?? '')?.[1]);
    }
  });
});

describe('with a wrong secret', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ BOT_ID: OTHER_BOT_ID, BOT_PASSWORD: 'not-the-registered-password', BOT_TENANT_ID: TEST_BOT_TENANT_ID, ...issuer.cloudEnv() });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the login endpoint refuses the bot and nothing is sent (the inbound request itself was valid: 200)', async () => {
    const response = await h.post(message(h), { authorization: bearer(OTHER_BOT_ID, h) });
    expect(response.status).toBe(200);
    const refused = issuer.tokenRequests.filter((r) => r.clientId === OTHER_BOT_ID);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => !r.clientAuthenticated && r.status === 401)).toBe(true);
    expect(h.connector.activities).toHaveLength(0);
  });
});
