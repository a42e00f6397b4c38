import { escapeCardText, renderHelpCard } from '../../src/cards';
import { parseCommand, type Command } from '../../src/conversation/parse-command';
import { cardTextJoined, collectCardText, findActions, findObjects } from './card-text';
import { REQUEST_ID } from './fixtures';
import { expectValidCard } from './official-parser';

describe('renderHelpCard', () => {
  it.each([
    [{ sandbox: false }],
    [{ sandbox: true }],
    [{ sandbox: false, reason: "I didn't understand that." }],
    [{ sandbox: true, reason: `I didn't understand "${escapeCardText('<at>x</at> ${y} [l](http://e)\n'.repeat(100))}".` }],
  ])('%p passes the official parser, no buttons', (input) => {
    const card = renderHelpCard(input);
    expectValidCard(card);
    expect(findActions(card)).toEqual([]);
    expect(cardTextJoined(card).includes('🧪 Sandbox directory')).toBe(input.sandbox);
  });

  it('lists the commands with examples, what a user can be, and the approval', () => {
    const card = renderHelpCard({ sandbox: false });
    const texts = collectCardText(card);
    expect(texts).toEqual(
      expect.arrayContaining([
        'clear immutable id for alice@contoso.com',
        'clear immutable id for alice@contoso.com because INC0012345',
        'show alice@contoso.com',
        'check alice@contoso.com',
        'history alice@contoso.com',
        'history',
        'cancel ‹request id›',
        'help',
      ]),
    );
    const text = cardTextJoined(card);
    expect(text).toMatch(/UPN, object ID, mail address or any proxy address/);
    expect(text).toMatch(/reason or ticket/);
    expect(text).toMatch(/latest across all users, for approvers only/);
    expect(text).toMatch(/request ID is shown on the request card/);
    expect(text).toContain('Nothing changes until an approver taps Confirm');
    expect(text).toMatch(/the requester can cancel it/);
  });

  /** The command lines: every monospace TextBlock. */
  const commandBlocks = (): Array<Record<string, unknown>> =>
    findObjects(renderHelpCard({ sandbox: false }), (o) => o.type === 'TextBlock' && o.fontType === 'Monospace');

  it('every command line looks the same: bold monospace (an alias is no lighter than its command)', () => {
    const blocks = commandBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    for (const b of blocks) expect(b).toMatchObject({ fontType: 'Monospace', weight: 'Bolder', wrap: true });
  });

  it('no sentence starts with a lower-case word (a bare command reads as a typo)', () => {
    const prose = findObjects(renderHelpCard({ sandbox: false }), (o) => o.type === 'TextBlock' && o.fontType !== 'Monospace').map((o) => String(o.text));
    const bad = prose.flatMap((t) => t.split(/(?<=[.!?])\s+/)).filter((sentence) => /^[a-z]/.test(sentence));
    expect(bad).toEqual([]);
  });

  it('every command line is one the bot understands, and together they cover every command', () => {
    const kinds = new Set<Command['kind']>();
    for (const b of commandBlocks()) {
      const typed = String(b.text).replace('‹request id›', REQUEST_ID);
      const command = parseCommand(typed);
      expect([typed, command.kind]).not.toEqual([typed, 'unknown']);
      expect([typed, command.kind]).not.toEqual([typed, 'invalid']);
      kinds.add(command.kind);
    }
    expect(parseCommand('clear immutable id for alice@contoso.com because INC0012345')).toMatchObject({ kind: 'clear', reason: 'INC0012345' });
    const every: Array<Command['kind']> = ['clear', 'show', 'cancel', 'history', 'help'];
    expect([...kinds].sort()).toEqual(every.sort());
  });

  it('shows the reason first, keeping the caller\'s escaping as is', () => {
    const reason = `I didn't understand "${escapeCardText('do_it')}".`;
    const card = renderHelpCard({ sandbox: false, reason });
    expect(collectCardText(card)[0]).toBe('I didn\'t understand "do\\_it".');
    expect(collectCardText(renderHelpCard({ sandbox: false, reason: '  ' }))[0]).toBe('What I can do');
  });
});
