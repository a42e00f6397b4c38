/**
 * Bulk jobs over HTTP: a preview grouped by reason, nothing written before approval, each
 * clearable user written exactly once and nobody else, throttling that only slows the job down,
 * Stop and Resume, and the requester told at the end.
 */
import { BULK_UPNS, BULK_USERS, SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, HELPDESK, useHarness } from '../helpers/bot-harness';
import type { RecordedActivity } from '../helpers/recording-connector';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

const text = (card: Record<string, unknown> | undefined) => collectCardText(card).join('\n');
const patchesOf = (h: ReturnType<typeof useHarness>, id: string, upn?: string) =>
  h.sandbox.requests().filter((r) => r.method === 'PATCH' && (r.path.endsWith(`/users/${id}`) || (upn !== undefined && r.path.endsWith(`/users/${upn}`))));
const jobIdOf = (card: Record<string, unknown>) => (findActions(card).find((a) => String(a.verb).startsWith('bulk.'))?.data as { requestId: string }).requestId;
/** What Teams sends when the user answers a file consent card in the personal chat. */
function fileConsentInvoke(h: ReturnType<typeof useHarness>, from: { id: string; name: string; aadObjectId: string }) {
  return {
    type: 'invoke',
    name: 'fileConsent/invoke',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: h.connector.url,
    from,
    recipient: { id: '28:immutable-id-bot', name: 'Immutable ID Helper' },
    conversation: { id: h.conversationIdFor('personal'), conversationType: 'personal', tenantId: h.tenantId },
    channelData: { tenant: { id: h.tenantId } },
  };
}
const finished = (activities: RecordedActivity[]) => activities.some((a) => a.method === 'PUT' && /finished/i.test(text(cardOf(a.activity))));

describe('bulk clear', () => {
  const h = useHarness({ BULK_MAX_WRITES_PER_MINUTE: '1200' });

  async function preview(command: string) {
    await h.say(command, { from: APPROVER });
    const message = h.connector.messages().find((m) => cardOf(m.activity))!;
    const card = cardOf(message.activity)!;
    return { message, card, jobId: jobIdOf(card) };
  }

  it('previews a group of mixed users grouped by reason, then writes each clearable user exactly once and nobody else', async () => {
    const { message, card, jobId } = await preview('clear immutable id for members of Forest move wave 1');
    const shown = text(card);
    expect(shown).toMatch(/Will be changed \(5\)/);
    for (const upn of Object.values(BULK_UPNS)) expect(shown).toContain(upn);
    expect(shown).toMatch(/Still synced \(1\)[\s\S]*bob@contoso\.com/);
    expect(shown).toMatch(/Federated domain \(1\)[\s\S]*carol@fabrikam\.com/);
    expect(shown).toMatch(/Protected account \(1\)[\s\S]*dave@contoso\.com/);
    expect(shown).toMatch(/Already empty \(1\)[\s\S]*ivan@contoso\.com/);
    expect([...new Set(findActions(card).map((a) => a.title))]).toEqual(['Approve', 'Reject', 'Cancel']);
    expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(0);

    const tapped = await h.tap('bulk.approve', { requestId: jobId }, { from: APPROVER, replyToId: message.id });
    expect(text(tapped.body.value as Record<string, unknown>)).toMatch(/Running|finished/);
    await h.connector.waitFor(finished, 20_000);

    for (const name of Object.keys(BULK_USERS) as (keyof typeof BULK_USERS)[]) {
      expect(patchesOf(h, BULK_USERS[name], BULK_UPNS[name])).toHaveLength(1);
      expect(h.sandbox.getUser(BULK_USERS[name])?.onPremisesImmutableId).toBeNull();
    }
    for (const id of [SANDBOX_USERS.bob, SANDBOX_USERS.carol, SANDBOX_USERS.dave, SANDBOX_USERS.ivan]) expect(patchesOf(h, id)).toHaveLength(0);
    const final = h.connector.activities.filter((a) => a.method === 'PUT').map((a) => text(cardOf(a.activity))).find((t) => /finished/i.test(t))!;
    expect(final).toMatch(/5 changed, 0 failed/);
    // The requester is told when the job ends.
    await h.connector.waitFor(() => h.connector.messages(h.conversationIdFor('personal')).some((m) => /has finished: 5 changed, 0 failed/.test(m.activity.text ?? '')), 10_000);
    // Chat text is markdown in Teams: a <placeholder> would be eaten as HTML or shown as &lt;…&gt;.
    const finishedText = h.connector.messages(h.conversationIdFor('personal')).map((m) => m.activity.text ?? '').find((t) => /has finished/.test(t)) ?? '';
    expect(finishedText).toContain("send `history` and a user's UPN to see that user's previous value");
    expect(finishedText).not.toMatch(/[<>]/);

    // The previous value of every changed user is in its audit record.
    const intents = h.audit.entries.filter((e) => e.event === 'change.succeeded' && e.requestId === jobId);
    expect(intents).toHaveLength(5);
    expect(intents.every((e) => typeof e.before === 'string' && e.before.length > 0 && e.after === null)).toBe(true);
    h.connector.clear();
    await h.say(`history ${BULK_UPNS.nora}`, { from: APPROVER });
    expect(h.connector.messages().map((m) => text(cardOf(m.activity)) + (m.activity.text ?? '')).join('\n')).toContain(intents.find((e) => e.target.id === BULK_USERS.nora)!.before as string);
  });

  it('sends the previous values as a CSV file in the personal chat, to the requester and approvers only', async () => {
    const { message, jobId } = await preview(`clear immutable id for ${BULK_UPNS.nora}, ${BULK_UPNS.omar}`);
    await h.tap('bulk.approve', { requestId: jobId }, { from: APPROVER, replyToId: message.id });
    await h.connector.waitFor(finished, 20_000);
    h.connector.clear();
    await h.say(`csv ${jobId}`, { from: APPROVER });
    const consent = h.connector.messages().flatMap((m) => m.activity.attachments ?? []).find((a) => a.contentType === 'application/vnd.microsoft.teams.card.file.consent');
    expect(consent).toMatchObject({ name: expect.stringMatching(/\.csv$/), content: { acceptContext: { jobId } } });

    const uploads: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const oneDrive = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        uploads.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = 201;
        res.end('{}');
      });
    });
    await new Promise<void>((r) => oneDrive.listen(0, '127.0.0.1', r));
    try {
      const uploadUrl = `http://127.0.0.1:${(oneDrive.address() as AddressInfo).port}/upload`;
      const uploadInfo = { name: 'prev.csv', uploadUrl, contentUrl: 'https://contoso-my.sharepoint.com/prev.csv', uniqueId: 'u-1', fileType: 'csv' };
      h.connector.clear();
      const accepted = await h.post({ ...fileConsentInvoke(h, APPROVER), value: { type: 'fileUpload', action: 'accept', context: { jobId }, uploadInfo } });
      expect(accepted.status).toBe(200);
      expect(uploads).toHaveLength(1);
      const rows = uploads[0]!.body.trim().split('\r\n');
      expect(rows[0]).toBe('userPrincipalName,objectId,status,attribute,previousValue,newValue,at,graphRequestId,detail');
      expect(rows.find((r) => r.startsWith(BULK_UPNS.nora))).toContain(`,done,onPremisesImmutableId,`);
      expect(rows).toHaveLength(3);
      expect(h.connector.messages().flatMap((m) => m.activity.attachments ?? []).some((a) => a.contentType === 'application/vnd.microsoft.teams.card.file.info')).toBe(true);

      // Someone who is neither the requester nor an approver gets no file.
      uploads.length = 0;
      h.connector.clear();
      await h.say(`csv ${jobId}`, { from: HELPDESK });
      expect(h.connector.messages().map((m) => m.activity.text).join('\n')).toMatch(/Only the requester of that bulk job and approvers/);
      await h.post({ ...fileConsentInvoke(h, HELPDESK), value: { type: 'fileUpload', action: 'accept', context: { jobId }, uploadInfo } });
      expect(uploads).toHaveLength(0);
    } finally {
      await new Promise((r) => oneDrive.close(r));
    }
  });

  it('clears the on-prem attributes of a list through the beta endpoint, one PATCH per user with every attribute null', async () => {
    const { message, card, jobId } = await preview(`clear on-prem attributes for ${BULK_UPNS.nora}, ${BULK_UPNS.omar}`);
    expect(text(card)).toMatch(/Will be changed \(2\)/);
    expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(0);
    await h.tap('bulk.approve', { requestId: jobId }, { from: APPROVER, replyToId: message.id });
    await h.connector.waitFor(finished, 20_000);
    for (const name of ['nora', 'omar'] as const) {
      const writes = patchesOf(h, BULK_USERS[name], BULK_UPNS[name]);
      expect(writes).toHaveLength(1);
      expect(writes[0]!.path).toMatch(/^\/beta\/users\//);
      const body = writes[0]!.body as Record<string, unknown>;
      expect(body).toMatchObject({ onPremisesImmutableId: null });
      expect(Object.values(body).every((v) => v === null)).toBe(true);
      expect(h.sandbox.getUser(BULK_USERS[name])?.onPremisesImmutableId).toBeNull();
    }
  });

  it('reads a pasted list, says who was not found, and needs an approver', async () => {
    const { message, card, jobId } = await preview(`clear immutable id for ${BULK_UPNS.nora}, nobody@contoso.com\n${BULK_UPNS.omar} bob@contoso.com`);
    expect(text(card)).toMatch(/Will be changed \(2\)/);
    expect(text(card)).toMatch(/Not found \(1\)[\s\S]*nobody@contoso\.com/);
    const refused = await h.tap('bulk.approve', { requestId: jobId }, { from: HELPDESK, replyToId: message.id });
    expect(String(refused.body.value)).toMatch(/Only the bot's approvers/);
    expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('gives a specific answer for an unknown group and for entries that are not users', async () => {
    await h.say('clear immutable id for members of No Such Group', { from: APPROVER });
    expect(h.connector.messages().map((m) => m.activity.text).join('\n')).toMatch(/can't find a group called \*\*No Such Group\*\*/);
    h.connector.clear();
    await h.say('clear immutable id for alice@contoso.com, not a user', { from: APPROVER });
    expect(h.connector.messages().map((m) => m.activity.text).join('\n')).toMatch(/not a UPN, mail address or object id/);
  });

  it('is slowed down by throttling, never failed by it', async () => {
    const made = h.sandbox.addGeneratedUsers('thr', 24, 'Throttle wave');
    h.sandbox.setWriteLimit({ writes: 6, perSeconds: 1 });
    const { message, jobId } = await preview('clear immutable id for members of Throttle wave');
    await h.tap('bulk.approve', { requestId: jobId }, { from: APPROVER, replyToId: message.id });
    await h.connector.waitFor(finished, 40_000);
    const patches = h.sandbox.requests().filter((r) => r.method === 'PATCH');
    expect(patches.some((r) => r.status === 429)).toBe(true);
    for (const user of made.users) {
      expect(patches.filter((r) => r.path.endsWith(user.id) && r.status === 204)).toHaveLength(1);
      expect(h.sandbox.getUser(user.id)?.onPremisesImmutableId).toBeNull();
    }
    const final = h.connector.activities.filter((a) => a.method === 'PUT').map((a) => text(cardOf(a.activity))).find((t) => /finished/i.test(t))!;
    expect(final).toMatch(/24 changed, 0 failed/);
  });

  it('stops on Stop and finishes on Resume, writing each user once', async () => {
    const made = h.sandbox.addGeneratedUsers('stp', 30, 'Stop wave');
    h.sandbox.setWriteLimit({ writes: 4, perSeconds: 1 }); // slow enough to tap Stop mid-run
    const { message, jobId } = await preview('clear immutable id for members of Stop wave');
    await h.tap('bulk.approve', { requestId: jobId }, { from: APPROVER, replyToId: message.id });
    await h.connector.waitFor(() => h.sandbox.requests().filter((r) => r.method === 'PATCH' && r.status === 204).length >= 3, 20_000);
    const stop = await h.tap('bulk.stop', { requestId: jobId }, { from: APPROVER, replyToId: message.id });
    expect(text(stop.body.value as Record<string, unknown>)).toMatch(/Stopping/);
    await h.connector.waitFor((a) => a.some((x) => x.method === 'PUT' && /Stopped by Adele Approver/.test(text(cardOf(x.activity)))), 20_000);
    const writtenAtStop = h.sandbox.requests().filter((r) => r.method === 'PATCH' && r.status === 204).length;
    expect(writtenAtStop).toBeLessThan(30);
    await new Promise((r) => setTimeout(r, 600));
    expect(h.sandbox.requests().filter((r) => r.method === 'PATCH' && r.status === 204).length).toBe(writtenAtStop);

    h.sandbox.setWriteLimit({ writes: 100, perSeconds: 1 });
    const resumed = await h.tap('bulk.resume', { requestId: jobId }, { from: APPROVER, replyToId: message.id });
    expect(text(resumed.body.value as Record<string, unknown>)).toMatch(/Running/);
    await h.connector.waitFor(finished, 20_000);
    for (const user of made.users) expect(h.sandbox.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith(user.id) && r.status === 204)).toHaveLength(1);
    // Who stopped and who resumed the job is on record, each under its own event.
    const decisions = h.audit.entries.filter((e) => e.requestId === jobId && e.event.startsWith('bulk.'));
    expect(decisions.map((e) => [e.event, e.actor.name])).toEqual([
      ['bulk.stopped', 'Adele Approver'],
      ['bulk.resumed', 'Adele Approver'],
    ]);
  });
});
