import fc from 'fast-check';
import { parseCommand } from '../../src/conversation/parse-command';

describe('parseCommand', () => {
  it.each([
    'clear immutable id for alice@contoso.com',
    'Clear ImmutableID for alice@contoso.com',
    'clear immutable ID of alice@contoso.com',
    'please clear immutable id for alice@contoso.com',
    'Please, clear the immutableId for alice@contoso.com.',
    'CLEAR IMMUTABLE-ID FOR alice@contoso.com',
    '  clear   immutable   id   for   alice@contoso.com  ',
  ])('understands "%s" as a clear for alice', (text) => {
    expect(parseCommand(text)).toEqual({ kind: 'clear', target: { kind: 'address', value: 'alice@contoso.com' } });
  });

  it('keeps a reason or ticket given with "because"', () => {
    expect(parseCommand('clear immutable id for alice@contoso.com because INC0012345')).toEqual({
      kind: 'clear',
      target: { kind: 'address', value: 'alice@contoso.com' },
      reason: 'INC0012345',
    });
  });

  it('accepts an object id and lower-cases it', () => {
    expect(parseCommand('clear immutable id for 00AA00AA-BB11-CC22-DD33-44EE44EE44EE')).toEqual({
      kind: 'clear',
      target: { kind: 'objectId', value: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee' },
    });
  });

  it.each([
    ['show alice@contoso.com', 'alice@contoso.com'],
    ['check alice@contoso.com', 'alice@contoso.com'],
    ['Check immutable id for judy.lee@contoso.com', 'judy.lee@contoso.com'],
    ['show $frank@contoso.com', '$frank@contoso.com'],
    ['show erin_outlook.com#EXT#@contoso.onmicrosoft.com', 'erin_outlook.com#EXT#@contoso.onmicrosoft.com'],
    ["show o'brien@contoso.com", "o'brien@contoso.com"],
    ['show <alice@contoso.com>', 'alice@contoso.com'],
    ['show mailto:alice@contoso.com', 'alice@contoso.com'],
  ])('understands "%s" as show %s', (text, value) => {
    expect(parseCommand(text)).toEqual({ kind: 'show', target: { kind: 'address', value } });
  });

  it.each(['help', 'HELP', '?', ''])('treats "%s" as help', (text) => {
    expect(parseCommand(text)).toEqual({ kind: 'help' });
  });

  it('does not understand chatter', () => {
    expect(parseCommand('what is the weather')).toEqual({ kind: 'unknown' });
  });

  it('asks for the user when the clear names nobody', () => {
    const result = parseCommand('clear immutable id');
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.message).toMatch(/clear immutable id for alice@contoso.com/);
  });

  it.each([
    ['clear immutable id for alice@contoso.com/../../groups', /characters/],
    ['clear immutable id for alice@contoso.com?$select=passwordProfile', /characters/],
    ['show alice@contoso.com&$filter=x', /characters/],
    ['show users/alice', /characters/],
    ['show alice@contoso', /not a valid domain/],
    ['show ali ce@contoso.com', /characters/],
    ['show alice#x@contoso.com', /part before @/],
  ])('refuses "%s" before any Graph call', (text, message) => {
    const result = parseCommand(text);
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.message).toMatch(message);
  });

  it('reads a word that is no address as the start of a display name to search for', () => {
    expect(parseCommand('show alice')).toEqual({ kind: 'show', target: { kind: 'displayName', value: 'alice' } });
  });

  it('never throws and never lets path or query characters into a target (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.constantFrom('clear immutable id for ', 'show ', 'check ', ''), (s, prefix) => {
        const result = parseCommand(prefix + s);
        if ((result.kind === 'clear' || result.kind === 'show') && result.target.kind === 'displayName') {
          // A name to search for: letters, digits, single spaces, ' ’ . - only (the directory quotes it as an OData literal).
          expect(result.target.value).toMatch(/^[\p{L}\p{M}][\p{L}\p{M}\p{N}'’.-]*(?: [\p{L}\p{M}\p{N}'’.-]+)*$/u);
        } else if (result.kind === 'clear' || result.kind === 'show') {
          expect(result.target.value).not.toMatch(/[/\\?%&=\s"<>]/);
          if (result.target.kind === 'address') {
            expect(result.target.value.replace('#EXT#', '')).not.toContain('#');
            expect(result.target.value).toContain('@');
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('finds the address inside any polite variant (property)', () => {
    const local = fc.stringMatching(/^[a-z][a-z0-9.]{0,15}[a-z0-9]$/).filter((s) => !s.includes('..'));
    fc.assert(
      fc.property(
        fc.constantFrom('', 'please ', 'Please, ', 'pls '),
        fc.constantFrom('clear', 'Clear', 'CLEAR'),
        fc.constantFrom('immutable id', 'ImmutableID', 'immutable ID', 'immutableId'),
        fc.constantFrom('for', 'of', 'FOR'),
        local,
        (polite, verb, noun, prep, name) => {
          const result = parseCommand(`${polite}${verb} ${noun} ${prep} ${name}@contoso.com`);
          expect(result).toEqual({ kind: 'clear', target: { kind: 'address', value: `${name}@contoso.com` } });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parseCommand: cancel and history', () => {
  it('reads a request id to cancel', () => {
    expect(parseCommand('cancel Abc123_-xyzXYZ09876')).toEqual({ kind: 'cancel', requestId: 'Abc123_-xyzXYZ09876' });
    expect(parseCommand('cancel request `Abc123_-xyzXYZ09876`')).toEqual({ kind: 'cancel', requestId: 'Abc123_-xyzXYZ09876' });
  });

  it('refuses a cancel without a valid id', () => {
    expect(parseCommand('cancel').kind).toBe('invalid');
    expect(parseCommand('cancel ../../x').kind).toBe('invalid');
  });

  it('reads history with and without a user', () => {
    expect(parseCommand('history')).toEqual({ kind: 'history' });
    expect(parseCommand('history alice@contoso.com')).toEqual({ kind: 'history', target: { kind: 'address', value: 'alice@contoso.com' } });
    expect(parseCommand('history for alice@contoso.com')).toEqual({ kind: 'history', target: { kind: 'address', value: 'alice@contoso.com' } });
  });
});

describe('parseCommand: what Teams wraps around text', () => {
  it.each([
    '&nbsp;clear immutable id for alice@contoso.com',
    '<p>clear immutable id for alice@contoso.com</p>',
    '<at>Immutable ID Helper</at>&nbsp;clear immutable id for alice@contoso.com',
    'clear immutable id for <a href="mailto:alice@contoso.com">alice@contoso.com</a>',
  ])('understands %s', (text) => {
    expect(parseCommand(text)).toEqual({ kind: 'clear', target: { kind: 'address', value: 'alice@contoso.com' } });
  });
});

describe('what an incomplete command is told', () => {
  // Chat text is markdown in Teams: a <placeholder> is eaten as an HTML tag or shown as &lt;…&gt;.
  it.each([
    ['csv', /`csv` and the job id/],
    ['convert', /`convert` and the anchor/],
    ['match', /Send `match`, the user, `to` and the on-prem anchor/],
    ['match alice@contoso.com', /Send `match`, the user, `to` and the on-prem anchor/],
    ['cancel', /`cancel` and the request id/],
    ['undo', /`undo` and the request id/],
    ['clear immutable id for members of', /`members of` and the group's display name/],
  ])('"%s" says what to add, in words, with no angle brackets', (input, expected) => {
    const command = parseCommand(input);
    expect(command.kind).toBe('invalid');
    const message = (command as { message: string }).message;
    expect(message).toMatch(expected);
    expect(message).not.toMatch(/[<>]/);
  });
});
