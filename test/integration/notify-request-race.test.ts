/**
 * "Request clear" on a sync-error card: approvers tapping it at the same moment make exactly one
 * request (the others are shown it), and a storage outage is reported as an outage, not as
 * "someone else already requested".
 */
import { signNotification } from '../../src/transport/notify-route';
import { MemoryStore } from '../../src/storage/memory-store';
import type { WriteCondition } from '../../src/storage/key-value-store';
import { findActions } from '../cards/card-text';
import { APPROVER, APPROVER_2, cardOf, Harness, startHarness, teamMembershipActivity } from '../helpers/bot-harness';
import { cardText } from '../helpers/security-helpers';

const CHANNEL = '19:approvals-channel@thread.tacv2';
const SECRET = 'test-notify-secret-0123456789abcdef';

/** A store whose writes of notification records can be made to fail, like a storage outage. */
class FlakyStore extends MemoryStore {
  failNotificationWrites = false;
  override async write<T>(key: string, value: T, condition?: WriteCondition): Promise<string> {
    if (this.failNotificationWrites && key.startsWith('notification_')) throw new Error('storage unavailable (503)');
    return super.write(key, value, condition);
  }
}

const store = new FlakyStore();
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ APPROVAL_CHANNEL_ID: CHANNEL, NOTIFY_SECRET: SECRET }, { channelId: CHANNEL, store });
  await h.post(teamMembershipActivity(h, 'added'));
});
afterAll(() => h.close());

let reports = 0;
async function postReport(): Promise<{ data: Record<string, unknown>; conversationId: string; id: string }> {
  h.connector.clear();
  // Each report differs, so two reports within one second are not taken for a replay of the first.
  const body = JSON.stringify({ userPrincipalName: 'alice@contoso.com', error: 'InvalidSoftMatch', detail: `report ${++reports}` });
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${h.botUrl}/api/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Notify-Timestamp': String(timestamp), 'X-Notify-Signature': signNotification(SECRET, body, timestamp) },
    body,
  });
  expect(response.status).toBe(202);
  const post = h.connector.messages().find((m) => m.conversationId.startsWith(`${CHANNEL};messageid=`))!;
  const button = findActions(cardOf(post.activity)!).find((a) => a.verb === 'notify.request')!;
  return { data: button.data as Record<string, unknown>, conversationId: post.conversationId, id: post.id };
}

it('makes exactly one request when two approvers tap "Request clear" at once, and shows it to both', async () => {
  const report = await postReport();
  const tap = (from: typeof APPROVER) => h.tap('notify.request', report.data, { from, conversation: 'channel', conversationId: report.conversationId, replyToId: report.id });
  const [a, b] = await Promise.all([tap(APPROVER), tap(APPROVER_2), tap(APPROVER)]);
  expect(h.audit.entries.filter((e) => e.event === 'request.created')).toHaveLength(1);
  const requestId = h.audit.entries.find((e) => e.event === 'request.created')!.requestId;
  for (const answer of [a, b]) {
    const shown = answer.body.type === 'application/vnd.microsoft.card.adaptive' ? JSON.stringify(answer.body.value) : String(answer.body.value);
    expect(shown.includes(requestId) || /already requested/.test(shown)).toBe(true);
  }
});

it('reports a storage outage as an outage, not as "someone else already requested"', async () => {
  const report = await postReport();
  const before = h.audit.entries.filter((e) => e.event === 'request.created').length;
  store.failNotificationWrites = true;
  try {
    const { body } = await h.tap('notify.request', report.data, { from: APPROVER, conversation: 'channel', conversationId: report.conversationId, replyToId: report.id });
    const shown = typeof body.value === 'string' ? body.value : cardText(body.value);
    expect(shown).toMatch(/storage is not answering/);
    expect(shown).not.toMatch(/someone else/i);
  } finally {
    store.failNotificationWrites = false;
  }
  expect(h.audit.entries.filter((e) => e.event === 'request.created')).toHaveLength(before);
  // Once storage is back, the same button works.
  const { body } = await h.tap('notify.request', report.data, { from: APPROVER, conversation: 'channel', conversationId: report.conversationId, replyToId: report.id });
  expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
});
