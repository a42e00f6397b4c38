/** Walks card JSON the way a reader sees it: visible text and tappable actions. Reused by other test suites. */

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Visits every object of the card except action `data` payloads (they are never shown). */
function walk(node: unknown, visit: (obj: Json) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (!isObject(node)) return;
  visit(node);
  for (const [key, value] of Object.entries(node)) {
    if (key === 'data') continue;
    walk(value, visit);
  }
}

const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

/** All user-visible text: TextBlock/TextRun text, Fact titles and values, action titles (fallbacks included). */
export function collectCardText(card: unknown): string[] {
  const out: string[] = [];
  const push = (x: unknown): void => {
    const s = str(x);
    if (s !== undefined) out.push(s);
  };
  walk(card, (obj) => {
    const type = str(obj.type);
    if (type === 'TextBlock' || type === 'TextRun') push(obj.text);
    if (type === 'RichTextBlock' && Array.isArray(obj.inlines)) obj.inlines.forEach((i) => push(i));
    if (type === 'FactSet' && Array.isArray(obj.facts)) {
      for (const fact of obj.facts) {
        if (isObject(fact)) {
          push(fact.title);
          push(fact.value);
        }
      }
    }
    if (type?.startsWith('Action.')) push(obj.title);
  });
  return out;
}

export interface FoundAction {
  type: string;
  title: string | undefined;
  verb?: string;
  data?: unknown;
  /** True for an action that is only the fallback of another one. */
  isFallback: boolean;
}

/** Every action in body, ActionSets, top-level `actions`, `selectAction`s and fallbacks. */
export function findActions(card: unknown): FoundAction[] {
  const fallbacks = new Set<Json>();
  const found: FoundAction[] = [];
  walk(card, (obj) => {
    if (isObject(obj.fallback)) fallbacks.add(obj.fallback);
    const type = str(obj.type);
    if (!type?.startsWith('Action.')) return;
    const action: FoundAction = { type, title: str(obj.title), isFallback: fallbacks.has(obj) };
    const verb = str(obj.verb);
    if (verb !== undefined) action.verb = verb;
    if ('data' in obj) action.data = obj.data;
    found.push(action);
  });
  return found;
}

/** The whole visible text as one string, for `toContain` checks. */
export function cardTextJoined(card: unknown): string {
  return collectCardText(card).join('\n');
}

/** Every object in the card (action `data` payloads excepted) for which `predicate` holds, in document order. */
export function findObjects(card: unknown, predicate: (obj: Json) => boolean): Json[] {
  const found: Json[] = [];
  walk(card, (obj) => {
    if (predicate(obj)) found.push(obj);
  });
  return found;
}
