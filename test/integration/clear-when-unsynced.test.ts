/**
 * Clear when unsynced, the paths next to the soft-delete one in more-change-kinds: sync simply
 * turned off (an ordinary clear follows), the approvers' channel hearing about it, and a wait
 * that outlives the request.
 */
import { SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { cardOf, Harness, HELPDESK, startHarness, teamMembershipActivity } from '../helpers/bot-harness';
import { advanceClock } from '../helpers/security-helpers';

const CHANNEL = '19:unsync-approvals@thread.tacv2';
const cardText = (card: Record<string, unknown>) => collectCardText(card).join('\n');

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ APPROVAL_CHANNEL_ID: CHANNEL, UNSYNC_CHECK_INTERVAL: '1m', REQUEST_TTL: '1d', SWEEP_INTERVAL: '1h' }, { channelId: CHANNEL });
  expect((await h.post(teamMembershipActivity(h, 'added'))).status).toBe(200);
});
afterAll(() => h.close());
beforeEach(() => {
  h.sandbox.reset();
  h.connector.clear();
});

const writes = () => h.sandbox.requests().filter((r) => r.method === 'PATCH' || (r.method === 'POST' && r.path.includes('/restore')));

/** Asks to clear bob (synced) in the personal chat and taps "Clear when unsynced"; returns the waiting request's id and card. */
async function waitForBob(): Promise<{ requestId: string; cardId: string }> {
  await h.say('clear immutable id for bob@contoso.com', { from: HELPDESK });
  const offered = h.connector.messages(h.conversationIdFor('personal')).filter((m) => cardOf(m.activity)).at(-1)!;
  const wait = findActions(cardOf(offered.activity)!).find((a) => a.verb === 'request.when-unsynced');
  expect(wait?.title).toBe('Clear when unsynced');
  const tapped = await h.tap('request.when-unsynced', wait!.data as Record<string, unknown>, { from: HELPDESK, replyToId: offered.id });
  expect(cardText(tapped.body.value as Record<string, unknown>)).toMatch(/Clear when unsynced: waiting/);
  const waiting = h.audit.entries.filter((e) => e.event === 'request.created').at(-1)!;
  return { requestId: waiting.requestId!, cardId: offered.id };
}

describe('Clear when unsynced', () => {
  it('becomes an ordinary clear when sync is turned off, is posted to the approvers\' channel, and clears on approval there', async () => {
    const { requestId } = await waitForBob();
    // Still synced at the next check: nothing happens, nothing is written.
    advanceClock(h, 2 * 60_000);
    await h.app.sweep();
    expect(h.connector.messages().some((m) => /no longer syncs: the request/.test(m.activity.text ?? ''))).toBe(false);

    h.sandbox.stopSync('bob@contoso.com', { softDelete: false });
    advanceClock(h, 2 * 60_000);
    await h.app.sweep();
    const personal = h.connector.messages(h.conversationIdFor('personal')).map((m) => m.activity.text ?? '').join('\n');
    expect(personal).toMatch(/bob@contoso\.com\*\* no longer syncs: the request to clear the immutable ID now waits for approval/);
    const ready = h.audit.entries.find((e) => e.event === 'request.ready' && e.requestId === requestId);
    expect(ready?.detail).toBe('the user no longer syncs: now a clear');
    expect(writes()).toHaveLength(0);

    // The approvers' channel got the request card, with an Approve button for this request.
    const posted = h.connector.messages().find((m) => m.conversationId.startsWith(`${CHANNEL};messageid=`) && cardOf(m.activity));
    expect(posted).toBeDefined();
    const approve = findActions(cardOf(posted!.activity)!).find((a) => a.verb === 'request.approve');
    expect((approve?.data as { requestId?: string }).requestId).toBe(requestId);

    const { body } = await h.tap('request.approve', { requestId }, { conversation: 'channel', conversationId: posted!.conversationId, replyToId: posted!.id });
    expect(cardText(body.value as Record<string, unknown>)).toMatch(/cleared/i);
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /v1.0/users/${SANDBOX_USERS.bob}`]);
    expect(h.sandbox.getUser(SANDBOX_USERS.bob)?.onPremisesImmutableId).toBeNull();
    const succeeded = h.audit.entries.find((e) => e.event === 'change.succeeded' && e.requestId === requestId);
    expect(succeeded?.before).toBe(SANDBOX_IMMUTABLE_IDS.bob);
  });

  it('expires when the user still syncs at the end of the request\'s time: the card says Expired, nothing is written, a later unsync changes nothing', async () => {
    const { requestId, cardId } = await waitForBob();
    advanceClock(h, 25 * 3600_000);
    await h.app.sweep();
    const update = h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === cardId).at(-1);
    expect(update).toBeDefined();
    expect(cardText(cardOf(update!.activity)!)).toMatch(/expired/i);
    expect(h.audit.entries.some((e) => e.event === 'request.expired' && e.requestId === requestId)).toBe(true);

    h.sandbox.stopSync('bob@contoso.com', { softDelete: false });
    advanceClock(h, 2 * 60_000);
    h.connector.clear();
    await h.app.sweep();
    expect(h.connector.messages().some((m) => /no longer syncs: the request/.test(m.activity.text ?? ''))).toBe(false);
    expect(h.audit.entries.some((e) => e.event === 'request.ready' && e.requestId === requestId)).toBe(false);
    expect(writes()).toHaveLength(0);
  });
});
