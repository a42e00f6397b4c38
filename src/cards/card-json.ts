/** Plain card JSON, template expansion and the size budget shared by every renderer. */
import type * as ACData from 'adaptivecards-templating';
import { isDeepStrictEqual } from 'node:util';
import { compileTemplate } from './compile-template';

/** An Adaptive Card as plain JSON; the transport wraps it in an attachment. */
export type AdaptiveCardJson = Record<string, unknown>;

/** Largest card that is safe on every Teams path (webhooks/connectors cap at 28 KB). */
export const MAX_CARD_BYTES = 28 * 1024;

/** UTF-8 size of the card as it goes over the wire. */
export function cardSizeBytes(card: AdaptiveCardJson): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/**
 * `separator: false` is the default, and the official serializer leaves it out, so a card
 * carrying it fails the round-trip check; dropping it changes nothing the reader sees. This is
 * what lets a template bind `"separator": "${…}"` to a boolean. Action `data` is never touched.
 */
function dropFalseSeparators(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) dropFalseSeparators(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const obj = node as Record<string, unknown>;
  if (obj.separator === false) delete obj.separator;
  for (const [key, value] of Object.entries(obj)) {
    if (key !== 'data') dropFalseSeparators(value);
  }
}

const templates: Array<CardTemplate<object>> = [];
let templating: typeof ACData | undefined;

/**
 * Loading the templating engine (adaptive-expressions, antlr) and parsing a template's expressions
 * costs most of a second and tens of MB: it happens only when a card cannot be bound fast.
 */
function loadTemplating(): typeof ACData {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, not at start-up (see above)
  templating ??= require('adaptivecards-templating') as typeof ACData;
  return templating;
}

/**
 * Compiles every card template now (once each, a few milliseconds), so no reply waits for it.
 * The engine is not loaded: every template is bound fast, and the engine (with adaptive-expressions
 * and antlr, most of the bot's start-up and memory) is loaded only if a card ever needs it.
 */
export function prepareCardTemplates(): void {
  for (const template of templates) template.prepareBinding();
}

let crossCheck = false;

/** Tests: expand every card through the engine as well, and throw when the fast binding differs. */
export function setCardBindingCrossCheck(on: boolean): void {
  crossCheck = on;
}

/**
 * A template parsed once (on first use or by prepareCardTemplates). View models must hold only
 * strings, booleans, numbers and arrays/objects of those: a null inside `${…}` makes the engine
 * throw, and an undefined field is left in the output as a literal `${field}`. A `separator`
 * bound to a boolean may be false: it is then left out (see dropFalseSeparators).
 */
export class CardTemplate<VM extends object> {
  private template: ACData.Template | undefined;
  /** The fast binding (compile-template.ts); null when the template needs the engine. */
  private binder: ((root: Record<string, unknown>) => unknown) | null | undefined;

  constructor(
    private readonly name: string,
    private readonly payload: object,
  ) {
    templates.push(this);
  }

  /** Parses the template's expressions, once. */
  prepare(): ACData.Template {
    this.template ??= new (loadTemplating().Template)(this.payload);
    return this.template;
  }

  /** Compiles the fast binding. */
  prepareBinding(): void {
    this.binder ??= compileTemplate(this.payload) ?? null;
  }

  /** Expands the template; throws on a template/view-model mismatch instead of sending a broken card. */
  expand(viewModel: VM): AdaptiveCardJson {
    this.binder ??= compileTemplate(this.payload) ?? null;
    const bound = this.binder?.(viewModel as Record<string, unknown>);
    const card: unknown = bound ?? this.prepare().expand({ $root: viewModel });
    if (crossCheck && bound !== undefined) {
      const engine: unknown = this.prepare().expand({ $root: viewModel });
      if (!isDeepStrictEqual(engine, bound)) throw new Error(`${this.name} card: the fast binding differs from the engine's expansion`);
    }
    if (typeof card !== 'object' || card === null || Array.isArray(card)) {
      throw new Error(`${this.name} card template did not expand to an object`);
    }
    // Escaped values never contain `${` (see escapeCardText), so any left is an unbound field.
    const json = JSON.stringify(card);
    const leftover = /\$\{[^}]*\}/.exec(json);
    if (leftover) throw new Error(`${this.name} card: unbound template expression ${leftover[0]}`);
    dropFalseSeparators(card);
    return card as AdaptiveCardJson;
  }
}
