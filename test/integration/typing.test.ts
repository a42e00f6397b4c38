/**
 * How people type (issue 11), over HTTP: the bot with the real Graph client against the sandbox
 * directory and a recording Bot connector.
 */
import { SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { cardOf, HELPDESK, useHarness } from '../helpers/bot-harness';

const h = useHarness();

const graphCalls = () => h.sandbox.requests().filter((r) => r.path.startsWith('/v1.0'));
const replies = () => h.connector.messages().map((m) => m.activity);
const cardText = (card: Record<string, unknown> | undefined) => collectCardText(card ?? {}).join('\n');

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
    expect(findActions(cardOf(reply!)).some((a) => a.verb === 'clear.confirm')).toBe(false);
    expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });
});

describe('a near miss gets the command it meant, with a button that sends it', () => {
  it('answers "clear immutable alice@contoso.com" with "Did you mean" and one imBack button, not the help card, and calls no Graph', async () => {
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
        data: { msteams: { type: 'imBack', value: 'clear immutable id for alice@contoso.com' } },
      }),
    ]);
    expect(graphCalls()).toHaveLength(0);
  });

  it('the text the button sends gets the clear card', async () => {
    await h.say('cleer immutable id alice@contoso.com', { from: HELPDESK });
    const sent = (findActions(cardOf(replies()[0]!))[0]?.data as { msteams: { value: string } }).msteams.value;
    h.connector.clear();
    await h.say(sent, { from: HELPDESK });
    const card = cardOf(replies()[0]!);
    expect(cardText(card)).toContain('Alice Smith');
    expect(findActions(card).some((a) => a.verb === 'clear.confirm')).toBe(true);
  });

  it('still answers chatter that names no user with the help card', async () => {
    await h.say('what is the weather', { from: HELPDESK });
    expect(cardText(cardOf(replies()[0]!))).toMatch(/I didn't understand/);
  });
});
