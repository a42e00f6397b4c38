/**
 * The whole flow over HTTP: Teams activities into the bot, the real Graph client and
 * @azure/identity against the sandbox directory, replies into a recording connector.
 */
import { SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, APPROVER_2, cardOf, Harness, HELPDESK, startHarness } from '../helpers/bot-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sandbox.reset();
  h.connector.clear();
  h.audit.entries.length = 0;
});

/** Graph calls (not token requests) that reached the sandbox, top level only. */
const graphCalls = () => h.sandbox.requests().filter((r) => r.path.startsWith('/v1.0') && !r.viaBatch);
const patches = () => h.sandbox.requests().filter((r) => r.method === 'PATCH');
const lastCard = () => {
  const messages = h.connector.messages();
  for (let i = messages.length - 1; i >= 0; i--) {
    const c = cardOf(messages[i]!.activity);
    if (c) return c;
  }
  throw new Error('no card was sent');
};
const lastText = () => {
  const texts = h.connector.messages().filter((m) => m.activity.text);
  return texts[texts.length - 1]?.activity.text ?? '';
};
const cardText = (card: Record<string, unknown>) => collectCardText(card).join('\n');
const confirmRequestId = (card: Record<string, unknown>): string => {
  const confirm = findActions(card).find((a) => a.verb === 'request.approve' && a.type === 'Action.Execute');
  if (!confirm) throw new Error(`no Confirm button on: ${cardText(card)}`);
  return (confirm.data as { requestId: string }).requestId;
};

async function requestClear(upn: string, options: Parameters<Harness['say']>[1] = {}): Promise<string> {
  expect(await h.say(`clear immutable id for ${upn}`, options)).toBe(200);
  return confirmRequestId(lastCard());
}

describe('looking a user up', () => {
  it('shows the current state on a card with a Confirm button, in one Graph round trip, without writing', async () => {
    await h.say('clear immutable id for alice@contoso.com');
    const card = lastCard();
    const text = cardText(card);
    expect(text).toContain('Alice Smith');
    expect(text).toContain('alice@contoso.com');
    expect(text).toContain(SANDBOX_USERS.alice);
    expect(text).toContain(SANDBOX_IMMUTABLE_IDS.alice);
    expect(text).toMatch(/Managed/);
    expect(text).toMatch(/sandbox/i);
    const confirm = findActions(card).find((a) => a.verb === 'request.approve' && a.type === 'Action.Execute');
    expect(confirm?.data).toEqual({ requestId: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/) });
    expect(findActions(card).some((a) => a.verb === 'request.cancel')).toBe(true);

    const calls = graphCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/v1.0/$batch' });
    expect(patches()).toHaveLength(0);
  });

  it.each([
    ['a secondary proxy address', 'alice.smith@contoso.com', 'Alice Smith'],
    ['a mail address that differs from the UPN', 'judy.lee@contoso.com', 'Judy Lee'],
    ['an object id', SANDBOX_USERS.alice, 'Alice Smith'],
    ['a UPN starting with $', '$frank@contoso.com', 'Frank'],
    ['a guest UPN with #EXT#', 'erin_outlook.com#EXT#@contoso.onmicrosoft.com', 'Erin'],
    ['a UPN with an apostrophe', "o'brien@contoso.com", "O'Brien"],
  ])('finds a user by %s', async (_what, who, name) => {
    await h.say(`show ${who}`);
    const text = cardText(lastCard());
    expect(text).toContain(name);
    expect(findActions(lastCard()).filter((a) => a.verb === 'request.approve')).toHaveLength(0);
  });

  it("quotes an apostrophe as an OData literal on the wire", async () => {
    await h.say("show o'brien@contoso.com");
    const sub = h.sandbox.requests().filter((r) => r.viaBatch && r.path === '/v1.0/users' && r.query.$filter);
    expect(sub[0]?.query.$filter).toContain("mail eq 'o''brien@contoso.com'");
  });

  it('says what to try when nobody matches', async () => {
    await h.say('show nobody@contoso.com');
    expect(lastText()).toMatch(/couldn't find \*\*nobody@contoso\.com\*\*/);
    // Another identifier and deleted users, not an HTTP status.
    expect(lastText()).toMatch(/another identifier: the object id, a mail address, or the display name/);
    expect(lastText()).toMatch(/deleted in the last 30 days.*Deleted users/);
    expect(lastText()).not.toMatch(/HTTP|404|request-id/i);
  });

  it('refuses input with path or query characters before any Graph call', async () => {
    await h.say('clear immutable id for alice@contoso.com/../../groups?$top=999');
    expect(lastText()).toMatch(/characters that can't be in a user name/);
    expect(h.sandbox.requests()).toHaveLength(0);
  });

  it('answers help, and unknown text with the help card', async () => {
    await h.say('help');
    expect(cardText(lastCard())).toMatch(/clear immutable id for alice@contoso\.com/);
    await h.say('order me a pizza');
    expect(cardText(lastCard())).toMatch(/didn't understand/);
    expect(h.sandbox.requests()).toHaveLength(0);
  });

  it.each(['groupChat', 'channel'] as const)('works in a %s after removing the @mention', async (conversation) => {
    await h.say('check alice@contoso.com', { conversation });
    expect(cardText(lastCard())).toContain('Alice Smith');
    expect(h.connector.messages(h.conversationIdFor(conversation)).length).toBeGreaterThan(0);
  });

  it('ignores activities from a tenant it does not serve, without calling Graph', async () => {
    const status = await h.say('show alice@contoso.com', { tenantId: '99999999-9999-4999-8999-999999999999' });
    expect(status).toBe(200);
    expect(h.connector.messages()).toHaveLength(0);
    expect(h.sandbox.requests()).toHaveLength(0);
  });
});

describe('cards that explain instead of offering a button that would fail', () => {
  it.each([
    ['a synced user', 'bob@contoso.com', /still syncs|synced/i, /out of sync scope|soft.delete/i],
    ['an empty value', 'ivan@contoso.com', /already empty|nothing to clear/i, /delta sync/i],
  ])('%s', async (_case, upn, why, whatToDo) => {
    await h.say(`clear immutable id for ${upn}`);
    const card = lastCard();
    const text = cardText(card);
    expect(text).toMatch(why);
    expect(text).toMatch(whatToDo);
    expect(findActions(card).filter((a) => a.verb === 'request.approve')).toHaveLength(0);
    expect(patches()).toHaveLength(0);
  });
});

it('a federated domain: the card explains the SourceAnchor rule and offers the UPN workaround as one approved change, writing nothing yet', async () => {
  await h.say('clear immutable id for carol@fabrikam.com');
  const card = lastCard();
  expect(cardText(card)).toMatch(/federated domain.*SourceAnchor rule/s);
  expect(cardText(card)).toContain('carol@fabrikam.com → carol@contoso.onmicrosoft.com');
  expect(findActions(card).find((a) => a.verb === 'request.approve')?.title).toBe('Move UPN and clear');
  expect(patches()).toHaveLength(0);
});

describe('confirming', () => {
  it('clears with exactly one PATCH, verifies, replaces the card with the outcome and posts tips', async () => {
    const requestId = await requestClear('alice@contoso.com');
    h.connector.clear();
    const { status, body } = await h.tap('clear.confirm', { requestId });
    expect(status).toBe(200);
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    const outcome = cardText(body.value as Record<string, unknown>);
    expect(outcome).toMatch(/cleared/i);
    expect(outcome).toContain(SANDBOX_IMMUTABLE_IDS.alice);
    expect(outcome).toContain(APPROVER.name);
    expect(outcome).not.toMatch(/fail/i);

    const wire = patches();
    expect(wire).toHaveLength(1);
    expect(wire[0]).toMatchObject({ path: `/v1.0/users/${SANDBOX_USERS.alice}`, body: { onPremisesImmutableId: null }, status: 204 });
    const verify = h.sandbox.requests().filter((r) => r.method === 'GET' && r.path === `/v1.0/users/${SANDBOX_USERS.alice}` && r.query.$select?.includes('onPremisesImmutableId') && !r.viaBatch);
    expect(verify.length).toBeGreaterThanOrEqual(1);
    expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBeNull();

    const tips = cardText(lastCard());
    expect(tips).toContain('alice@contoso.com');
    expect(tips).toContain('Start-ADSyncSyncCycle -PolicyType Delta');
    // The tenant's own matching flags, read with the user, not a generic "check the setting".
    expect(tips).toContain('Soft match is allowed in this tenant: on the primary SMTP address, then on the UPN.');
    expect(h.audit.entries.map((e) => e.event)).toEqual(['request.created', 'request.approved', 'change.intent', 'change.succeeded']);
    expect(h.audit.entries[2]?.before).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  });

  it('sends exactly one PATCH when Confirm is tapped several times at once', async () => {
    const requestId = await requestClear('frank@contoso.com'.replace('frank', '$frank'));
    const taps = await Promise.all([
      h.tap('clear.confirm', { requestId }),
      h.tap('clear.confirm', { requestId }),
      h.tap('clear.confirm', { requestId, }, { from: APPROVER_2 }),
      h.tap('clear.confirm', { requestId }),
    ]);
    expect(taps.every((t) => t.status === 200)).toBe(true);
    expect(patches()).toHaveLength(1);
    expect(patches()[0]?.path).toBe(`/v1.0/users/${SANDBOX_USERS.frank}`);
  });

  it('refuses someone who is not an approver and changes nothing', async () => {
    const requestId = await requestClear('alice@contoso.com');
    const { body } = await h.tap('clear.confirm', { requestId }, { from: HELPDESK });
    expect(body.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(body.value)).toMatch(/not allowed/);
    expect(patches()).toHaveLength(0);
    // The request is still there for a real approver.
    await h.tap('clear.confirm', { requestId });
    expect(patches()).toHaveLength(1);
  });

  it('changes nothing and shows the fresh card when the value changed since the card was shown', async () => {
    const requestId = await requestClear('judy@contoso.onmicrosoft.com');
    // Someone else changes the anchor meanwhile (directly in the directory).
    h.sandbox.getUser(SANDBOX_USERS.judy)!.onPremisesImmutableId = 'qgCqABG7IszdM0TuRO5E7g==';
    const { body } = await h.tap('clear.confirm', { requestId });
    const text = cardText(body.value as Record<string, unknown>);
    expect(text).toMatch(/changed since/i);
    expect(text).toContain('qgCqABG7IszdM0TuRO5E7g==');
    expect(patches()).toHaveLength(0);
    const fresh = confirmRequestId(body.value as Record<string, unknown>);
    expect(fresh).not.toBe(requestId);
  });

  it('keeps the fresh card shown after a stale tap up to date: it is recorded as a copy of the fresh request', async () => {
    // Asked by an approver: the default sender's per-minute command budget belongs to the other tests.
    const requestId = await requestClear('judy@contoso.onmicrosoft.com', { from: APPROVER });
    const message = h.connector.messages().filter((m) => cardOf(m.activity)).at(-1)!;
    h.sandbox.getUser(SANDBOX_USERS.judy)!.onPremisesImmutableId = 'qgCqABG7IszdM0TuRO5E7g==';
    const { body } = await h.tap('request.approve', { requestId }, { from: APPROVER_2, replyToId: message.id });
    const fresh = confirmRequestId(body.value as Record<string, unknown>);
    // The fresh request is cancelled from the chat: the message that shows it follows.
    await h.say(`cancel ${fresh}`, { from: APPROVER });
    const update = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === message.id).at(-1);
    expect(update).toBeDefined();
    expect(cardText(cardOf(update!.activity)!)).toMatch(/cancelled/i);
    expect(findActions(cardOf(update!.activity)!).some((a) => a.verb === 'request.approve')).toBe(false);
  });

  it('refuses a tap on a card from another conversation', async () => {
    const requestId = await requestClear('alice@contoso.com');
    const { body } = await h.tap('clear.confirm', { requestId }, { conversation: 'groupChat' });
    expect(String(body.value)).toMatch(/another conversation/);
    expect(patches()).toHaveLength(0);
  });

  it('accepts a tap in the channel thread of a request made in that channel', async () => {
    const requestId = await requestClear('alice@contoso.com', { conversation: 'channel' });
    const thread = `${h.conversationIdFor('channel')};messageid=1732540000000`;
    const { body } = await h.tap('clear.confirm', { requestId }, { conversation: 'channel', conversationId: thread });
    expect(cardText(body.value as Record<string, unknown>)).toMatch(/cleared/i);
    expect(patches()).toHaveLength(1);
  });

  it('refuses an unknown or forged request id without writing', async () => {
    const { body } = await h.tap('clear.confirm', { requestId: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect(String(body.value)).toMatch(/can't find this request/);
    const bad = await h.tap('clear.confirm', { requestId: '../../users' });
    expect(String(bad.body.value)).toMatch(/didn't recognise/);
    expect(patches()).toHaveLength(0);
  });

  it('cancels, after which Confirm changes nothing', async () => {
    const requestId = await requestClear('alice@contoso.com');
    const cancelled = await h.tap('clear.cancel', { requestId }, { from: HELPDESK });
    expect(cardText(cancelled.body.value as Record<string, unknown>)).toMatch(/cancelled/i);
    const late = await h.tap('clear.confirm', { requestId });
    expect(late.body.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(late.body.value)).toMatch(/already cancelled by Helen Helpdesk at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(patches()).toHaveLength(0);
  });

  it('says "waiting for directory replication", never "failed", when reads still show the old value', async () => {
    const requestId = await requestClear('heidi@contoso.com');
    const { body } = await h.tap('clear.confirm', { requestId });
    const text = cardText(body.value as Record<string, unknown>);
    expect(text).toMatch(/waiting for directory replication/i);
    expect(text).not.toMatch(/fail/i);
    expect(patches()).toHaveLength(1);
    expect(h.audit.entries.map((e) => e.event)).toContain('change.succeeded');
  });

  it('refuses an admin target as protected, before any write', async () => {
    await h.say('clear immutable id for dave@contoso.com');
    const card = lastCard();
    expect(cardText(card)).toMatch(/Global Administrator/);
    expect(cardText(card)).toMatch(/ALLOW\\?_PRIVILEGED\\?_TARGETS/);
    expect(findActions(card).filter((a) => a.verb === 'request.approve')).toHaveLength(0);
    expect(patches()).toHaveLength(0);
  });

  it('retries throttled lookups per Retry-After (grace throttles twice, then answers)', async () => {
    await h.say('show grace@contoso.com');
    expect(cardText(lastCard())).toContain('Grace');
    const throttled = h.sandbox.requests().filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(1);
  });

  it('gives a clear message when Graph keeps answering 429', async () => {
    const requestId = await requestClear('alice@contoso.com');
    h.sandbox.addFault({ method: 'PATCH', pathIncludes: SANDBOX_USERS.alice, status: 429, retryAfterSeconds: 1 });
    const { body } = await h.tap('clear.confirm', { requestId });
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    await h.connector.waitFor(() => /throttling/.test(lastText()));
    expect(lastText()).toMatch(/try again in a minute/);
    expect(patches().length).toBeGreaterThan(1);
    expect(patches().every((p) => p.status === 429)).toBe(true);
    expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  });

  it.each([
    [503, /temporarily unavailable/],
    [504, /temporarily unavailable/],
  ])('gives a clear message for Graph %s', async (status, message) => {
    h.sandbox.addFault({ pathIncludes: '$batch', status: status as 503 | 504, retryAfterSeconds: 0 });
    await h.say('show alice@contoso.com');
    expect(lastText()).toMatch(message);
  });
});
