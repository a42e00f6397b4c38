/**
 * Threat: a value from the directory (display name, UPN, mail, proxy address), a Teams name, or
 * text a user typed turns into a live link, an @mention or HTML in a card or message the bot
 * posts, e.g. to phish an approver or ping a whole channel.
 *
 * Everything from the directory that reaches a card or message is escaped (markdown links,
 * <at> mentions, HTML). The values are planted in the sandbox directory and the whole flow is
 * driven over HTTP; every card text and chat message the connector received is checked, plus an
 * end-to-end fast-check fuzz of hostile display names.
 */
import fc from 'fast-check';
import { SANDBOX_USERS } from '../../src/sandbox';
import { APPROVER, BOT, cardOf, Harness, HELPDESK, startHarness, TEAM_ID , useHarness, teamMembershipActivity } from '../helpers/bot-harness';
import { cardText, invoke, executeValue, lastCard, requestClear, requestIdOf, sentCards, sentTexts, sleep, waitUntil , advanceClock } from '../helpers/security-helpers';
import { collectCardText } from '../cards/card-text';

const EVIL_LINK = '[Approve here](https://evil.example/phish)';
const EVIL_IMAGE = '![x](https://evil.example/pixel.png)';
const EVIL_MENTION = '<at>General</at>';
const EVIL_SCRIPT = '<script>alert(1)</script>';
const EVIL_ENTITY = '&lt;at&gt;Everyone&lt;/at&gt;';
const HOSTILE = `Mallory ${EVIL_LINK} ${EVIL_MENTION} ${EVIL_SCRIPT} ${EVIL_IMAGE} ${EVIL_ENTITY} <b>bold</b> <https://evil.example/auto>`;
const HOSTILE_UPN = '[x](https://evil.example)_<at>all</at>@contoso.com';

/**
 * What in a rendered text would be live: a markdown link or image (after dropping backslash
 * escapes), a mention or HTML tag, an entity that decodes to one, or a clickable evil URL.
 */
function liveProblems(text: string): string[] {
  const bare = text.replace(/\\[\s\S]/g, '');
  const problems: string[] = [];
  if (/!?\[[^\]]*\]\s*\(/.test(bare)) problems.push('markdown link/image');
  if (/<\s*\/?\s*(at|script|b|img|a)\b/i.test(text)) problems.push('tag or mention');
  if (/<https?:/i.test(text)) problems.push('autolink');
  if (/&(lt|#0*60|#x0*3c);\s*\/?\s*(at|script)/i.test(text)) problems.push('entity-encoded tag');
  if (/https?:\/\/evil/i.test(text)) problems.push('clickable URL');
  return problems;
}

/** Every text the chat could render: card texts (posted, updated, invoke answers) and messages. */
function everythingShown(h: Harness, extraCards: unknown[] = []): string[] {
  const cards = [...sentCards(h).map((c) => c.card), ...extraCards];
  return [...cards.flatMap((c) => collectCardText(c)), ...sentTexts(h)];
}

function expectInert(texts: string[]): void {
  const problems = texts.flatMap((t) => liveProblems(t).map((p) => `${p} in ${JSON.stringify(t)}`));
  expect(problems).toEqual([]);
}

/** Plants hostile values on alice (and keeps her clearable). */
function plantHostileAlice(h: Harness, upn = false): void {
  const alice = h.sandbox.getUser(SANDBOX_USERS.alice)!;
  alice.displayName = HOSTILE;
  alice.mail = 'alice@contoso.com';
  alice.proxyAddresses = [`SMTP:${EVIL_MENTION}@contoso.com`, `smtp:${EVIL_LINK}@contoso.com`, 'smtp:alice.smith@contoso.com'];
  alice.userType = 'Member' as const;
  if (upn) alice.userPrincipalName = HOSTILE_UPN;
}

const hostileRequester = { ...HELPDESK, name: `Helen ${EVIL_LINK} ${EVIL_MENTION}` };
const hostileApprover = { ...APPROVER, name: `Adele ${EVIL_SCRIPT} ${EVIL_IMAGE}` };

describe('hostile values through the whole flow', () => {
  const h = useHarness({ RATE_LIMIT_PER_MINUTE: '10000' });

  it('show: the user card renders the hostile display name, mail and proxies inert', async () => {
    plantHostileAlice(h, true);
    await h.say(`show ${SANDBOX_USERS.alice}`);
    const text = cardText(lastCard(h));
    expect(text).toContain('Mallory'); // the value is shown…
    expect(text).toContain('Approve here');
    expectInert(everythingShown(h)); // …but nothing in it is live
  });

  it('request, approval, outcome, tips and announcements: all inert, whoever typed or owns the values', async () => {
    plantHostileAlice(h, true);
    const { requestId, cardMessageId } = await requestClear(h, `${SANDBOX_USERS.alice} because ${EVIL_LINK} ${EVIL_MENTION}`, { from: hostileRequester });
    expect(cardText(lastCard(h))).toContain('Mallory');
    const { body } = await h.tap('clear.confirm', { requestId }, { from: hostileApprover, replyToId: cardMessageId });
    expect(cardText(body.value)).toMatch(/cleared/i);
    expect(sentCards(h).some((c) => /Start-ADSyncSyncCycle/.test(cardText(c.card)))).toBe(true);
    expectInert(everythingShown(h, [body.value]));
  });

  it('reject with a hostile reason: the outcome card and the message to the requester are inert', async () => {
    plantHostileAlice(h);
    const { requestId } = await requestClear(h, 'alice@contoso.com', { from: hostileRequester, conversation: 'groupChat' });
    const { body } = await h.tap('clear.reject', { requestId, rejectReason: `${EVIL_LINK} ${EVIL_MENTION} ${EVIL_SCRIPT}` }, { from: hostileApprover, conversation: 'groupChat' });
    expect(cardText(body.value)).toMatch(/rejected/i);
    expectInert(everythingShown(h, [body.value]));
  });

  it('history: audit entries with hostile UPNs and names render inert', async () => {
    plantHostileAlice(h, true);
    const { requestId } = await requestClear(h, SANDBOX_USERS.alice, { from: hostileRequester });
    await h.tap('clear.cancel', { requestId }, { from: hostileRequester });
    h.connector.clear();
    await h.say(`history ${SANDBOX_USERS.alice}`, { from: APPROVER });
    await h.say('history', { from: APPROVER });
    expect(sentCards(h)).toHaveLength(2);
    expectInert(everythingShown(h));
  });

  it('an ambiguous address lists the matching UPNs inert', async () => {
    const judy = h.sandbox.getUser(SANDBOX_USERS.judy)!;
    const bob = h.sandbox.getUser(SANDBOX_USERS.bob)!;
    judy.mail = 'shared@contoso.com';
    bob.mail = 'shared@contoso.com';
    judy.userPrincipalName = HOSTILE_UPN;
    await h.say('show shared@contoso.com');
    expect(sentTexts(h).join('\n')).toMatch(/More than one user/);
    expectInert(everythingShown(h));
  });

  it('the "cannot clear" card of a hostile synced user is inert', async () => {
    const bob = h.sandbox.getUser(SANDBOX_USERS.bob)!;
    bob.displayName = HOSTILE;
    await h.say('clear immutable id for bob@contoso.com', { from: hostileRequester });
    expect(cardText(lastCard(h))).toMatch(/sync/i);
    expectInert(everythingShown(h));
  });
});

describe("announcements across chats (approvers' channel)", () => {
  const CHANNEL = '19:approvals-hostile@thread.tacv2';
  it('the channel card, the requester copy update and the outcome announcement are inert', async () => {
    const h = await startHarness({ APPROVAL_CHANNEL_ID: CHANNEL }, { channelId: CHANNEL });
    try {
      await h.post(teamMembershipActivity(h, 'added'));
      plantHostileAlice(h, true);
      await h.say(`clear immutable id for ${SANDBOX_USERS.alice} because ${EVIL_LINK}`, { from: hostileRequester });
      const posted = h.connector.messages().find((m) => m.conversationId.startsWith(`${CHANNEL};messageid=`));
      expect(posted).toBeDefined();
      const requestId = requestIdOf(cardOf(posted!.activity)!);
      const { body } = await h.tap('clear.confirm', { requestId }, { from: hostileApprover, conversation: 'channel', conversationId: posted!.conversationId, replyToId: posted!.id });
      expect(cardText(body.value)).toMatch(/cleared/i);
      // The requester heard about it in their chat: that message carries the UPN and the approver's name.
      const announced = h.connector.messages(h.conversationIdFor('personal')).filter((m) => /was cleared/.test(m.activity.text ?? ''));
      expect(announced).toHaveLength(1);
      expectInert(everythingShown(h, [body.value]));
    } finally {
      await h.close();
    }
  });
});

describe('the interim "Working…" card and its later update', () => {
  it('are inert too', async () => {
    const h = await startHarness({ CARD_ACTION_DEADLINE_MS: '100' });
    try {
      plantHostileAlice(h, true);
      const { requestId, cardMessageId } = await requestClear(h, SANDBOX_USERS.alice, { from: hostileRequester });
      h.sandbox.addFault({ method: 'PATCH', delayMs: 600, times: 1 });
      const tap = await invoke(h, executeValue('clear.confirm', { requestId }), { from: hostileApprover, replyToId: cardMessageId });
      expect(cardText(tap.body?.value)).toMatch(/Working/i);
      await waitUntil(() => h.connector.activities.some((a) => a.method === 'PUT' && a.activityId === cardMessageId), 5000, 'the card update');
      expectInert(everythingShown(h, [tap.body?.value]));
    } finally {
      await h.close();
    }
  });
});

describe('the approval reminder', () => {
  it("escapes the requester's Teams name and the target UPN", async () => {
    const h = await startHarness({ REMINDER_AFTER: '4h', SWEEP_INTERVAL: '1h' });
    try {
      plantHostileAlice(h, true);
      await requestClear(h, SANDBOX_USERS.alice, { from: hostileRequester });
      h.connector.clear();
      advanceClock(h, 5 * 3600_000);
      await h.app.sweep();
      const reminders = sentTexts(h).filter((t) => /Reminder/.test(t));
      expect(reminders).toHaveLength(1);
      expectInert(reminders);
    } finally {
      await h.close();
    }
  });
});

describe('fuzz: hostile display names end to end (fast-check)', () => {
  const FRAGMENTS = [
    '[x](https://evil.example)', '[x]', '(https://evil.example)', '](', '![i](https://evil.example/i.png)', '<at>', '</at>', 'Admin', '<script>',
    '<b>', '&lt;at&gt;', '&#60;at&#62;', '<https://evil.example>', '**', '_', '`', '\\', '#', '> ', '- ', '\n', '\u202E', '\u2028', 'é',
    '😀', ' ', 'a', ':', '/', '"', "'", '{{DATE(2017-02-14T06:08:39Z,SHORT)}}', '${$root}',
  ];
  const hostile = fc.oneof(
    fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 20 }).map((p) => p.join('')),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );

  it('no live link, mention or tag on the user card, whatever the display name and mail', async () => {
    const h = await startHarness({ RATE_LIMIT_PER_MINUTE: '10000' });
    try {
      await fc.assert(
        fc.asyncProperty(hostile, hostile, async (displayName, mailLocal) => {
          h.sandbox.reset();
          h.connector.clear();
          const alice = h.sandbox.getUser(SANDBOX_USERS.alice)!;
          alice.displayName = displayName;
          alice.proxyAddresses = [`SMTP:${mailLocal}@contoso.com`];
          alice.mail = `${mailLocal}@contoso.com`;
          await h.say(`clear immutable id for ${SANDBOX_USERS.alice}`);
          const cards = h.connector.messages().map((m) => cardOf(m.activity)).filter(Boolean);
          expect(cards).toHaveLength(1);
          expectInert(everythingShown(h));
        }),
        { numRuns: 30 },
      );
    } finally {
      await h.close();
    }
  });
});
