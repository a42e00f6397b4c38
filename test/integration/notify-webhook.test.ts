/**
 * POST /api/notify: a signed report from the Entra Connect server becomes a card in the
 * approvers' channel; anything unsigned, mis-signed or stale is refused with 401.
 */
import { signNotification } from '../../src/transport/notify-route';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, Harness, startHarness, teamMembershipActivity } from '../helpers/bot-harness';

const CHANNEL = '19:approvals-channel@thread.tacv2';
const SECRET = 'test-notify-secret-0123456789abcdef';
const cardText = (c: Record<string, unknown>) => collectCardText(c).join('\n');

async function notify(h: Harness, body: string, headers: Record<string, string>) {
  const response = await fetch(`${h.botUrl}/api/notify`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

function signed(body: string, timestamp = Math.floor(Date.now() / 1000), secret = SECRET) {
  return { 'X-Notify-Timestamp': String(timestamp), 'X-Notify-Signature': signNotification(secret, body, timestamp) };
}

const REPORT = JSON.stringify({ userPrincipalName: 'alice@contoso.com', error: 'InvalidSoftMatch', detail: 'Another object with the same value for property proxyAddresses already exists.' });

describe('POST /api/notify', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ APPROVAL_CHANNEL_ID: CHANNEL, NOTIFY_SECRET: SECRET }, { channelId: CHANNEL });
    await h.post(teamMembershipActivity(h, 'added'));
  });
  afterAll(() => h.close());
  beforeEach(() => h.connector.clear());

  it('accepts a signed report and posts the user state with "Request clear" in the channel', async () => {
    const { status, json } = await notify(h, REPORT, signed(REPORT));
    expect(status).toBe(202);
    expect(json.posted).toBe(true);
    const post = h.connector.messages().find((m) => m.conversationId.startsWith(`${CHANNEL};messageid=`))!;
    const card = cardOf(post.activity)!;
    expect(cardText(card)).toMatch(/InvalidSoftMatch/);
    expect(cardText(card)).toContain('alice@contoso.com');
    const button = findActions(card).find((a) => a.verb === 'notify.request');
    expect(button?.title).toBe('Request clear');

    const { body } = await h.tap('notify.request', button!.data as Record<string, unknown>, { from: APPROVER, conversation: 'channel', conversationId: post.conversationId, replyToId: post.id });
    const requestCard = body.value as Record<string, unknown>;
    expect(findActions(requestCard).some((a) => a.verb === 'request.approve')).toBe(true);
    expect(cardText(requestCard)).toMatch(/InvalidSoftMatch/);
  });

  it.each([
    ['unsigned', {}],
    ['mis-signed', { 'X-Notify-Timestamp': String(Math.floor(Date.now() / 1000)), 'X-Notify-Signature': `sha256=${'0'.repeat(64)}` }],
    ['signed with another key', signed(REPORT, undefined, 'another-secret-0123456789abcdef')],
    ['older than 5 minutes', signed(REPORT, Math.floor(Date.now() / 1000) - 301)],
  ])('refuses a %s report with 401 and posts nothing', async (_what, headers) => {
    const { status } = await notify(h, REPORT, headers as Record<string, string>);
    expect(status).toBe(401);
    expect(h.connector.messages()).toHaveLength(0);
  });

  it('refuses a signed body whose content was changed', async () => {
    const headers = signed(REPORT);
    const { status } = await notify(h, REPORT.replace('alice', 'dave'), headers);
    expect(status).toBe(401);
  });

  it.each([
    ['not JSON', '{nope', /not valid JSON/],
    ['without a UPN', JSON.stringify({ error: 'InvalidSoftMatch' }), /userPrincipalName.*required/],
    ['with a bad UPN', JSON.stringify({ userPrincipalName: 'x/../y', error: 'E' }), /not a valid UPN/],
    ['without an error', JSON.stringify({ userPrincipalName: 'alice@contoso.com' }), /"error" is required/],
    ['with unknown fields', JSON.stringify({ userPrincipalName: 'alice@contoso.com', error: 'E', extra: 1 }), /unknown field/],
  ])('answers 400 for a signed body %s, saying what was wrong', async (_what, body, message) => {
    const { status, json } = await notify(h, body, signed(body));
    expect(status).toBe(400);
    expect(String(json.error)).toMatch(message);
  });
});

describe('POST /api/notify without NOTIFY_SECRET', () => {
  it('is off (404)', async () => {
    const h = await startHarness();
    try {
      const { status } = await notify(h, REPORT, signed(REPORT));
      expect(status).toBe(404);
    } finally {
      await h.close();
    }
  });
});
