import { MAX_CHOICES, renderChoicesCard, renderSuggestionCard } from '../../src/cards';
import { cardTextJoined, findActions } from './card-text';
import { expectValidCard } from './official-parser';

describe('renderSuggestionCard', () => {
  it('has one Action.Submit button whose data is the suggested command, and passes the official parser', () => {
    const card = renderSuggestionCard("clear immutable id for o'brien_x@contoso.com", false);
    expectValidCard(card);
    const actions = findActions(card);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      type: 'Action.Submit',
      title: "clear immutable id for o'brien_x@contoso.com",
      data: { command: "clear immutable id for o'brien_x@contoso.com" },
    });
    expect(cardTextJoined(card)).toMatch(/Tap to send it/);
    expect(cardTextJoined(card)).not.toMatch(/What I can do/);
  });
});

describe('renderChoicesCard', () => {
  it('shows the question and at most the maximum number of buttons, each with its exact command', () => {
    const choices = Array.from({ length: 9 }, (_x, i) => ({ title: `User ${i} (u${i}@contoso.com)`, command: `show u${i}@contoso.com` }));
    const card = renderChoicesCard({ question: 'Several users are called **Alice**:', choices, sandbox: true });
    expectValidCard(card);
    expect(cardTextJoined(card)).toContain('Several users are called **Alice**:');
    const actions = findActions(card);
    expect(actions).toHaveLength(MAX_CHOICES);
    expect(actions.map((a) => (a.data as { command: string }).command)).toEqual(choices.slice(0, MAX_CHOICES).map((c) => c.command));
  });

  it('keeps titles plain and on one line, and never leaves a template expression', () => {
    const card = renderChoicesCard({ sandbox: false, choices: [{ title: 'Eve\n${evil} <at>x</at>', command: 'show eve@contoso.com' }] });
    expectValidCard(card);
    expect(findActions(card)[0]?.title).toBe('Eve $\u2060{evil} <at>x</at>');
  });
});
