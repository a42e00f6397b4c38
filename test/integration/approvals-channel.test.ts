/**
 * The approvers' channel: a request made in a personal chat is posted to APPROVAL_CHANNEL_ID,
 * approved there, and every copy of the card plus the requester hear the outcome.
 */
import { SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { cardOf, Harness, HELPDESK, startHarness, teamMembershipActivity } from '../helpers/bot-harness';

const CHANNEL = '19:approvals-channel@thread.tacv2';
const cardText = (c: Record<string, unknown>) => collectCardText(c).join('\n');

const installInTeam = (h: Harness) => h.post(teamMembershipActivity(h, 'added'));

describe('approvals in the approvers\' channel', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ APPROVAL_CHANNEL_ID: CHANNEL }, { channelId: CHANNEL });
  });
  afterAll(() => h.close());

  it('says clearly what to do when the bot is not installed in the channel\'s team', async () => {
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    const text = h.connector.messages().map((m) => m.activity.text ?? '').join('\n');
    expect(text).toMatch(/not installed in that channel's team/);
    expect(text).toMatch(/add me to the team/);
  });

  it('posts the request in the channel, takes the approval there, and updates every copy', async () => {
    h.connector.clear();
    h.sandbox.reset();
    expect((await installInTeam(h)).status).toBe(200);

    await h.say('clear immutable id for alice@contoso.com because INC777', { from: HELPDESK });
    const personalId = h.conversationIdFor('personal');
    const personalCard = h.connector.messages(personalId).find((m) => cardOf(m.activity))!;
    expect(personalCard).toBeDefined();
    const posted = h.connector.messages().find((m) => m.conversationId.startsWith(`${CHANNEL};messageid=`));
    expect(posted).toBeDefined();
    const channelCard = cardOf(posted!.activity)!;
    expect(cardText(channelCard)).toContain('INC777');
    const approve = findActions(channelCard).find((a) => a.verb === 'request.approve');
    expect(approve?.title).toBe('Approve & clear');
    expect(findActions(channelCard).some((a) => a.verb === 'request.reject')).toBe(true);
    expect(h.connector.messages(personalId).map((m) => m.activity.text ?? '').join('\n')).toMatch(/posted this request in the approvers' channel/);

    const requestId = (approve!.data as { requestId: string }).requestId;
    const { body } = await h.tap('clear.confirm', { requestId }, { conversation: 'channel', conversationId: posted!.conversationId, replyToId: posted!.id });
    expect(cardText(body.value as Record<string, unknown>)).toMatch(/cleared/i);
    expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBeNull();

    // The requester's copy was replaced with the outcome, and the requester was told.
    const update = h.connector.activities.find((a) => a.method === 'PUT' && a.activityId === personalCard.id);
    expect(update).toBeDefined();
    expect(cardText(cardOf(update!.activity)!)).toMatch(/cleared/i);
    expect(h.connector.messages(personalId).some((m) => /was cleared/.test(m.activity.text ?? ''))).toBe(true);
    // The channel thread got the verification and re-match tips.
    const thread = h.connector.messages(posted!.conversationId);
    expect(thread.some((m) => cardOf(m.activity) && /Start-ADSyncSyncCycle/.test(cardText(cardOf(m.activity)!)))).toBe(true);
  });

  it('tells the channel thread when the requester cancels in their chat', async () => {
    h.connector.clear();
    await h.say('clear immutable id for judy@contoso.onmicrosoft.com', { from: HELPDESK });
    const posted = h.connector.messages().find((m) => m.conversationId.startsWith(`${CHANNEL};messageid=`))!;
    const requestId = (findActions(cardOf(posted.activity)!).find((a) => a.verb === 'request.approve')!.data as { requestId: string }).requestId;
    const { body } = await h.tap('clear.cancel', { requestId }, { from: HELPDESK, conversation: 'personal' });
    expect(cardText(body.value as Record<string, unknown>)).toMatch(/cancelled/i);
    const channelUpdate = h.connector.activities.find((a) => a.method === 'PUT' && a.activityId === posted.id);
    expect(cardText(cardOf(channelUpdate!.activity)!)).toMatch(/cancelled/i);
    expect(h.connector.messages(posted.conversationId).some((m) => /cancelled by Helen Helpdesk/.test(m.activity.text ?? ''))).toBe(true);
  });

  it('a requester\'s chat that is gone (403) does not spoil a successful change: the channel hears the outcome and that the requester was not told', async () => {
    h.connector.clear();
    h.sandbox.reset();
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    const personalId = h.conversationIdFor('personal');
    const posted = h.connector.messages().find((m) => m.conversationId.startsWith(`${CHANNEL};messageid=`))!;
    const approve = findActions(cardOf(posted.activity)!).find((a) => a.verb === 'request.approve')!;
    h.connector.gone.add(personalId);
    try {
      const { body } = await h.tap('request.approve', approve.data as Record<string, unknown>, { conversation: 'channel', conversationId: posted.conversationId, replyToId: posted.id });
      expect(cardText(body.value as Record<string, unknown>)).toMatch(/cleared/i);
      expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(1);
      await h.connector.waitFor((a) => a.some((m) => m.conversationId === posted.conversationId && /couldn't reach/.test(m.activity.text ?? '')));
      const thread = h.connector.messages(posted.conversationId).map((m) => m.activity.text ?? '').join('\n');
      expect(thread).toMatch(/couldn't reach Helen Helpdesk/);
      expect(thread).not.toMatch(/Something went wrong/i);
      expect(h.connector.messages(posted.conversationId).some((m) => cardOf(m.activity) && /Start-ADSyncSyncCycle/.test(cardText(cardOf(m.activity)!)))).toBe(true);
    } finally {
      h.connector.gone.delete(personalId);
    }
  });

  it('drops the team\'s references when the bot is removed, and says so again', async () => {
    await h.post(teamMembershipActivity(h, 'removed'));
    h.connector.clear();
    await h.say('clear immutable id for $frank@contoso.com', { from: HELPDESK });
    expect(h.connector.messages().map((m) => m.activity.text ?? '').join('\n')).toMatch(/not installed in that channel's team/);
  });
});
