/**
 * Threat: someone who captured one signed sync-error report replays it within its 5-minute
 * window to flood the approvers' channel with duplicate cards. Signatures seen in the window are
 * kept in the store (shared by every instance when state is shared), so a replay posts nothing,
 * on this instance or another; a report that was refused can be sent again.
 */
import { MemoryStore } from '../../src/storage/memory-store';
import { signNotification } from '../../src/transport/notify-route';
import { Harness, startHarness, teamMembershipActivity } from '../helpers/bot-harness';

const CHANNEL = '19:approvals-channel@thread.tacv2';
const SECRET = 'test-notify-secret-0123456789abcdef';
const REPORT = JSON.stringify({ userPrincipalName: 'alice@contoso.com', error: 'InvalidSoftMatch', detail: 'duplicate proxyAddresses' });

async function notify(h: Harness, body: string, headers: Record<string, string>) {
  const response = await fetch(`${h.botUrl}/api/notify`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

function signed(body: string, timestamp = Math.floor(Date.now() / 1000)) {
  return { 'X-Notify-Timestamp': String(timestamp), 'X-Notify-Signature': signNotification(SECRET, body, timestamp) };
}

const channelPosts = (h: Harness) => h.connector.messages().filter((m) => m.conversationId.startsWith(`${CHANNEL};messageid=`));

describe('two instances sharing one store', () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    const store = new MemoryStore();
    const env = { APPROVAL_CHANNEL_ID: CHANNEL, NOTIFY_SECRET: SECRET };
    a = await startHarness(env, { channelId: CHANNEL, store });
    b = await startHarness(env, { channelId: CHANNEL, store, sandbox: a.sandbox, connector: a.connector });
    await a.post(teamMembershipActivity(a, 'added'));
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });
  beforeEach(() => a.connector.clear());

  it('posts a signed report once; the same request replayed on the same or another instance posts nothing', async () => {
    const headers = signed(REPORT);
    expect((await notify(a, REPORT, headers)).status).toBe(202);
    expect(channelPosts(a)).toHaveLength(1);

    for (const target of [a, b]) {
      const replay = await notify(target, REPORT, headers);
      expect([200, 401]).toContain(replay.status);
      expect(replay.json.posted).not.toBe(true);
    }
    expect(channelPosts(a)).toHaveLength(1);
  });

  it('takes the same report again when it is signed anew (a new timestamp is not a replay)', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await notify(a, REPORT, signed(REPORT, now - 10))).status).toBe(202);
    expect((await notify(b, REPORT, signed(REPORT, now - 5))).status).toBe(202);
    expect(channelPosts(a)).toHaveLength(2);
  });

  it('lets the sender retry a report that was refused (400), with the same signature', async () => {
    const bad = JSON.stringify({ userPrincipalName: 'alice@contoso.com' });
    const headers = signed(bad);
    expect((await notify(a, bad, headers)).status).toBe(400);
    expect((await notify(b, bad, headers)).status).toBe(400);
  });
});
