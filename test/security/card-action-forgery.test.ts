/**
 * Threat: a forged, replayed, expired or cross-conversation card action, or a tap by someone
 * without the role, makes the bot write to the directory.
 *
 * Card action data is an opaque, unguessable request id; the actor is re-checked at every tap;
 * forged, replayed, expired or cross-conversation actions are refused without a Graph write
 * (conversation ids are compared without the ";messageid=" suffix of channel threads). The
 * Action.Submit fallback (a message with `value: {verb, requestId}` and no text) goes through the
 * same checks.
 */
import { SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS } from '../../src/sandbox';
import { findActions } from '../cards/card-text';
import { APPROVER, APPROVER_2, cardOf, Harness, HELPDESK, OUTSIDER, startHarness , useHarness } from '../helpers/bot-harness';
import {
  cardText,
  executeValue,
  graphRequests,
  invoke,
  lastCard,
  lastText,
  patches,
  requestClear,
  sleep,
  submit,
  writes,
  advanceClock,
} from '../helpers/security-helpers';

const MESSAGE = 'application/vnd.microsoft.activity.message';
const CARD = 'application/vnd.microsoft.card.adaptive';

// Many requests per test: the command rate limit (tested on its own) must not interfere.
const h = useHarness({ RATE_LIMIT_PER_MINUTE: '10000' });

/** Nothing at all was written to the directory, and alice still has her anchor. */
function expectNoWrite(): void {
  expect(writes(h.sandbox)).toHaveLength(0);
  expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
}

describe('card action data', () => {
  it('is only an opaque request id of at least 128 random bits: distinct every time, and nothing about the target', async () => {
    const ids = new Set<string>();
    for (const who of ['alice@contoso.com', 'judy@contoso.onmicrosoft.com', '$frank@contoso.com', "o'brien@contoso.com", 'alice@contoso.com']) {
      await requestClear(h, who);
      const card = lastCard(h);
      for (const action of findActions(card)) {
        if (action.type === 'Action.ShowCard' || action.data === undefined) continue;
        const keys = Object.keys(action.data as object).sort();
        expect(keys).toEqual(action.isFallback ? ['requestId', 'verb'] : ['requestId']);
        const id = (action.data as { requestId: string }).requestId;
        // At least 128 random bits, whatever the alphabet (hex: 4 bits a character, base64url: 6).
        expect(id).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
        expect(id.length * (/^[0-9a-f]+$/.test(id) ? 4 : 6)).toBeGreaterThanOrEqual(128);
        expect(JSON.stringify(action.data)).not.toMatch(/contoso|a11ce000|@/i);
        ids.add(id);
      }
      // The card refresh carries the same id only.
      const refresh = (card as { refresh?: { action?: { data?: unknown } } }).refresh?.action?.data;
      if (refresh) expect(Object.keys(refresh)).toEqual(['requestId']);
    }
    expect(ids.size).toBe(5); // one per request, never reused (the same user twice gets two ids)
  });
});

describe('forged actions', () => {
  it('refuses a well-formed id that no request has, without any Graph call', async () => {
    const { body } = await h.tap('clear.confirm', { requestId: 'Zm9yZ2VkLWlkLW5vdC1yZWFs' });
    expect(body.type).toBe(MESSAGE);
    expect(String(body.value)).toMatch(/can't find this request/);
    expect(graphRequests(h.sandbox)).toHaveLength(0);
  });

  it.each([
    ['a path', { requestId: '../../users/a11ce000-0000-4000-8000-000000000001' }],
    ['a too-short id', { requestId: 'abc' }],
    ['an OData expression', { requestId: "x' or 1 eq 1 or 'x" }],
    ['a number', { requestId: 12345678901234567890 }],
    ['an object', { requestId: { $ne: null } }],
    ['an array', { requestId: ['AAAAAAAAAAAAAAAAAAAAAA'] }],
    ['no id', {}],
  ])('refuses %s as request id without any Graph call', async (_what, data) => {
    await requestClear(h, 'alice@contoso.com'); // a real pending request exists meanwhile
    h.sandbox.clearRequests();
    const { body } = await h.tap('clear.confirm', data as Record<string, unknown>);
    expect(body.type).toBe(MESSAGE);
    expect(String(body.value)).toMatch(/didn't recognise that button/);
    expect(graphRequests(h.sandbox)).toHaveLength(0);
    expectNoWrite();
  });

  it.each([
    ['an unknown verb', executeValue('user.delete', { requestId: 'AAAAAAAAAAAAAAAAAAAAAA' })],
    ['an Action.Submit type inside an invoke', { action: { type: 'Action.Submit', verb: 'clear.confirm', data: { requestId: 'AAAAAAAAAAAAAAAAAAAAAA' } } }],
    ['a value that is not an object', 'clear.confirm'],
    ['data that is not an object', { action: { type: 'Action.Execute', verb: 'clear.confirm', data: 'AAAAAAAAAAAAAAAAAAAAAA' } }],
  ])('refuses %s', async (_what, value) => {
    const { body } = await invoke(h, value);
    expect(body?.type).toBe(MESSAGE);
    expect(String(body?.value)).toMatch(/didn't recognise/);
    expect(graphRequests(h.sandbox)).toHaveLength(0);
  });

  it('ignores smuggled target fields: the server-side request decides what is written and to whom', async () => {
    const { requestId } = await requestClear(h, 'alice@contoso.com');
    const { body } = await h.tap('clear.confirm', {
      requestId,
      targetId: SANDBOX_USERS.dave,
      userId: SANDBOX_USERS.dave,
      targetUpn: 'dave@contoso.com',
      newValue: 'AAAAAAAAAAAAAAAAAAAAAA==',
      onPremisesImmutableId: 'AAAAAAAAAAAAAAAAAAAAAA==',
      verb: 'clear.cancel',
    });
    expect(body.type).toBe(CARD);
    expect(patches(h.sandbox)).toHaveLength(1);
    expect(patches(h.sandbox)[0]).toMatchObject({ path: `/v1.0/users/${SANDBOX_USERS.alice}`, body: { onPremisesImmutableId: null } });
    expect(h.sandbox.getUser(SANDBOX_USERS.dave)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.dave);
  });

  it('is not fooled by a "__proto__" key carrying the request id', async () => {
    const { requestId } = await requestClear(h, 'alice@contoso.com');
    // JSON.parse makes "__proto__" an own property, which JSON.stringify then sends as-is.
    const value = JSON.parse(`{"action":{"type":"Action.Execute","verb":"clear.confirm","data":{"__proto__":{"requestId":"${requestId}"}}}}`) as unknown;
    const { body } = await invoke(h, value);
    expect(body?.type).toBe(MESSAGE);
    expect(String(body?.value)).toMatch(/didn't recognise/);
    expectNoWrite();
  });
});

describe('the actor is re-checked at every tap', () => {
  it.each([
    ['Confirm by the requester, who is not an approver', 'clear.confirm', {}, HELPDESK, /not allowed to approve/],
    ['Confirm by an outsider', 'clear.confirm', {}, OUTSIDER, /not allowed to approve/],
    ['Reject by an outsider', 'clear.reject', { rejectReason: 'because I can' }, OUTSIDER, /Only the bot's approvers can reject/],
    ['Cancel by an outsider', 'clear.cancel', {}, OUTSIDER, /Only the person who asked, or an approver, can cancel/],
    ['Add reason by an approver who did not ask', 'request.reason', { reason: 'ticket INC1' }, APPROVER, /Only the person who asked can add a reason/],
  ])('refuses %s and leaves the request for the right person', async (_what, verb, inputs, from, message) => {
    const { requestId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK });
    const { body } = await h.tap(verb, { requestId, ...inputs }, { from });
    expect(body.type).toBe(MESSAGE);
    expect(String(body.value)).toMatch(message);
    expectNoWrite();
    // Still pending: the real approver's tap clears it.
    const real = await h.tap('clear.confirm', { requestId }, { from: APPROVER });
    expect(cardText(real.body.value)).toMatch(/cleared/i);
    expect(patches(h.sandbox)).toHaveLength(1);
  });

  it("refuses a tap that carries an approver's name but not their Entra object id", async () => {
    const { requestId } = await requestClear(h, 'alice@contoso.com');
    const impostor = { id: 'someone', aadObjectId: '', name: APPROVER.name };
    const { body } = await h.tap('clear.confirm', { requestId }, { from: impostor });
    expect(String(body.value)).toMatch(/not allowed to approve/);
    expectNoWrite();
    expect(h.audit.entries.map((e) => e.event)).toContain('request.refused');
  });

  it('checks the tapper, not whoever the card was shown to: an outsider gets no buttons on refresh', async () => {
    const { requestId } = await requestClear(h, 'alice@contoso.com');
    const { body } = await h.tap('request.refresh', { requestId }, { from: OUTSIDER });
    expect(findActions(body.value).filter((a) => a.verb === 'request.approve' || a.verb === 'request.reject')).toHaveLength(0);
    expectNoWrite();
  });
});

describe('replayed actions', () => {
  it('runs the change once however often Confirm is replayed, including the identical invoke activity', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com');
    const activityId = 'invoke-replayed-1';
    const first = await invoke(h, executeValue('clear.confirm', { requestId }), { id: activityId, replyToId: cardMessageId });
    expect(cardText(first.body?.value)).toMatch(/cleared/i);
    h.sandbox.getUser(SANDBOX_USERS.alice)!.onPremisesImmutableId = SANDBOX_IMMUTABLE_IDS.alice; // re-anchored meanwhile
    for (const from of [APPROVER, APPROVER_2, APPROVER]) {
      const again = await invoke(h, executeValue('clear.confirm', { requestId }), { id: activityId, replyToId: cardMessageId, from });
      expect(again.body?.type).toBe(MESSAGE);
      expect(String(again.body?.value)).toMatch(/already approved by Adele Approver .*Nothing more was changed/);
    }
    await submit(h, { verb: 'clear.confirm', requestId }, { replyToId: cardMessageId });
    expect(patches(h.sandbox)).toHaveLength(1);
    expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  });

  it('counts a replayed approval once when two approvals are needed', async () => {
    const two = await startHarness({ REQUIRED_APPROVALS: '2' });
    try {
      const { requestId } = await requestClear(two, 'alice@contoso.com');
      for (let i = 0; i < 3; i++) await two.tap('clear.confirm', { requestId }, { from: APPROVER });
      expect(patches(two.sandbox)).toHaveLength(0);
      const second = await two.tap('clear.confirm', { requestId }, { from: APPROVER_2 });
      expect(cardText(second.body.value)).toMatch(/cleared/i);
      expect(patches(two.sandbox)).toHaveLength(1);
    } finally {
      await two.close();
    }
  });

  it('refuses Confirm after a Cancel, and Reject after a Confirm', async () => {
    const cancelled = await requestClear(h, 'alice@contoso.com');
    await h.tap('clear.cancel', { requestId: cancelled.requestId }, { from: HELPDESK });
    const late = await h.tap('clear.confirm', { requestId: cancelled.requestId });
    expect(String(late.body.value)).toMatch(/already cancelled/);
    expectNoWrite();

    const done = await requestClear(h, 'judy@contoso.onmicrosoft.com');
    await h.tap('clear.confirm', { requestId: done.requestId });
    const reject = await h.tap('clear.reject', { requestId: done.requestId, rejectReason: 'too late' }, { from: APPROVER_2 });
    expect(String(reject.body.value)).toMatch(/already approved/);
    expect(patches(h.sandbox)).toHaveLength(1);
  });
});

describe('expired actions', () => {
  let x: Harness;
  beforeAll(async () => {
    // Housekeeping runs only when the test calls it; the test moves the clock past the TTL.
    x = await startHarness({ REQUEST_TTL: '1d', SWEEP_INTERVAL: '1h' });
  });
  afterAll(() => x.close());
  beforeEach(() => {
    x.sandbox.reset();
    x.connector.clear();
  });

  it('refuses Confirm on a request the housekeeping expired', async () => {
    const { requestId } = await requestClear(x, 'alice@contoso.com');
    advanceClock(x, 25 * 3600_000);
    await x.app.sweep();
    const { body } = await x.tap('clear.confirm', { requestId });
    expect(String(body.value)).toMatch(/expired/);
    expect(writes(x.sandbox)).toHaveLength(0);
  });

  it('refuses Confirm on a request past its expiry even before the housekeeping ran', async () => {
    const { requestId } = await requestClear(x, 'alice@contoso.com');
    advanceClock(x, 25 * 3600_000);
    // No sweep: the request is past expiresAt but still says "awaiting-approval" in storage.
    const { body } = await x.tap('clear.confirm', { requestId });
    expect(body.type).toBe(MESSAGE);
    expect(String(body.value)).toMatch(/expired/);
    expect(writes(x.sandbox)).toHaveLength(0);
    expect(x.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  });
});

describe('cross-conversation actions', () => {
  it.each([
    ['Confirm', 'clear.confirm', {}],
    ['Reject', 'clear.reject', { rejectReason: 'no' }],
    ['Cancel', 'clear.cancel', {}],
    ['Add reason', 'request.reason', { reason: 'x' }],
  ])('refuses %s from another chat', async (_what, verb, inputs) => {
    const { requestId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK });
    const from = verb === 'request.reason' || verb === 'request.cancel' ? HELPDESK : APPROVER;
    const { body } = await h.tap(verb, { requestId, ...inputs }, { from, conversation: 'groupChat' });
    expect(String(body.value)).toMatch(/belongs to another conversation/);
    expectNoWrite();
    expect(h.audit.entries.map((e) => e.event)).toEqual(['request.created']);
  });

  it('accepts a tap from a thread of the channel the request was made in (";messageid=" ignored)', async () => {
    const { requestId } = await requestClear(h, 'alice@contoso.com', { conversation: 'channel' });
    const thread = `${h.conversationIdFor('channel')};messageid=1732540000000`;
    const { body } = await h.tap('clear.confirm', { requestId }, { conversation: 'channel', conversationId: thread });
    expect(cardText(body.value)).toMatch(/cleared/i);
    expect(patches(h.sandbox)).toHaveLength(1);
  });

  it.each([
    ['whose id only starts with the channel id', (c: string) => `${c.replace('@thread', 'x@thread')};messageid=1`],
    ['whose id has the channel id as a prefix', (c: string) => `${c}x`],
    ['that names the channel after ";messageid="', (c: string) => `19:evil@thread.tacv2;messageid=${c}`],
    ['that is the channel id upper-cased', (c: string) => c.toUpperCase()],
  ])('refuses a tap from a conversation %s', async (_what, make) => {
    const { requestId } = await requestClear(h, 'alice@contoso.com', { conversation: 'channel' });
    const { body } = await h.tap('clear.confirm', { requestId }, { conversation: 'channel', conversationId: make(h.conversationIdFor('channel')) });
    expect(String(body.value)).toMatch(/belongs to another conversation/);
    expectNoWrite();
  });

  it('does not show a request to someone in another conversation through a refresh', async () => {
    const { requestId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK });
    const { body } = await h.tap('request.refresh', { requestId }, { from: OUTSIDER, conversation: 'groupChat' });
    const shown = body.type === CARD ? cardText(body.value) : String(body.value);
    expect(shown).not.toContain(SANDBOX_IMMUTABLE_IDS.alice);
    expect(shown).not.toContain('alice@contoso.com');
    expect(shown).not.toContain(SANDBOX_USERS.alice);
  });
});

describe('the Action.Submit fallback goes through the same checks', () => {
  it('refuses a forged id', async () => {
    const { status } = await submit(h, { verb: 'clear.confirm', requestId: 'Zm9yZ2VkLWlkLW5vdC1yZWFs' });
    expect(status).toBe(200);
    expect(lastText(h)).toMatch(/can't find this request/);
    expect(graphRequests(h.sandbox)).toHaveLength(0);
  });

  it('refuses someone who is not an approver', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK });
    await submit(h, { verb: 'clear.confirm', requestId }, { from: OUTSIDER, replyToId: cardMessageId });
    expect(lastText(h)).toMatch(/not allowed to approve/);
    expectNoWrite();
  });

  it('refuses a tap from another conversation', async () => {
    const { requestId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK });
    await submit(h, { verb: 'clear.confirm', requestId }, { conversation: 'groupChat' });
    expect(lastText(h)).toMatch(/belongs to another conversation/);
    expectNoWrite();
  });

  it('refuses an expired request', async () => {
    const x = await startHarness({ REQUEST_TTL: '1d', SWEEP_INTERVAL: '1h' });
    try {
      const { requestId } = await requestClear(x, 'alice@contoso.com');
      advanceClock(x, 25 * 3600_000);
      await x.app.sweep();
      await submit(x, { verb: 'clear.confirm', requestId });
      expect(lastText(x)).toMatch(/expired/);
      expect(writes(x.sandbox)).toHaveLength(0);
    } finally {
      await x.close();
    }
  });

  it('runs a genuine approval once and replaces the tapped card with the outcome', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK });
    const { status } = await submit(h, { verb: 'clear.confirm', requestId }, { replyToId: cardMessageId });
    expect(status).toBe(200);
    expect(patches(h.sandbox)).toHaveLength(1);
    const update = h.connector.activities.find((a) => a.method === 'PUT' && a.activityId === cardMessageId);
    expect(cardText(cardOf(update!.activity))).toMatch(/cleared/i);
    // Replayed: nothing more.
    await submit(h, { verb: 'clear.confirm', requestId }, { replyToId: cardMessageId });
    expect(lastText(h)).toMatch(/already approved/);
    expect(patches(h.sandbox)).toHaveLength(1);
  });

  it('treats a Submit payload that is not a valid action as chat, not as an action', async () => {
    const { requestId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK });
    h.sandbox.clearRequests();
    await submit(h, { verb: 'clear.confirm', requestId: `${requestId}/../x` });
    await submit(h, { verb: 'clear.delete', requestId });
    expect(graphRequests(h.sandbox)).toHaveLength(0);
  });
});
