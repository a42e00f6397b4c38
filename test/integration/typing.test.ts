/**
 * How people type (issue 11), over HTTP: the bot with the real Graph client against the sandbox
 * directory and a recording Bot connector.
 */
import { SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { BOT, cardOf, HELPDESK, useHarness } from '../helpers/bot-harness';

const h = useHarness();

const graphCalls = () => h.sandbox.requests().filter((r) => r.path.startsWith('/v1.0'));
const replies = () => h.connector.messages().map((m) => m.activity);
const cardText = (card: Record<string, unknown> | undefined) => collectCardText(card ?? {}).join('\n');

/** A tap on an Action.Submit button, as Teams and the Playground deliver it: a message with the data as value, no text. */
async function tapButton(value: Record<string, unknown>): Promise<void> {
  const { status } = await h.post({
    type: 'message',
    id: `tap-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl: h.connector.url,
    from: { id: HELPDESK.id, name: HELPDESK.name, aadObjectId: HELPDESK.aadObjectId },
    recipient: BOT,
    conversation: { id: h.conversationIdFor('personal'), tenantId: h.tenantId, conversationType: 'personal' },
    channelData: { tenant: { id: h.tenantId } },
    replyToId: 'choices-card-1',
    value,
  });
  expect(status).toBe(200);
}

describe('a bare user means show', () => {
  it.each([
    ['a UPN', 'alice@contoso.com', 'Alice Smith', 'alice@contoso.com'],
    ['a mail address', 'judy.lee@contoso.com', 'Judy Lee', 'judy@contoso.onmicrosoft.com'],
    ['an object id', SANDBOX_USERS.alice, 'Alice Smith', 'alice@contoso.com'],
  ])('%s on its own gets the user card, with nothing written', async (_what, who, name, upn) => {
    expect(await h.say(who, { from: HELPDESK })).toBe(200);
    const [reply] = replies();
    expect(cardText(cardOf(reply!))).toContain(name);
    expect(cardText(cardOf(reply!))).toContain(upn);
    expect(findActions(cardOf(reply!)).some((a) => a.verb === 'request.approve')).toBe(false);
    expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });
});

describe('a near miss gets the command it meant, with a button that sends it', () => {
  it('answers "clear immutable alice@contoso.com" with "Did you mean" and one button carrying the command, not the help card, and calls no Graph', async () => {
    await h.say('clear immutable alice@contoso.com', { from: HELPDESK });
    const all = replies();
    expect(all).toHaveLength(1);
    const reply = all[0]!;
    expect(reply.text).toBe('Did you mean `clear immutable id for alice@contoso.com`?');
    const card = cardOf(reply);
    expect(cardText(card)).not.toMatch(/What I can do/);
    expect(findActions(card)).toEqual([
      expect.objectContaining({
        type: 'Action.Submit',
        title: 'clear immutable id for alice@contoso.com',
        data: { command: 'clear immutable id for alice@contoso.com' },
      }),
    ]);
    expect(graphCalls()).toHaveLength(0);
  });

  it('the text the button sends gets the clear card', async () => {
    await h.say('cleer immutable id alice@contoso.com', { from: HELPDESK });
    const sent = (findActions(cardOf(replies()[0]!))[0]?.data as { command: string }).command;
    h.connector.clear();
    await tapButton({ command: sent });
    const card = cardOf(replies()[0]!);
    expect(cardText(card)).toContain('Alice Smith');
    expect(findActions(card).some((a) => a.verb === 'request.approve')).toBe(true);
  });

  it('a message carrying imBack or messageBack data instead of text (other clients) runs that command too', async () => {
    await tapButton({ msteams: { type: 'imBack', value: 'show alice@contoso.com' } });
    expect(cardText(cardOf(replies()[0]!))).toContain('Alice Smith');
    h.connector.clear();
    await tapButton({ msteams: { type: 'messageBack', text: 'show bob@contoso.com', displayText: 'show bob@contoso.com' } });
    expect(cardText(cardOf(replies()[0]!))).toContain('Bob Jones');
  });

  it('still answers chatter that names no user with the help card', async () => {
    await h.say('what is the weather', { from: HELPDESK });
    expect(cardText(cardOf(replies()[0]!))).toMatch(/I didn't understand/);
  });
});

describe('a display name searches the directory', () => {
  /** The name searches (sub-requests of $batch, like every read). */
  const searches = () => graphCalls().filter((r) => r.method === 'GET' && r.path === '/v1.0/users' && /startswith/i.test(r.query.$filter ?? ''));

  it('"show Alice Smith": one match gets its card; the search is a startsWith filter, quoted, without ConsistencyLevel', async () => {
    await h.say('show Alice Smith', { from: HELPDESK });
    const card = cardOf(replies()[0]!);
    expect(cardText(card)).toContain('alice@contoso.com');
    expect(searches()).toHaveLength(1);
    expect(searches()[0]!.query.$filter).toBe("startswith(displayName,'Alice Smith') or startswith(givenName,'Alice Smith') or startswith(surname,'Alice Smith')");
    expect(searches()[0]!.headers.consistencylevel).toBeUndefined();
  });

  it('"clear immutable id for Alice Smith" gets the request card with Confirm', async () => {
    await h.say('clear immutable id for Alice Smith', { from: HELPDESK });
    const card = cardOf(replies()[0]!);
    expect(cardText(card)).toContain('alice@contoso.com');
    expect(findActions(card).some((a) => a.verb === 'request.approve')).toBe(true);
    expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it("a name with an apostrophe reaches Graph as a doubled quote and finds the user", async () => {
    await h.say("show Sean O'Brien", { from: HELPDESK });
    expect(cardText(cardOf(replies()[0]!))).toContain("o'brien@contoso.com");
    expect(searches()[0]!.query.$filter).toContain("startswith(displayName,'Sean O''Brien')");
  });

  it('several matches get a short list whose buttons send the exact command with each UPN, reason kept', async () => {
    await h.say('clear immutable id for Kim Lee because INC0012345', { from: HELPDESK });
    const all = replies();
    expect(all).toHaveLength(1);
    const card = cardOf(all[0]!);
    expect(cardText(card)).toMatch(/2 users' names start with \*\*Kim Lee\*\*/);
    const sent = findActions(card).map((a) => ({ type: a.type, data: a.data }));
    expect(sent).toEqual([
      { type: 'Action.Submit', data: { command: 'clear immutable id for kim.lee@contoso.com because INC0012345' } },
      { type: 'Action.Submit', data: { command: 'clear immutable id for kim.lee4821@contoso.onmicrosoft.com because INC0012345' } },
    ]);
    expect(findActions(card).map((a) => a.title)).toEqual(['Kim Lee (kim.lee@contoso.com)', 'Kim Lee (kim.lee4821@contoso.onmicrosoft.com)']);
    expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('a surname finds everyone with it ("show Approver")', async () => {
    await h.say('show Approver', { from: HELPDESK });
    const values = findActions(cardOf(replies()[0]!)).map((a) => (a.data as { command: string }).command);
    expect(values).toEqual(['show aaron.approver@contoso.com', 'show adele.approver@contoso.com']);
  });

  it('no match says so and what to try instead', async () => {
    await h.say('show Nobody Here', { from: HELPDESK });
    const reply = replies()[0]!;
    expect(reply.text).toMatch(/no user whose name starts with \*\*Nobody Here\*\*/);
    expect(reply.text).toMatch(/UPN .*object id or mail address/);
    expect(cardOf(reply)).toBeUndefined();
  });

  it('history takes a display name too', async () => {
    await h.say('history Alice Smith', { from: HELPDESK });
    expect(cardText(cardOf(replies()[0]!))).toContain('alice@contoso.com');
  });
});
