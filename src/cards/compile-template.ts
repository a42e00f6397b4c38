/**
 * A fast binder for card templates whose expressions are plain data references (`${name}`,
 * `${a.b}`, `${$root.x}`, `${!flag}`), with `$when` and `$data` as adaptivecards-templating
 * expands them. Expanding through the engine evaluates every expression with adaptive-expressions
 * (about a third of a lookup's CPU beyond the one Graph call); binding is a walk over the parsed
 * template. Anything outside that subset — another expression, a missing or null value, a value
 * that is not a string, number or boolean inside text — makes the caller use the engine, so the
 * output is always the engine's (test/cards/compile-template.test.ts compares every card).
 */

/** Thrown inside a binding that the engine must do instead. */
const UNSUPPORTED = Symbol('unsupported');

/** Reserved template keys the engine leaves out of the output. */
const RESERVED = new Set(['$data', '$when', '$root', '$index', '$host', '$_acTemplateVersion']);

interface Scope {
  root: Record<string, unknown>;
  /** The current `$data` (the root outside any `$data`). */
  data: unknown;
  index: number | undefined;
}

type Ref = { not: boolean; path: string[] };
type Part = string | Ref;
type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'value'; ref: Ref }
  | { kind: 'text'; parts: Part[] }
  | { kind: 'array'; items: Node[] }
  | { kind: 'object'; entries: Array<[string, Node]>; when?: Ref; data?: Ref };

const REF = /^(!?)((?:\$root|\$data|\$index|[A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/;

function parseRef(expression: string): Ref | undefined {
  const m = REF.exec(expression.trim() === expression ? expression : '');
  return m ? { not: m[1] === '!', path: (m[2] as string).split('.') } : undefined;
}

/** The string's parts, or undefined when it holds something the binder does not handle. */
function parseText(text: string): Part[] | undefined {
  const parts: Part[] = [];
  let rest = text;
  for (;;) {
    const start = rest.indexOf('${');
    if (start < 0) break;
    const end = rest.indexOf('}', start);
    if (end < 0) return undefined;
    const ref = parseRef(rest.slice(start + 2, end));
    if (!ref) return undefined;
    if (start > 0) parts.push(rest.slice(0, start));
    parts.push(ref);
    rest = rest.slice(end + 1);
  }
  if (rest) parts.push(rest);
  // Text around an expression is read by the expression parser, which treats these specially.
  if (parts.some((p) => typeof p === 'string' && /[\\`$}{]/.test(p))) return undefined;
  return parts;
}

function compileNode(node: unknown): Node | undefined {
  if (typeof node === 'string') {
    if (!node.includes('${')) return { kind: 'literal', value: node };
    const parts = parseText(node);
    if (!parts) return undefined;
    const only = parts[0];
    return parts.length === 1 && typeof only !== 'string' ? { kind: 'value', ref: only as Ref } : { kind: 'text', parts };
  }
  if (Array.isArray(node)) {
    const items: Node[] = [];
    for (const item of node) {
      const compiled = compileNode(item);
      if (!compiled) return undefined;
      items.push(compiled);
    }
    return { kind: 'array', items };
  }
  if (typeof node === 'object' && node !== null) {
    const obj = node as Record<string, unknown>;
    const out: Extract<Node, { kind: 'object' }> = { kind: 'object', entries: [] };
    for (const [key, value] of Object.entries(obj)) {
      if (key === '$when' || key === '$data') {
        const parts = typeof value === 'string' ? parseText(value) : undefined;
        const ref = parts?.length === 1 && typeof parts[0] !== 'string' ? (parts[0] as Ref) : undefined;
        if (!ref) return undefined;
        out[key === '$when' ? 'when' : 'data'] = ref;
        continue;
      }
      if (RESERVED.has(key)) continue;
      const compiled = compileNode(value);
      if (!compiled) return undefined;
      out.entries.push([key, compiled]);
    }
    return out;
  }
  return { kind: 'literal', value: node };
}

function property(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.prototype.hasOwnProperty.call(value, key)) throw UNSUPPORTED;
  return (value as Record<string, unknown>)[key];
}

function resolve(ref: Ref, scope: Scope): unknown {
  const [first, ...rest] = ref.path as [string, ...string[]];
  let value: unknown = first === '$root' ? scope.root : first === '$data' ? scope.data : first === '$index' ? scope.index : property(scope.data, first);
  for (const key of rest) value = property(value, key);
  if (value === undefined || value === null) throw UNSUPPORTED;
  if (ref.not) {
    if (typeof value !== 'boolean') throw UNSUPPORTED;
    return !value;
  }
  return value;
}

function bind(node: Node, scope: Scope): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'value': {
      const value = resolve(node.ref, scope);
      // Objects and arrays bound whole would come back as the engine's own copies: leave them to it.
      if (typeof value === 'object') throw UNSUPPORTED;
      return value;
    }
    case 'text': {
      let text = '';
      for (const part of node.parts) {
        if (typeof part === 'string') text += part;
        else {
          const value = resolve(part, scope);
          if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw UNSUPPORTED;
          text += String(value);
        }
      }
      return text;
    }
    case 'array': {
      let items: unknown[] = [];
      for (const item of node.items) {
        const value = bind(item, scope);
        if (value === null) continue;
        if (Array.isArray(value)) items = items.concat(value);
        else items.push(value);
      }
      return items;
    }
    case 'object': {
      let contexts: Array<{ data: unknown; index: number | undefined }> = [{ data: scope.data, index: scope.index }];
      if (node.data) {
        const data = resolve({ ...node.data, not: false }, scope);
        if (node.data.not) throw UNSUPPORTED;
        contexts = Array.isArray(data) ? data.map((d, i) => ({ data: d === undefined ? scope.data : d, index: i })) : [{ data, index: scope.index }];
      }
      const results: Array<Record<string, unknown>> = [];
      for (const context of contexts) {
        const inner: Scope = { root: scope.root, data: context.data, index: context.index };
        if (node.when) {
          // The engine keeps the object only for a boolean true; anything else it reports and drops.
          const when = resolve(node.when, inner);
          if (typeof when !== 'boolean') throw UNSUPPORTED;
          if (!when) continue;
        }
        const out: Record<string, unknown> = {};
        for (const [key, child] of node.entries) {
          const value = bind(child, inner);
          if (value !== undefined) out[key] = value;
        }
        results.push(out);
      }
      return results.length === 0 ? null : results.length === 1 ? results[0] : results;
    }
  }
}

/**
 * Compiles a template once; the binder returns the expanded card, or undefined when this view
 * model (or the template) needs the engine.
 */
export function compileTemplate(payload: object): ((root: Record<string, unknown>) => unknown) | undefined {
  const compiled = compileNode(payload);
  if (!compiled) return undefined;
  return (root) => {
    try {
      return bind(compiled, { root, data: root, index: undefined });
    } catch (error) {
      if (error === UNSUPPORTED) return undefined;
      throw error;
    }
  };
}
