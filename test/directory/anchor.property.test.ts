/** Anchor conversions: the worked examples from the notes, the inverse, and bad input. */
import fc from 'fast-check';
import { anchorOf, parseAnchor } from '../../src/directory/anchor';

const ok = (raw: string) => {
  const r = parseAnchor(raw);
  if (!r.ok) throw new Error(r.reason);
  return r.anchor;
};

describe('worked examples', () => {
  it.each([
    ['35918bc9-196d-40ea-9779-889d79b753f0', 'yYuRNW0Z6kCXeYidebdT8A=='],
    ['88666888-0101-1111-bbbb-1234567890ab', 'iGhmiAEBERG7uxI0VniQqw=='],
    ['00aa00aa-bb11-cc22-dd33-44ee44ee44ee', 'qgCqABG7IszdM0TuRO5E7g=='],
  ])('GUID %s → %s (ToByteArray order, not big-endian)', (guid, immutableId) => {
    expect(ok(guid)).toMatchObject({ form: 'guid', immutableId, guid });
    expect(ok(`{${guid.toUpperCase()}}`)).toMatchObject({ immutableId, guid });
    expect(ok(immutableId)).toMatchObject({ form: 'immutable-id', guid });
  });

  it('reads ms-DS-ConsistencyGuid hex as the bytes as stored, with or without spaces', () => {
    expect(ok('C9 8B 91 35 6D 19 EA 40 97 79 88 9D 79 B7 53 F0')).toEqual({
      form: 'hex',
      immutableId: 'yYuRNW0Z6kCXeYidebdT8A==',
      guid: '35918bc9-196d-40ea-9779-889d79b753f0',
      hex: 'C9 8B 91 35 6D 19 EA 40 97 79 88 9D 79 B7 53 F0',
    });
    expect(ok('c98b91356d19ea409779889d79b753f0').immutableId).toBe('yYuRNW0Z6kCXeYidebdT8A==');
  });
});

describe('properties', () => {
  const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b));

  it('every form of the same 16 bytes gives the same anchor', () => {
    fc.assert(
      fc.property(bytes16, fc.boolean(), (bytes, spaced) => {
        const immutableId = bytes.toString('base64');
        const fromId = ok(immutableId);
        const hex = bytes.toString('hex');
        const fromHex = ok(spaced ? (hex.match(/../g) ?? []).join(' ') : hex);
        const fromGuid = ok(fromId.guid);
        const fromBraced = ok(`{${fromId.guid}}`);
        for (const a of [fromHex, fromGuid, fromBraced]) expect(a.immutableId).toBe(immutableId);
        expect(fromGuid.hex).toBe(fromId.hex);
        expect(anchorOf(immutableId)).toMatchObject({ guid: fromId.guid, hex: fromId.hex });
      }),
    );
  });

  it('refuses anything else, naming the accepted forms', () => {
    const notAnchor = fc.string({ maxLength: 40 }).filter((s) => {
      const t = s.trim().replace(/^[`"'<]+|[`"'>]+$/g, '');
      return !/^\{?[0-9a-f-]{36}\}?$/i.test(t) && !/^[A-Za-z0-9+/]{22}==$/.test(t) && !/^[0-9a-f\s-]+$/i.test(t);
    });
    fc.assert(
      fc.property(notAnchor, (s) => {
        const r = parseAnchor(s);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.reason).toMatch(/ObjectGUID[\s\S]*base64[\s\S]*32 hex digits/);
      }),
    );
  });

  it.each(['35918bc9-196d-40ea-9779-889d79b753f', '{35918bc9-196d-40ea-9779-889d79b753f0', 'yYuRNW0Z6kCXeYidebdT8A=', 'C9 8B 91 35 6D 19 EA 40 97 79 88 9D 79 B7 53', 'zz8B91356D19EA409779889D79B753F0', ''])('refuses %p', (s) => {
    expect(parseAnchor(s).ok).toBe(false);
  });
});
