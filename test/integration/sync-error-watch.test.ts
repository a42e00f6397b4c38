/**
 * The sync-error watch over HTTP: it reads every page of users from the sandbox, posts each
 * provisioning error once to the approvers' channel (also after a restart), offers the normal
 * request flow, and turns a card to "resolved" when the error is gone.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { immutableIdToGuid } from '../../src/directory/immutable-id';
import { SYNC_ERROR_ANCHORS, SYNC_ERROR_UPNS, SYNC_ERROR_USERS, startSandbox, type RunningSandbox } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, type Harness, startHarness, teamMembershipActivity } from '../helpers/bot-harness';
import { startRecordingConnector, type RecordingConnector } from '../helpers/recording-connector';

const CHANNEL = '19:approvals-watch@thread.tacv2';
const text = (card: Record<string, unknown> | undefined) => collectCardText(card).join('\n');

describe('the sync-error watch', () => {
  let sandbox: RunningSandbox;
  let connector: RecordingConnector;
  let dataDir: string;
  const start = (env: Record<string, string> = {}) =>
    startHarness({ APPROVAL_CHANNEL_ID: CHANNEL, WATCH_SYNC_ERRORS: 'true', DATA_DIR: dataDir, ...env }, { sandbox, connector, channelId: CHANNEL, persistent: true });

  beforeAll(async () => {
    sandbox = await startSandbox();
    connector = await startRecordingConnector();
  });
  afterAll(async () => {
    await connector.close();
    await sandbox.close();
  });
  beforeEach(() => {
    sandbox.reset();
    connector.clear();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'iid-watch-'));
  });

  const channelPosts = () => connector.activities.filter((a) => a.method === 'POST' && a.conversationId.startsWith(`${CHANNEL};messageid=`));

  it('posts each error once with who, what and who holds the value, across passes and a restart; resolved ones are marked', async () => {
    sandbox.setMaxPageSize(5); // several pages even with $top=999
    let h: Harness = await start();
    try {
      await h.post(teamMembershipActivity(h, 'added'));
      const first = await h.app.watch.runPass();
      expect(first).toMatchObject({ status: 'completed', posted: 2, errors: 2 });
      expect((first as { pages: number }).pages).toBeGreaterThan(1);

      // Every page asked only for what the watch needs, 999 at a time, following nextLink.
      const reads = sandbox.requests().filter((r) => r.method === 'GET' && r.path === '/v1.0/users' && !r.query.$filter);
      expect(reads.length).toBe((first as { pages: number }).pages);
      for (const r of reads) expect(r.query).toMatchObject({ $select: 'id,displayName,userPrincipalName,onPremisesProvisioningErrors', $top: '999' });
      expect(reads.slice(1).every((r) => r.query.$skiptoken !== undefined)).toBe(true);

      const posts = channelPosts();
      expect(posts).toHaveLength(2);
      const kim = posts.map((p) => cardOf(p.activity)).find((c) => text(c).includes(SYNC_ERROR_UPNS.kimDuplicate));
      expect(text(kim)).toContain('UserPrincipalName');
      expect(text(kim)).toContain('kim.lee@contoso.com');
      expect(text(kim)).toContain('Kim Lee (kim.lee@contoso.com)');
      const luis = posts.map((p) => cardOf(p.activity)).find((c) => text(c).includes(SYNC_ERROR_UPNS.luisDuplicate));
      expect(text(luis)).toContain('ProxyAddress');
      expect(text(luis)).toContain('Luis Ortiz (luis.ortiz@contoso.com)');
      // Luis has no immutable id to clear; the card offers the hard match to the on-prem object's anchor instead.
      const match = findActions(luis).find((a) => String(a.title).startsWith('Match Luis Ortiz'));
      const command = (match?.data as { msteams?: { value?: string } } | undefined)?.msteams?.value;
      expect(command).toBe(`match luis.ortiz@contoso.com to ${immutableIdToGuid(SYNC_ERROR_ANCHORS.luisOnPrem)}`);
      expect(findActions(luis).some((a) => a.title === 'Request clear')).toBe(false);
      // Kim Lee still has an old immutable id: one tap opens the normal clear request for her.
      const button = findActions(kim).find((a) => a.title === 'Request clear');
      expect(button).toBeDefined();
      const kimPost = posts.find((p) => text(cardOf(p.activity)).includes(SYNC_ERROR_UPNS.kimDuplicate))!;
      const tapped = await h.tap(button!.verb as string, button!.data as Record<string, unknown>, { from: APPROVER, conversation: 'channel', conversationId: kimPost.conversationId, replyToId: kimPost.id });
      const requestCard = tapped.body.value as Record<string, unknown>;
      expect(text(requestCard)).toContain('kim.lee@contoso.com');
      expect(findActions(requestCard).length).toBeGreaterThan(0);
      // The match button sends a chat command: the normal request flow answers it (here: the duplicate still holds the anchor).
      connector.clear();
      await h.say(command as string, { from: APPROVER, conversation: 'channel' });
      expect(connector.messages().map((m) => text(cardOf(m.activity)) + (m.activity.text ?? '')).join('\n')).toContain(SYNC_ERROR_UPNS.luisDuplicate);
      expect(sandbox.requests().some((r) => r.method === 'PATCH')).toBe(false); // nothing written before approval

      // A second pass posts nothing new.
      connector.clear();
      expect(await h.app.watch.runPass()).toMatchObject({ status: 'completed', posted: 0, resolved: 0 });
      expect(channelPosts()).toHaveLength(0);

      // Restart on the same storage: still nothing new.
      await h.close();
      h = await start();
      expect(await h.app.watch.runPass()).toMatchObject({ status: 'completed', posted: 0 });
      expect(channelPosts()).toHaveLength(0);

      // Luis's conflict goes away: his card is updated to "resolved", Kim's stays.
      sandbox.getUser(SYNC_ERROR_USERS.luisDuplicate)!.onPremisesProvisioningErrors = [];
      expect(await h.app.watch.runPass()).toMatchObject({ status: 'completed', posted: 0, resolved: 1 });
      const luisPost = posts.find((p) => text(cardOf(p.activity)).includes(SYNC_ERROR_UPNS.luisDuplicate))!;
      const updates = connector.activities.filter((a) => a.method === 'PUT');
      expect(updates).toHaveLength(1);
      expect(updates[0]?.activityId).toBe(luisPost.id);
      expect(text(cardOf(updates[0]!.activity))).toMatch(/Resolved/);
      expect(findActions(cardOf(updates[0]!.activity))).toHaveLength(0);
      expect(await h.app.watch.runPass()).toMatchObject({ resolved: 0 });

      // Kim's card became her clear request (Request clear): when her conflict goes away, that request card is
      // not overwritten (it still waits for a decision); the thread is told instead.
      connector.clear();
      sandbox.getUser(SYNC_ERROR_USERS.kimDuplicate)!.onPremisesProvisioningErrors = [];
      expect(await h.app.watch.runPass()).toMatchObject({ status: 'completed', posted: 0, resolved: 1 });
      expect(connector.activities.filter((a) => a.method === 'PUT' && a.activityId === kimPost.id)).toHaveLength(0);
      const note = connector.messages(kimPost.conversationId).map((m) => m.activity.text ?? '').join('\n');
      expect(note).toContain('The sync error on **' + SYNC_ERROR_UPNS.kimDuplicate);
      expect(note).toMatch(/The request made from it stays as it is; cancel it \(`cancel [0-9a-f]+`\)/);
    } finally {
      await h.close();
    }
  });

  it('without the bot in the approvers\' team it says so in /healthz and does not scan', async () => {
    const h = await start();
    try {
      expect(await h.app.watch.runPass()).toEqual({ status: 'skipped', reason: 'not-installed' });
      const health = (await (await fetch(`${h.botUrl}/healthz`)).json()) as { watch: { state: string; detail: string } };
      expect(health.watch).toMatchObject({ state: 'not-installed' });
      expect(health.watch.detail).toMatch(/not installed in the team of APPROVAL_CHANNEL_ID/);
      expect(sandbox.requests().some((r) => r.path === '/v1.0/users' && r.method === 'GET')).toBe(false);
    } finally {
      await h.close();
    }
  });

  it('without APPROVAL_CHANNEL_ID it says so in /healthz and does not scan', async () => {
    const h = await startHarness({ WATCH_SYNC_ERRORS: 'true', DATA_DIR: dataDir }, { sandbox, connector });
    try {
      expect(await h.app.watch.runPass()).toEqual({ status: 'skipped', reason: 'no-channel' });
      const health = (await (await fetch(`${h.botUrl}/healthz`)).json()) as { watch: { state: string; detail: string } };
      expect(health.watch.state).toBe('no-channel');
      expect(health.watch.detail).toMatch(/APPROVAL_CHANNEL_ID is not set/);
      expect(sandbox.requests().some((r) => r.path === '/v1.0/users' && r.method === 'GET')).toBe(false);
    } finally {
      await h.close();
    }
  });
});
