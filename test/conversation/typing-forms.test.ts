import fc from 'fast-check';
import { parseCommand } from '../../src/conversation/parse-command';

/** How people actually type the commands (issue 11): every form means the same command. */
describe('parseCommand: the forms people type', () => {
  const alice = { kind: 'address', value: 'alice@contoso.com' };

  it.each([
    'clear immutable id alice@contoso.com',
    'clear immutableid alice@contoso.com',
    'remove immutable id for alice@contoso.com',
    'reset ImmutableId alice@contoso.com',
    'null immutable-id alice@contoso.com',
    'wipe sourceanchor for alice@contoso.com',
    'clear source anchor of alice@contoso.com',
    'delete the immutable id from alice@contoso.com',
    'clear onPremisesImmutableId alice@contoso.com',
    'please wipe the ImmutableId of alice@contoso.com',
  ])('"%s" is a clear for alice', (text) => {
    expect(parseCommand(text)).toEqual({ kind: 'clear', target: alice });
  });

  it('keeps the reason without "for"', () => {
    expect(parseCommand('wipe immutableid alice@contoso.com because INC0012345')).toEqual({ kind: 'clear', target: alice, reason: 'INC0012345' });
  });

  it('does not read a user name that starts with "for" as the word "for"', () => {
    expect(parseCommand('clear immutable id fordham@contoso.com')).toEqual({ kind: 'clear', target: { kind: 'address', value: 'fordham@contoso.com' } });
  });

  it.each([
    ['alice@contoso.com', { kind: 'address', value: 'alice@contoso.com' }],
    ['  <alice@contoso.com>. ', { kind: 'address', value: 'alice@contoso.com' }],
    ['judy.lee@contoso.com', { kind: 'address', value: 'judy.lee@contoso.com' }],
    ['mailto:judy.lee@contoso.com', { kind: 'address', value: 'judy.lee@contoso.com' }],
    ['00AA00AA-BB11-CC22-DD33-44EE44EE44EE', { kind: 'objectId', value: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee' }],
    ['show immutable id alice@contoso.com', { kind: 'address', value: 'alice@contoso.com' }],
    ['get sourceanchor for alice@contoso.com', { kind: 'address', value: 'alice@contoso.com' }],
  ])('"%s" alone means show', (text, target) => {
    expect(parseCommand(text)).toEqual({ kind: 'show', target });
  });

  it('every verb, noun, preposition and casing is a clear (property)', () => {
    const local = fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}[a-z0-9]$/).filter((s) => !s.includes('..'));
    const guid = fc.uuid();
    const casing = (s: string) => fc.constantFrom(s, s.toUpperCase(), s[0]?.toUpperCase() + s.slice(1));
    fc.assert(
      fc.property(
        fc.constantFrom('', 'please ', 'Please, ', 'pls ', 'can you '),
        fc.constantFrom('clear', 'remove', 'reset', 'null', 'wipe').chain(casing),
        fc.constantFrom('', 'the '),
        fc.constantFrom('immutable id', 'immutableid', 'ImmutableId', 'immutable-id', 'immutable_id', 'sourceanchor', 'SourceAnchor', 'source anchor'),
        fc.constantFrom('', ' for', ' of', ' FOR', ' on', ' from'),
        fc.oneof(local.map((l) => `${l}@contoso.com`), guid),
        (polite, verb, the, noun, prep, who) => {
          const result = parseCommand(`${polite}${verb} ${the}${noun}${prep} ${who}`);
          expect(result).toEqual({ kind: 'clear', target: { kind: who.includes('@') ? 'address' : 'objectId', value: who.toLowerCase() === who ? who : who.toLowerCase() } });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a bare UPN, mail address or object id is a show of exactly that user (property)', () => {
    const local = fc.stringMatching(/^\$?[a-z][a-z0-9.'_-]{0,15}[a-z0-9]$/).filter((s) => !s.includes('..'));
    const domain = fc.constantFrom('contoso.com', 'fabrikam.co.uk', 'contoso.onmicrosoft.com');
    fc.assert(
      fc.property(fc.oneof(fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`), fc.uuid()), fc.constantFrom('', ' ', '.'), (who, tail) => {
        const result = parseCommand(`${who}${tail}`);
        expect(result).toEqual({ kind: 'show', target: { kind: who.includes('@') ? 'address' : 'objectId', value: who } });
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseCommand: near misses get the command they meant', () => {
  it.each([
    ['cleer immutable id for alice@contoso.com', 'clear immutable id for alice@contoso.com'],
    ['clear immutible id for alice@contoso.com', 'clear immutable id for alice@contoso.com'],
    ['clera imutable id alice@contoso.com', 'clear immutable id for alice@contoso.com'],
    ['clear immutable alice@contoso.com', 'clear immutable id for alice@contoso.com'],
    ['clear id for alice@contoso.com', 'clear immutable id for alice@contoso.com'],
    ['clear alice@contoso.com', 'clear immutable id for alice@contoso.com'],
    ['remove alice@contoso.com', 'clear immutable id for alice@contoso.com'],
    ['wipe the anchor of alice@contoso.com because INC0012345', 'clear immutable id for alice@contoso.com because INC0012345'],
    ['fix immutable id for alice@contoso.com', 'clear immutable id for alice@contoso.com'],
    ['clear immutable id for alice@contoso.com please', 'clear immutable id for alice@contoso.com'],
    ['alice@contoso.com clear immutable id', 'clear immutable id for alice@contoso.com'],
    ['shwo alice@contoso.com', 'show alice@contoso.com'],
    ['chekc alice@contoso.com', 'show alice@contoso.com'],
    ['show me alice@contoso.com please', 'show alice@contoso.com'],
    ['immutable id alice@contoso.com', 'show alice@contoso.com'],
    ['what about alice@contoso.com', 'show alice@contoso.com'],
    ['histroy alice@contoso.com', 'history alice@contoso.com'],
    ['audti for alice@contoso.com', 'history alice@contoso.com'],
    ['clear imutable id 00AA00AA-BB11-CC22-DD33-44EE44EE44EE', 'clear immutable id for 00aa00aa-bb11-cc22-dd33-44ee44ee44ee'],
  ])('"%s" → "%s"', (text, suggestion) => {
    expect(parseCommand(text)).toEqual({ kind: 'suggest', suggestion });
  });

  it('every suggestion is itself a command the bot understands (property)', () => {
    const noise = fc.constantFrom('cleer', 'clear', 'remvoe', 'immutible', 'id', 'for', 'please', 'shwo', 'histroy', 'fix', 'the', 'anchor', 'what', 'about');
    fc.assert(
      fc.property(fc.array(noise, { maxLength: 4 }), fc.array(noise, { maxLength: 2 }), (before, after) => {
        const result = parseCommand([...before, 'alice@contoso.com', ...after].join(' '));
        if (result.kind === 'suggest') expect(['clear', 'show', 'history']).toContain(parseCommand(result.suggestion).kind);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['cleer immutable id for Alice Smith', 'clear immutable id for Alice Smith'],
    ['remvoe immutable id Kim Lee because INC1', 'clear immutable id for Kim Lee because INC1'],
    ['shwo Alice Smith', 'show Alice Smith'],
    ['histroy for Alice', 'history Alice'],
  ])('"%s" with a display name → "%s"', (text, suggestion) => {
    expect(parseCommand(text)).toEqual({ kind: 'suggest', suggestion });
  });

  it.each([
    ['show Alice Smith', 'show', 'Alice Smith'],
    ['clear immutable id for Alice Smith', 'clear', 'Alice Smith'],
    ["check Sean O'Brien", 'show', "Sean O'Brien"],
    ['show "Zoë Müller-Lüdenscheidt"', 'show', 'Zoë Müller-Lüdenscheidt'],
    ['history Kim Lee', 'history', 'Kim Lee'],
  ])('"%s" is a %s of the display name "%s"', (text, kind, value) => {
    expect(parseCommand(text)).toEqual({ kind, target: { kind: 'displayName', value } });
  });

  it.each([
    ['what is the weather'],
    ['cleer immutable id'],
    ['thanks'],
  ])('"%s" names no user: no suggestion', (text) => {
    expect(parseCommand(text)).toEqual({ kind: 'unknown' });
  });

  it.each([
    ['show ali ce@contoso.com', /characters/],
    ['clear immutable id for alice@contoso.com/../../groups', /characters/],
    ['clear immutable id for bob alice@contoso.com', /characters/],
  ])('"%s" is explained, not guessed around', (text, message) => {
    const result = parseCommand(text);
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.message).toMatch(message);
  });
});
