import { escapeCardText, renderHelpCard } from '../../src/cards';
import { cardTextJoined, collectCardText, findActions } from './card-text';
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
    expect(texts).toEqual(expect.arrayContaining(['clear immutable id for alice@contoso.com', 'show alice@contoso.com', 'check alice@contoso.com', 'help']));
    const text = cardTextJoined(card);
    expect(text).toMatch(/UPN, object ID, mail address or any proxy address/);
    expect(text).toMatch(/approver/);
  });

  it('shows the reason first, keeping the caller\'s escaping as is', () => {
    const reason = `I didn't understand "${escapeCardText('do_it')}".`;
    const card = renderHelpCard({ sandbox: false, reason });
    expect(collectCardText(card)[0]).toBe('I didn\'t understand "do\\_it".');
    expect(collectCardText(renderHelpCard({ sandbox: false, reason: '  ' }))[0]).toBe('What I can do');
  });
});
