/**
 * Approvals that hold up: roles from Entra groups and ids, four-eyes, several approvals,
 * reject with a reason, first decision wins, cancel, history, expiry and reminders.
 */
import { SANDBOX_GROUPS, SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, APPROVER_2, cardOf, Harness, HELPDESK, OUTSIDER, startHarness , useHarness } from '../helpers/bot-harness';
import { advanceClock } from '../helpers/security-helpers';
import type { RecordedActivity } from '../helpers/recording-connector';

const cardText = (c: Record<string, unknown>) => collectCardText(c).join('\n');

function helpers(h: Harness) {
  const patches = () => h.sandbox.requests().filter((r) => r.method === 'PATCH');
  const lastCard = () => {
    const messages = h.connector.messages().filter((m) => cardOf(m.activity));
    const last = messages[messages.length - 1];
    if (!last) throw new Error('no card was sent');
    return cardOf(last.activity) as Record<string, unknown>;
  };
  const lastText = () => h.connector.messages().filter((m) => m.activity.text).at(-1)?.activity.text ?? '';
  const requestIdOf = (c: Record<string, unknown>) => {
    const action = findActions(c).find((a) => a.verb === 'request.approve' || a.verb === 'request.cancel');
    if (!action) throw new Error(`no request buttons on: ${cardText(c)}`);
    return (action.data as { requestId: string }).requestId;
  };
  return { patches, lastCard, lastText, requestIdOf };
}

describe('roles from Entra groups', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      APPROVER_IDS: '',
      APPROVER_GROUP_ID: SANDBOX_GROUPS.identityApprovers,
      REQUESTER_GROUP_ID: SANDBOX_GROUPS.helpdesk,
    });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.sandbox.reset();
    h.connector.clear();
  });

  it('lets a helpdesk group member request and an approvers group member approve (transitive check through Graph)', async () => {
    const { lastCard, requestIdOf, patches } = helpers(h);
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    const requestId = requestIdOf(lastCard());
    const { body } = await h.tap('clear.confirm', { requestId }, { from: APPROVER });
    expect(cardText(body.value as Record<string, unknown>)).toMatch(/cleared/i);
    expect(patches()).toHaveLength(1);
    const checks = h.sandbox.requests().filter((r) => r.path.endsWith('/checkMemberGroups'));
    expect(checks.length).toBeGreaterThan(0);
    expect(checks[0]?.body).toEqual({ groupIds: expect.arrayContaining([SANDBOX_GROUPS.identityApprovers, SANDBOX_GROUPS.helpdesk]) });
  });

  it('politely refuses someone who is neither, naming the role they need', async () => {
    const { lastText } = helpers(h);
    await h.say('clear immutable id for alice@contoso.com', { from: OUTSIDER });
    expect(lastText()).toMatch(/requester role/);
    expect(h.sandbox.requests().filter((r) => r.method === 'PATCH' || (r.path.startsWith('/v1.0/users/alice') && r.viaBatch))).toHaveLength(0);
  });

  it('does not let a requester who is not an approver approve', async () => {
    const { lastCard, requestIdOf, patches } = helpers(h);
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    const { body } = await h.tap('clear.confirm', { requestId: requestIdOf(lastCard()) }, { from: HELPDESK });
    expect(String(body.value)).toMatch(/not allowed to approve/);
    expect(patches()).toHaveLength(0);
  });

  it('caches group membership for a few minutes (one check per user)', async () => {
    await h.say('show alice@contoso.com', { from: HELPDESK });
    await h.say('show judy.lee@contoso.com', { from: HELPDESK });
    const checks = h.sandbox.requests().filter((r) => r.path === `/v1.0/users/${SANDBOX_USERS.helen}/checkMemberGroups`);
    expect(checks.length).toBeLessThanOrEqual(1);
  });
});

describe('deny by default', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ APPROVER_IDS: '' });
  });
  afterAll(() => h.close());

  it('with no approver configured nobody can approve, and the requester is told', async () => {
    const { lastCard, requestIdOf, patches } = helpers(h);
    await h.say('clear immutable id for alice@contoso.com', { from: APPROVER });
    const texts = h.connector.messages().map((m) => m.activity.text ?? '').join('\n');
    expect(texts).toMatch(/Nobody is configured as an approver/);
    const { body } = await h.tap('clear.confirm', { requestId: requestIdOf(lastCard()) }, { from: APPROVER });
    expect(String(body.value)).toMatch(/not allowed to approve/);
    expect(patches()).toHaveLength(0);
  });

  it('tells the requester of a hard match too (every kind of request says it)', async () => {
    h.connector.clear();
    await h.say('match ivan@contoso.com to 35918bc9-196d-40ea-9779-889d79b753f0', { from: APPROVER });
    const texts = h.connector.messages().map((m) => m.activity.text ?? '').join('\n');
    expect(texts).toMatch(/Nobody is configured as an approver/);
  });
});

describe('four-eyes and several approvals', () => {
  const h = useHarness({ REQUIRE_SEPARATE_APPROVER: 'true', REQUIRED_APPROVALS: '2', APPROVER_IDS: `${APPROVER.aadObjectId},${APPROVER_2.aadObjectId},${SANDBOX_USERS.helen}` });

  it('refuses the requester approving their own request, then needs two distinct approvers', async () => {
    const { lastCard, requestIdOf, patches } = helpers(h);
    await h.say('clear immutable id for alice@contoso.com because INC0012345', { from: HELPDESK });
    const card = lastCard();
    expect(cardText(card)).toContain('INC0012345');
    const requestId = requestIdOf(card);

    const own = await h.tap('clear.confirm', { requestId }, { from: HELPDESK });
    expect(String(own.body.value)).toMatch(/four-eyes/);

    const first = await h.tap('clear.confirm', { requestId }, { from: APPROVER });
    expect(cardText(first.body.value as Record<string, unknown>)).toMatch(/1 of 2/);
    expect(cardText(first.body.value as Record<string, unknown>)).toContain(APPROVER.name);
    expect(patches()).toHaveLength(0);

    const again = await h.tap('clear.confirm', { requestId }, { from: APPROVER });
    expect(String(again.body.value)).toMatch(/already approved/);
    expect(patches()).toHaveLength(0);

    const second = await h.tap('clear.confirm', { requestId }, { from: APPROVER_2 });
    expect(cardText(second.body.value as Record<string, unknown>)).toMatch(/cleared/i);
    expect(patches()).toHaveLength(1);
  });
});

describe('reject, cancel, first decision wins, history', () => {
  const h = useHarness();

  it('offers Reject with a required reason field on the card', async () => {
    const { lastCard } = helpers(h);
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    const reject = findActions(lastCard()).find((a) => a.verb === 'request.reject');
    expect(reject).toBeDefined();
    expect(JSON.stringify(lastCard())).toMatch(/"id":"rejectReason"[^}]*"isRequired":true|"isRequired":true[^}]*"id":"rejectReason"/);
  });

  it('needs a reason to reject; the requester sees it, the audit keeps it, and later taps change nothing', async () => {
    const { lastCard, requestIdOf, patches } = helpers(h);
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    const requestId = requestIdOf(lastCard());

    const noReason = await h.tap('clear.reject', { requestId }, { from: APPROVER });
    expect(String(noReason.body.value)).toMatch(/type a reason/);

    const rejected = await h.tap('clear.reject', { requestId, rejectReason: 'Wrong user, see INC42' }, { from: APPROVER });
    const text = cardText(rejected.body.value as Record<string, unknown>);
    expect(text).toMatch(/rejected by Adele Approver/i);
    expect(text).toContain('Wrong user, see INC42');

    const late = await h.tap('clear.confirm', { requestId }, { from: APPROVER_2 });
    expect(String(late.body.value)).toMatch(/already rejected by Adele Approver at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(patches()).toHaveLength(0);
    const entry = (await h.app.deps.audit.list({ targetId: SANDBOX_USERS.alice })).find((e) => e.event === 'request.rejected');
    expect(entry?.detail).toContain('Wrong user, see INC42');
    expect(entry?.actor.name).toBe(APPROVER.name);
  });

  it('lets the requester cancel with `cancel <request id>`; others cannot', async () => {
    const { lastCard, requestIdOf, lastText, patches } = helpers(h);
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    const requestId = requestIdOf(lastCard());
    expect(cardText(lastCard())).toContain(requestId);
    await h.say(`cancel ${requestId}`, { from: OUTSIDER });
    expect(lastText()).toMatch(/Only the person who asked, or an approver, can cancel/);
    await h.say(`cancel ${requestId}`, { from: HELPDESK });
    expect(cardText(lastCard())).toMatch(/cancelled by Helen Helpdesk/i);
    const late = await h.tap('clear.confirm', { requestId }, { from: APPROVER });
    expect(String(late.body.value)).toMatch(/already cancelled/);
    expect(patches()).toHaveLength(0);
  });

  it('shows the history of a user, and the latest across users to approvers only', async () => {
    const { lastCard, requestIdOf, lastText } = helpers(h);
    await h.say('clear immutable id for judy@contoso.onmicrosoft.com', { from: HELPDESK });
    await h.tap('clear.confirm', { requestId: requestIdOf(lastCard()) }, { from: APPROVER });
    await h.say('history judy@contoso.onmicrosoft.com', { from: HELPDESK });
    const history = cardText(lastCard());
    expect(history).toContain('judy@contoso.onmicrosoft.com');
    expect(history).toMatch(/Cleared/);
    expect(history).toMatch(/Requested/);
    await h.say('history', { from: OUTSIDER });
    expect(lastText()).toMatch(/Only approvers can see the history across all users/);
    await h.say('history', { from: APPROVER });
    expect(cardText(lastCard())).toMatch(/Latest changes/);
  });
});

describe('expiry and reminders', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ REQUEST_TTL: '1d', REMINDER_AFTER: '4h', SWEEP_INTERVAL: '1h' });
  });
  afterAll(() => h.close());

  it('reminds once, then expires the request and turns its card to "Expired"', async () => {
    const { lastCard, requestIdOf, patches } = helpers(h);
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    const requestId = requestIdOf(lastCard());
    const cardMessage = h.connector.messages().filter((m) => cardOf(m.activity)).at(-1)!;
    advanceClock(h, 5 * 3600_000);
    await h.app.sweep();
    expect(h.connector.messages().some((m) => /Reminder/.test(m.activity.text ?? ''))).toBe(true);
    await h.app.sweep();
    expect(h.connector.messages().filter((m) => /Reminder/.test(m.activity.text ?? ''))).toHaveLength(1);
    advanceClock(h, 20 * 3600_000);
    await h.app.sweep();
    const update = h.connector.activities.find((a) => a.method === 'PUT' && a.activityId === cardMessage.id);
    expect(update).toBeDefined();
    expect(cardText(cardOf(update!.activity)!)).toMatch(/expired/i);
    const late = await h.tap('clear.confirm', { requestId }, { from: APPROVER });
    expect(String(late.body.value)).toMatch(/expired/);
    expect(patches()).toHaveLength(0);
  });

  it('announces an expiry found by a tap (before the sweep) as the sweep would, and only once', async () => {
    const { lastCard, requestIdOf, patches } = helpers(h);
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    const requestId = requestIdOf(lastCard());
    const cardMessage = h.connector.messages().filter((m) => cardOf(m.activity)).at(-1)!;
    h.connector.clear();
    advanceClock(h, 25 * 3600_000);
    // No sweep yet: the tap is the first to see that the request is past its expiry.
    const late = await h.tap('request.approve', { requestId }, { from: APPROVER, replyToId: cardMessage.id });
    expect(String(late.body.value)).toMatch(/expired/);
    const announced = (a: RecordedActivity[]) => a.filter((x) => /expired before anyone approved it/.test(x.activity.text ?? '')).length;
    await h.connector.waitFor((a) => announced(a) > 0 && a.some((x) => x.method === 'PUT' && x.activityId === cardMessage.id));
    const update = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardMessage.id).at(-1)!;
    expect(cardText(cardOf(update.activity)!)).toMatch(/expired/i);
    await h.app.sweep();
    expect(announced(h.connector.activities)).toBe(1);
    expect(patches()).toHaveLength(0);
  });
});
