/**
 * The three ways admins write an on-prem anchor, and the immutable id each stands for. Pure.
 * - an objectGUID, with or without braces: written as base64 of its bytes in .NET ToByteArray order;
 * - an immutable id: base64 of 16 bytes (24 characters);
 * - ms-DS-ConsistencyGuid as 32 hex digits (the 16 bytes as stored, spaces allowed): base64 of those bytes.
 */
import { guidToImmutableId, immutableIdToGuid } from './immutable-id';

export type AnchorForm = 'guid' | 'immutable-id' | 'hex';

/** One anchor in all three forms. */
export interface Anchor {
  /** What the input was read as. */
  form: AnchorForm;
  /** base64, as onPremisesImmutableId holds it. */
  immutableId: string;
  /** The objectGUID it encodes (lower case, with dashes). */
  guid: string;
  /** The 16 bytes as ms-DS-ConsistencyGuid stores them: upper-case hex pairs, space-separated. */
  hex: string;
}

export type AnchorResult = { ok: true; anchor: Anchor } | { ok: false; reason: string };

export const ANCHOR_FORMS_HELP =
  'an on-prem ObjectGUID (`35918bc9-196d-40ea-9779-889d79b753f0`, braces allowed), an immutable ID in base64 (24 characters, `yYuRNW0Z6kCXeYidebdT8A==`), or ms-DS-ConsistencyGuid as 32 hex digits (`C9 8B 91 35 6D 19 EA 40 97 79 88 9D 79 B7 53 F0`, spaces allowed)';

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const BASE64_16 = /^[A-Za-z0-9+/]{22}==$/;
const HEX_32 = /^[0-9a-f]{32}$/i;

/** Reads an anchor typed in any of the three forms. */
export function parseAnchor(raw: string): AnchorResult {
  const value = raw.trim().replace(/^[`"'<]+|[`"'>]+$/g, '');
  const guid = GUID.exec(value);
  if (guid?.[1] && (value.startsWith('{') === value.endsWith('}'))) return ok('guid', guidToImmutableId(guid[1].toLowerCase()));
  if (BASE64_16.test(value) && Buffer.from(value, 'base64').length === 16) return ok('immutable-id', value);
  const hex = value.replace(/[\s-]+/g, '');
  if (/^[0-9a-f\s]+$/i.test(value) && HEX_32.test(hex)) return ok('hex', Buffer.from(hex, 'hex').toString('base64'));
  const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return { ok: false, reason: `${shown} is not an anchor I can read. Send ${ANCHOR_FORMS_HELP}.` };
}

/** The anchor an immutable id stands for, in all three forms (null when it is not 16 bytes of base64). */
export function anchorOf(immutableId: string): Anchor | null {
  const guid = immutableIdToGuid(immutableId);
  return guid ? { form: 'immutable-id', immutableId, guid, hex: hexOf(immutableId) } : null;
}

function ok(form: AnchorForm, immutableId: string): AnchorResult {
  const guid = immutableIdToGuid(immutableId) as string;
  return { ok: true, anchor: { form, immutableId, guid, hex: hexOf(immutableId) } };
}

function hexOf(immutableId: string): string {
  return (Buffer.from(immutableId, 'base64').toString('hex').toUpperCase().match(/../g) ?? []).join(' ');
}
