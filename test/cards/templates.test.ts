/** Rules for the *.card.json templates that the renderer tests would only catch indirectly. */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import * as ACData from 'adaptivecards-templating';
import { cardSizeBytes } from '../../src/cards';
import { CardTemplate } from '../../src/cards/card-json';

const DIR = join(__dirname, '../../src/cards');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.card.json'));

type Json = Record<string, unknown>;

/** Longest fact title, in characters: "Requester's reason" still fits on one line, "Synced from on-premises" does not. */
const MAX_FACT_TITLE = 18;
const EMOJI = /\p{Extended_Pictographic}/u;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

function load(file: string): Json {
  return JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Json;
}

/** Calls back with every string value and its path, and every object with whether it is an array item. */
function visit(node: unknown, path: string, inArray: boolean, onString: (s: string, path: string) => void, onObject: (o: Json, path: string, inArray: boolean) => void): void {
  if (typeof node === 'string') onString(node, path);
  else if (Array.isArray(node)) node.forEach((n, i) => visit(n, `${path}[${i}]`, true, onString, onObject));
  else if (isObject(node)) {
    onObject(node, path, inArray);
    for (const [k, v] of Object.entries(node)) visit(v, `${path}.${k}`, false, onString, onObject);
  }
}

describe('card templates', () => {
  it('has one template per renderer', () => {
    expect(FILES.sort()).toEqual([
      'bulk-job.card.json',
      'change.card.json',
      'choices.card.json',
      'help.card.json',
      'history.card.json',
      'outcome.card.json',
      'sync-error.card.json',
      'tips.card.json',
      'user.card.json',
      'working.card.json',
    ]);
    for (const f of FILES) {
      const purpose = f.replace('.card.json', '');
      expect(readdirSync(DIR)).toContain(`render-${purpose}-card.ts`);
    }
  });

  describe.each(FILES)('%s', (file) => {
    const template = load(file);

    it('is an Adaptive Card 1.5 with the schema, opening with the sandbox banner', () => {
      expect(template).toMatchObject({ type: 'AdaptiveCard', version: '1.5', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json' });
      const body = template.body as Json[];
      expect(body[0]).toMatchObject({ $when: '${sandbox}', type: 'Container', style: 'warning' });
    });

    it('parses: expression strings hold no backtick or backslash (they break the expression parser)', () => {
      const bad: string[] = [];
      visit(template, '$', false, (s, path) => {
        if (s.includes('${') && /[`\\]/.test(s)) bad.push(path);
      }, () => undefined);
      expect(bad).toEqual([]);
      expect(() => new ACData.Template(template)).not.toThrow();
    });

    it('uses $when only on array items (elsewhere it leaves a null property behind)', () => {
      const bad: string[] = [];
      visit(template, '$', false, () => undefined, (o, path, inArray) => {
        if ('$when' in o && !inArray) bad.push(path);
      });
      expect(bad).toEqual([]);
    });

    it('fact titles are short enough not to wrap in the Teams title column (about 150 px)', () => {
      // "Synced from on-premises" (23 characters) wrapped to two lines in Teams.
      const long: string[] = [];
      visit(template, '$', false, () => undefined, (o, path) => {
        if (!Array.isArray(o.facts)) return;
        for (const fact of o.facts as Json[]) {
          const title = String(fact.title);
          if (!title.includes('${') && Array.from(title).length > MAX_FACT_TITLE) long.push(`${path}: ${title}`);
        }
      });
      expect(long).toEqual([]);
    });

    it('an emoji is only a decoration in front of words that say the same without it', () => {
      // Machines without an emoji font draw a box: the words after it must carry the meaning.
      const bad: string[] = [];
      visit(template, '$', false, (s, path) => {
        if (!EMOJI.test(s)) return;
        const m = /^(\p{Extended_Pictographic}\uFE0F?) (.*)$/u.exec(s);
        const words = m?.[2] ?? '';
        if (!m || EMOJI.test(words) || (words.match(/\p{L}{2,}/gu) ?? []).length < 2) bad.push(`${path}: ${s}`);
      }, () => undefined);
      expect(bad).toEqual([]);
    });

    it('static text is inert: no markdown, tags or URLs outside the ${…} slots', () => {
      const bad: string[] = [];
      visit(template, '$', false, (s, path) => {
        if (path.endsWith('.$schema') || path.includes('.data.')) return;
        const staticText = s.replace(/\$\{[^}]*\}/g, 'X');
        if (/[[\]`*_~#<>\\]|:\/\/|\{\{/.test(staticText) || /^\s*(?:[-+]|\d+[.)])(\s|$)/.test(staticText)) bad.push(`${path}: ${s}`);
      }, () => undefined);
      expect(bad).toEqual([]);
    });
  });
});

describe('cardSizeBytes', () => {
  it('counts UTF-8 bytes of the serialised card', () => {
    expect(cardSizeBytes({ a: 'é' })).toBe(Buffer.byteLength('{"a":"é"}'));
    expect(cardSizeBytes({ a: '🧪' })).toBe(12);
  });
});

describe('CardTemplate', () => {
  it('a separator bound to false is left out (the default; the official serializer drops it), true is kept', () => {
    const t = new CardTemplate<{ a: boolean; b: boolean }>('test', {
      type: 'AdaptiveCard',
      body: [
        { type: 'Container', separator: '${a}', items: [{ type: 'TextBlock', text: 'x', separator: '${b}' }] },
        { type: 'ActionSet', actions: [{ type: 'Action.Submit', title: 'Go', data: { separator: false } }] },
      ],
    });
    const card = t.expand({ a: false, b: true });
    const [container, actions] = card.body as Json[];
    expect(container).toEqual({ type: 'Container', items: [{ type: 'TextBlock', text: 'x', separator: true }] });
    expect(actions).toEqual({ type: 'ActionSet', actions: [{ type: 'Action.Submit', title: 'Go', data: { separator: false } }] });
  });

  it('throws on a field the view model lacks instead of sending a literal ${…}', () => {
    const t = new CardTemplate<{ a: string }>('test', { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: '${a} ${b}' }] });
    expect(() => t.expand({ a: 'x' })).toThrow(/unbound template expression \$\{b\}/);
  });
});
