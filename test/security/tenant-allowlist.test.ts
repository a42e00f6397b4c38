/**
 * Threat: someone in another Entra tenant (or a crafted activity without one) talks to the bot.
 * Activities from a tenant not in ALLOWED_TENANT_IDS are ignored and logged, with no Graph call,
 * whatever they are: a command, an Action.Execute tap, or the Action.Submit fallback.
 */
import { silentLogger } from '../../src/log';
import { SANDBOX_TENANT_ID } from '../../src/sandbox';
import { APPROVER, Harness, startHarness } from '../helpers/bot-harness';
import { baseActivity, executeValue, graphRequests, invoke, patches, requestClear, submit, writes } from '../helpers/security-helpers';

const FOREIGN_TENANT = '99999999-9999-4999-8999-999999999999';
const OTHER_ALLOWED_TENANT = '0a1b2c3d-0000-4000-8000-0000000000aa';

describe('with the default allow-list (the Graph tenant only)', () => {
  let h: Harness;
  let warn: jest.SpyInstance;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.sandbox.reset();
    h.connector.clear();
    warn = jest.spyOn(silentLogger, 'warn');
  });
  afterEach(() => warn.mockRestore());

  const ignoredLogs = () => warn.mock.calls.filter(([event]) => event === 'activity.ignored_tenant').map(([, fields]) => fields as Record<string, unknown>);

  it('ignores a command from a foreign tenant: no reply, no Graph call, one warning naming the tenant', async () => {
    expect(await h.say('show alice@contoso.com', { tenantId: FOREIGN_TENANT })).toBe(200);
    expect(h.connector.activities).toHaveLength(0);
    expect(h.sandbox.requests()).toHaveLength(0);
    expect(ignoredLogs()).toEqual([expect.objectContaining({ tenantId: FOREIGN_TENANT, activityType: 'message' })]);
  });

  it('ignores an activity that names no tenant at all', async () => {
    const activity = baseActivity(h, { from: APPROVER });
    delete (activity.conversation as Record<string, unknown>).tenantId;
    activity.channelData = {};
    expect((await h.post({ ...activity, type: 'message', text: 'show alice@contoso.com' })).status).toBe(200);
    expect(h.connector.activities).toHaveLength(0);
    expect(h.sandbox.requests()).toHaveLength(0);
    expect(ignoredLogs()).toEqual([expect.objectContaining({ tenantId: '(none)' })]);
  });

  it('ignores an Action.Execute Confirm from a foreign tenant even for a real pending request and an approver id', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com');
    h.sandbox.clearRequests();
    h.connector.clear();
    const tap = await invoke(h, executeValue('clear.confirm', { requestId }), { tenantId: FOREIGN_TENANT, replyToId: cardMessageId });
    // A clean invoke response that changes nothing (never botbuilder's 501), and nothing reached Graph.
    expect(tap.status).toBe(200);
    expect(tap.body?.statusCode).toBe(200);
    expect(tap.body?.type).not.toBe('application/vnd.microsoft.card.adaptive');
    expect(h.sandbox.requests()).toHaveLength(0);
    expect(h.connector.activities).toHaveLength(0);
    expect(ignoredLogs()).toEqual([expect.objectContaining({ tenantId: FOREIGN_TENANT, activityType: 'invoke' })]);
    // The request is untouched: an approver in the served tenant can still approve it, once.
    const real = await h.tap('clear.confirm', { requestId }, { replyToId: cardMessageId });
    expect(real.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(patches(h.sandbox)).toHaveLength(1);
  });

  it.each(['adaptiveCard/action', 'composeExtension/query', 'task/fetch', 'some/unknownInvoke'])(
    'answers a %s invoke from a foreign tenant with a non-5xx response and no Graph call',
    async (name) => {
      const response = await h.post({ ...baseActivity(h, { tenantId: FOREIGN_TENANT }), type: 'invoke', name, value: {} });
      expect(response.status).toBeLessThan(500);
      expect(h.sandbox.requests()).toHaveLength(0);
      expect(h.connector.activities).toHaveLength(0);
    },
  );

  it('answers an invoke it has no handler for, from its own tenant, with 200 rather than 501', async () => {
    const response = await h.post({ ...baseActivity(h), type: 'invoke', name: 'some/unknownInvoke', value: {} });
    expect(response.status).toBe(200);
    expect(writes(h.sandbox)).toHaveLength(0);
  });

  it('ignores the Action.Submit fallback from a foreign tenant', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com');
    h.sandbox.clearRequests();
    h.connector.clear();
    const { status } = await submit(h, { verb: 'clear.confirm', requestId }, { tenantId: FOREIGN_TENANT, replyToId: cardMessageId });
    expect(status).toBe(200);
    expect(h.sandbox.requests()).toHaveLength(0);
    expect(h.connector.activities).toHaveLength(0);
    expect(writes(h.sandbox)).toHaveLength(0);
  });

  it('serves its own tenant however the GUID is cased (the gate is not just "refuse everything")', async () => {
    expect(await h.say('show alice@contoso.com', { tenantId: h.tenantId.toUpperCase() })).toBe(200);
    expect(graphRequests(h.sandbox).length).toBeGreaterThan(0);
    expect(h.connector.messages().length).toBeGreaterThan(0);
    expect(ignoredLogs()).toHaveLength(0);
  });
});

describe('with ALLOWED_TENANT_IDS set explicitly', () => {
  it('serves exactly the listed tenants: the Graph tenant is refused when it is not listed', async () => {
    const h = await startHarness({ ALLOWED_TENANT_IDS: OTHER_ALLOWED_TENANT });
    try {
      await h.say('show alice@contoso.com');
      expect(h.connector.activities).toHaveLength(0);
      expect(h.sandbox.requests()).toHaveLength(0);
      await h.say('help', { tenantId: OTHER_ALLOWED_TENANT });
      expect(h.connector.messages()).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('serves every tenant of a comma-separated list and nothing else', async () => {
    const h = await startHarness({ ALLOWED_TENANT_IDS: `${OTHER_ALLOWED_TENANT}, ${SANDBOX_TENANT_ID}` });
    try {
      await h.say('show alice@contoso.com');
      expect(graphRequests(h.sandbox).length).toBeGreaterThan(0);
      h.sandbox.clearRequests();
      h.connector.clear();
      await h.say('show alice@contoso.com', { tenantId: FOREIGN_TENANT });
      expect(h.connector.activities).toHaveLength(0);
      expect(h.sandbox.requests()).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});
