/**
 * End to end: drive the Agents Playground over its HTTP API through lookup → confirm → outcome.
 *
 * One `npm run playground` launcher (sandbox directory + bot + Microsoft 365 Agents Playground) for
 * the file. We talk to the Playground exactly like its web UI does: messages and card invokes over
 * HTTP, and what the bot sends back over the Playground's conversation websocket.
 *
 * Run: npm run build && node scripts/with-sandbox-ca.js npx jest test/e2e
 */
import { collectCardText, findActions } from '../cards/card-text';
import { CARD, callJson, cardOf, ConversationStream, Json, summarize } from '../helpers/playground-client';
import { RunningPlayground, startPlayground } from '../helpers/playground-process';

const ALICE_ID = 'a11ce000-0000-4000-8000-000000000001';
const ALICE_IMMUTABLE_ID = 'Miz67YLylkuu+WVf/UCh2g==';
const ADELE = 'user-adele'; // the Playground's current user; an approver
const HELEN = 'user-helen'; // helpdesk, not an approver; a member of the group chat and team only

const cardText = (card: Json): string => collectCardText(card).join('\n');

let pg: RunningPlayground;
let stream: ConversationStream;
let botId: string;
let personalChat: string;
let groupChat: string;
let botName: string;

async function api(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
  return callJson(pg.playgroundUrl, path, init);
}

/** The sandbox directory's /_sandbox/* controls, over https (CA trusted through NODE_EXTRA_CA_CERTS). */
async function sandbox(path: string, method = 'GET'): Promise<unknown> {
  const response = await fetch(`${pg.sandboxUrl}/_sandbox/${path}`, { method });
  if (!response.ok) throw new Error(`${method} /_sandbox/${path} → ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

interface WireRequest {
  method: string;
  path: string;
  status: number;
  body?: unknown;
}
const patches = async (): Promise<WireRequest[]> => ((await sandbox('requests')) as WireRequest[]).filter((r) => r.method === 'PATCH');

/** Sends a chat message as Adele; in a group chat it @mentions the bot, as Teams requires. */
async function say(conversationId: string, text: string): Promise<void> {
  const body: Json = { from: { id: ADELE }, text, textFormat: 'plain' };
  if (conversationId !== personalChat) {
    const at = `<at>${botName}</at>`;
    body.text = `${at} ${text}`;
    body.mentions = [{ mentioned: { id: botId }, text: at }];
  }
  const { status, body: reply } = await api(`/_conversation/v1/conversations/${encodeURIComponent(conversationId)}/messages`, { body });
  expect({ status, reply }).toEqual({ status: 200, reply: expect.objectContaining({ messageId: expect.any(String) }) });
}

/** Says `text` and waits for the bot's next card in that conversation. */
async function askForCard(conversationId: string, text: string): Promise<{ messageId: string; card: Json }> {
  const from = stream.events.length;
  await say(conversationId, text);
  const event = await stream.waitFor(
    `a card in ${conversationId} answering "${text}"`,
    from,
    (e) => e.action === 'createMessage' && e.actionConversationId === conversationId && cardOf(e) !== undefined,
  );
  return { messageId: event.message!.messageId, card: cardOf(event)! };
}

function confirmData(card: Json): { requestId: string } {
  const confirm = findActions(card).find((a) => a.verb === 'request.approve' && a.type === 'Action.Execute' && !a.isFallback);
  if (!confirm) throw new Error(`no Confirm (Action.Execute request.approve) on the card:\n${cardText(card)}`);
  return confirm.data as { requestId: string };
}

async function tap(conversationId: string, replyToId: string, from: string, verb: string, data: unknown): Promise<{ status: number; body: { type?: string; value?: unknown } }> {
  const { status, body } = await api('/_conversation/v1/invoke', {
    body: {
      name: 'adaptiveCard/action',
      from: { id: from },
      conversation: { id: conversationId },
      replyToId,
      value: { action: { type: 'Action.Execute', verb, data } },
    },
  });
  return { status, body: (body ?? {}) as { type?: string; value?: unknown } };
}

beforeAll(async () => {
  pg = await startPlayground();
  // Connect before anything is sent: the Playground flushes buffered events to the next client only.
  // The launcher's own output (bot errors land there), without the Playground's verbose log.
  stream = await ConversationStream.open(pg.playgroundUrl, () => `launcher output (tail):\n${pg.output().split('\n--- Agents Playground log')[0]!.slice(-3000)}`);
  const { body } = await api('/_internal/v1/testConfig');
  const config = (body as { config: { bot: { id: string; name: string }; personalChat: { id: string }; groupChats: { id: string }[] } }).config;
  botId = config.bot.id;
  botName = config.bot.name;
  personalChat = config.personalChat.id;
  groupChat = config.groupChats[0]!.id;
  expect(personalChat).toBe('a:playground-personal-chat');
  expect(groupChat).toBe('19:playground-group-chat@thread.v2');
}, 75_000);

afterAll(async () => {
  stream?.close();
  await pg?.stop();
});

beforeEach(async () => {
  await sandbox('reset', 'POST');
});

describe('the Agents Playground, over its HTTP API', () => {
  it('looks Alice up, confirms, shows the outcome, posts tips, and really clears her immutable id', async () => {
    const { messageId, card } = await askForCard(personalChat, 'clear immutable id for alice@contoso.com');
    const text = cardText(card);
    expect(text).toContain('Alice Smith');
    expect(text).toContain('alice@contoso.com');
    expect(text).toContain(ALICE_IMMUTABLE_ID);
    const data = confirmData(card);
    expect(data).toEqual({ requestId: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/) });
    expect(findActions(card).some((a) => a.verb === 'request.cancel' && a.type === 'Action.Execute')).toBe(true);
    expect(await patches()).toHaveLength(0);

    const from = stream.events.length;
    const { status, body } = await tap(personalChat, messageId, ADELE, 'clear.confirm', data);
    expect(status).toBe(200);
    expect(body.type).toBe(CARD);
    const outcome = cardText(body.value as Json);
    expect(outcome).toMatch(/Immutable ID cleared/);
    expect(outcome).toContain(ALICE_IMMUTABLE_ID); // the "before" value
    expect(outcome).toContain('Adele Approver');
    expect(outcome).not.toMatch(/fail/i);
    expect(findActions(body.value).filter((a) => a.verb === 'request.approve')).toHaveLength(0);

    const tips = await stream.waitFor('the tips card', from, (e) => {
      const c = e.action === 'createMessage' && e.actionConversationId === personalChat ? cardOf(e) : undefined;
      return c !== undefined && cardText(c).includes('Start-ADSyncSyncCycle -PolicyType Delta');
    });
    expect(cardText(cardOf(tips)!)).toContain('alice@contoso.com');

    const alice = (await sandbox(`users/${ALICE_ID}`)) as { onPremisesImmutableId: unknown };
    expect(alice.onPremisesImmutableId).toBeNull();
    const wire = await patches();
    expect(wire).toHaveLength(1);
    expect(wire[0]).toMatchObject({ path: `/v1.0/users/${ALICE_ID}`, status: 204 });
  });

  it('refuses a Confirm tap from someone who is not an approver, and changes nothing', async () => {
    // Helen is in the group chat, not in Adele's personal chat (the Playground only accepts
    // invokes from members of the conversation), so the request is made in the group chat.
    const { messageId, card } = await askForCard(groupChat, 'clear immutable id for alice@contoso.com');
    const data = confirmData(card);

    const { status, body } = await tap(groupChat, messageId, HELEN, 'clear.confirm', data);
    expect(status).toBe(200);
    expect(body.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(body.value)).toMatch(/not allowed/);
    expect(await patches()).toHaveLength(0);
    const alice = (await sandbox(`users/${ALICE_ID}`)) as { onPremisesImmutableId: unknown };
    expect(alice.onPremisesImmutableId).toBe(ALICE_IMMUTABLE_ID);
  });

  it('answers an @mention in a group chat with the card in that group chat', async () => {
    const from = stream.events.length;
    const { card } = await askForCard(groupChat, 'clear immutable id for alice@contoso.com');
    expect(cardText(card)).toContain('Alice Smith');
    expect(confirmData(card).requestId).toBeTruthy();
    // The bot answered there and nowhere else.
    const elsewhere = stream.events.slice(from).filter((e) => e.action === 'createMessage' && e.actionConversationId !== groupChat);
    expect(elsewhere.map(summarize)).toEqual([]);
  });

  it('explains a synced user instead of offering Confirm', async () => {
    const { card } = await askForCard(personalChat, 'show bob@contoso.com');
    const text = cardText(card);
    expect(text).toMatch(/Bob/);
    expect(text).toMatch(/still syncs|synced/i);
    expect(findActions(card).filter((a) => a.verb === 'request.approve')).toHaveLength(0);
    expect(await patches()).toHaveLength(0);
  });
});
