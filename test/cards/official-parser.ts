/** Checks card JSON with the official adaptivecards parser (the library Teams' web renderer is built on). */
import type * as ACTypes from 'adaptivecards';

/**
 * The package's prebuilt bundle, not its `main`: lib/carousel.js requires `swiper`, which
 * ships only as ES modules that jest (CommonJS) cannot load. Same code, same version.
 */
const AC = require('adaptivecards/dist/adaptivecards.min.js') as typeof ACTypes;
import { cardSizeBytes, MAX_CARD_BYTES, type AdaptiveCardJson } from '../../src/cards';

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * Properties the 2.11 object model accepts but does not write back in toJSON(), so the
 * round-trip check below cannot see them: Teams' `msteams` and an action's `fallback`
 * (validated separately by parsing the fallback on its own).
 */
const NOT_ROUND_TRIPPED = new Set(['msteams', 'fallback']);

function parse(json: Json): { card: ACTypes.AdaptiveCard; problems: string[] } {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ctx.targetVersion = AC.Versions.v1_5;
  card.parse(json, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    problems.push(`parse: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents) {
    problems.push(`validate: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  return { card, problems };
}

/**
 * Keys of the input that the parser dropped: the parser ignores unknown properties silently,
 * so a typo like `fonttype` or a property 1.5 does not have would otherwise pass.
 */
function droppedKeys(input: unknown, output: unknown, path: string, out: string[]): void {
  if (Array.isArray(input)) {
    input.forEach((item, i) => droppedKeys(item, Array.isArray(output) ? output[i] : undefined, `${path}[${i}]`, out));
    return;
  }
  if (!isObject(input)) return;
  if (!isObject(output)) {
    out.push(`${path} (whole object dropped)`);
    return;
  }
  for (const [key, value] of Object.entries(input)) {
    if (NOT_ROUND_TRIPPED.has(key)) continue;
    // The serializer omits empty arrays (e.g. `refresh.userIds: []`); an empty array cannot hide a typo's effect.
    if (Array.isArray(value) && value.length === 0 && !(key in output)) continue;
    if (!(key in output)) out.push(`${path}.${key}`);
    else if (key !== 'data') droppedKeys(value, output[key], `${path}.${key}`, out);
  }
}

function collectFallbacks(node: unknown, out: Json[]): void {
  if (Array.isArray(node)) node.forEach((n) => collectFallbacks(n, out));
  else if (isObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'fallback' && isObject(value)) out.push(value);
      if (key !== 'data') collectFallbacks(value, out);
    }
  }
}

/** Every problem the official parser reports, plus dropped keys and an over-budget size; [] when clean. */
export function officialParserProblems(json: AdaptiveCardJson): string[] {
  const { card, problems } = parse(json);
  const roundTrip = card.toJSON(new AC.SerializationContext());
  const dropped: string[] = [];
  droppedKeys(json, roundTrip, '$', dropped);
  problems.push(...dropped.map((k) => `unknown or dropped property: ${k}`));

  const fallbacks: Json[] = [];
  collectFallbacks(json, fallbacks);
  for (const fb of fallbacks) {
    const wrapper = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'ActionSet', actions: [fb] }] };
    problems.push(...officialParserProblems(wrapper).map((p) => `fallback ${String(fb.type)}: ${p}`));
  }

  const size = cardSizeBytes(json);
  if (size > MAX_CARD_BYTES) problems.push(`card is ${size} bytes, over ${MAX_CARD_BYTES}`);
  return problems;
}

/** Jest assertion: lists every problem on failure. */
export function expectValidCard(json: AdaptiveCardJson): void {
  expect(officialParserProblems(json)).toEqual([]);
}
