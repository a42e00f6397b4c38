/**
 * The fast card binding gives exactly the engine's output: first on a template exercising what it
 * handles ($when, $data arrays and objects, $index, $root, !flag, numbers and booleans in text),
 * then on every card the card tests render (each expanded both ways and compared), with the
 * hostile-value property tests included.
 */
import { Template } from 'adaptivecards-templating';
import { compileTemplate } from '../../src/cards/compile-template';
import { setCardBindingCrossCheck } from '../../src/cards/card-json';

const engine = (payload: object, root: Record<string, unknown>): unknown => new Template(payload).expand({ $root: root });

describe('compileTemplate', () => {
  const template = {
    type: 'AdaptiveCard',
    body: [
      { type: 'TextBlock', text: 'Hello ${name}, you have ${count} items (${ready})', $when: '${show}' },
      { type: 'TextBlock', text: 'hidden', $when: '${!show}' },
      { type: 'Container', $data: '${rows}', items: [{ type: 'TextBlock', text: '${label} #${$index} of ${$root.name}', $when: '${visible}' }] },
      { type: 'FactSet', $data: '${owner}', facts: [{ title: 'Owner', value: '${who}' }] },
      { type: 'TextBlock', text: '${name}', isSubtle: '${ready}', maxLines: '${count}', separator: true },
      { type: 'ActionSet', $data: '${none}', actions: [] },
    ],
  };
  const root = {
    name: "O'Brien & \"co\" <b>",
    count: 3,
    ready: false,
    show: true,
    rows: [
      { label: 'a', visible: true },
      { label: 'b', visible: false },
      { label: 'c', visible: true },
    ],
    owner: { who: 'Adele' },
    none: [],
  };

  it('binds like the engine', () => {
    const bind = compileTemplate(template);
    expect(bind).toBeDefined();
    const bound = bind!(root);
    expect(bound).toEqual(engine(template, root));
    expect(JSON.stringify(bound)).toContain('a #0 of O');
    expect(JSON.stringify(bound)).not.toContain('hidden');
  });

  it('leaves to the engine what it does not handle: other expressions, missing or null values, objects bound whole', () => {
    expect(compileTemplate({ text: "${style != 'default'}" })).toBeUndefined();
    expect(compileTemplate({ text: '${concat(a, b)}' })).toBeUndefined();
    expect(compileTemplate({ text: 'a \\ ${b}' })).toBeUndefined();
    const bind = compileTemplate({ text: '${a}', list: '${b}' })!;
    expect(bind({ a: 'x' })).toBeUndefined();
    expect(bind({ a: null, b: 1 })).toBeUndefined();
    expect(bind({ a: 'x', b: ['y'] })).toBeUndefined();
    expect(bind({ a: 'x', b: 2 })).toEqual({ text: 'x', list: 2 });
  });
});

describe('every card the card tests render, bound fast and compared with the engine', () => {
  beforeAll(() => setCardBindingCrossCheck(true));
  afterAll(() => setCardBindingCrossCheck(false));
  /* eslint-disable @typescript-eslint/no-require-imports -- the card tests' own cases, run again with the cross-check on */
  require('./render-user-card.test');
  require('./render-change-card.test');
  require('./render-outcome-card.test');
  require('./render-tips-card.test');
  require('./render-working-card.test');
  require('./render-history-card.test');
  require('./render-help-card.test');
  require('./render-choices-card.test');
  require('./render-sync-error-card.test');
  require('./render-bulk-job-card.test');
  require('./hostile-values.property.test');
  require('./templates.test');
});

describe('every card template is bound fast (the engine is not even loaded unless a card needs it)', () => {
  it.each(['user', 'change', 'outcome', 'tips', 'working', 'help', 'choices', 'history', 'sync-error', 'bulk-job'])('%s.card.json compiles', (name) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(compileTemplate(require(`../../src/cards/${name}.card.json`) as object)).toBeDefined();
  });
});
