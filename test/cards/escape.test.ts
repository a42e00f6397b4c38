import * as ACData from 'adaptivecards-templating';
import { escapeCardText } from '../../src/cards';
import { sanitizeBotText } from '../../src/cards/escape';

const WJ = '\u2060';

describe('escapeCardText', () => {
  it.each([
    ['plain', 'Alice Smith', 'Alice Smith'],
    ['underscore in a UPN', 'john_smith@contoso.com', 'john\\_smith@contoso.com'],
    ['bold/italic/strike', '**x** _y_ ~z~', '\\*\\*x\\*\\* \\_y\\_ \\~z\\~'],
    ['code', '`rm -rf`', '\\`rm -rf\\`'],
    ['heading', '# Admin', '\\# Admin'],
    ['markdown link', '[x](http://evil)', `\\[x\\]\\(http:${WJ}//evil\\)`],
    ['image', '![i](y)', '\\!\\[i\\]\\(y\\)'],
    ['backslash', 'a\\b', 'a\\\\b'],
    ['bullet at start', '- item', '\\- item'],
    ['plus at start', '+abc==', '\\+abc=='],
    ['ordered list at start', '12. Twelve', '12\\. Twelve'],
    ['paren list at start', '3) x', '3\\) x'],
    ['dash mid-text stays', 'Jean-Luc', 'Jean-Luc'],
    ['mention', '<at>Admin</at>', '\u2039at\u203aAdmin\u2039/at\u203a'],
    ['blockquote', '> quote', '\u203a quote'],
    ['html entity', '&lt;at&gt;', `&${WJ}lt;at&${WJ}gt;`],
    ['plain ampersand', 'Smith & Sons', 'Smith & Sons'],
    ['template expression', '${$root.x}', `$${WJ}{$root.x}`],
    ['trailing dollar', 'cost$', `cost$${WJ}`],
    ['dollar elsewhere', '$svc@contoso.com', '$svc@contoso.com'],
    ['card date function', '{{DATE(2017-02-14T06:08:39Z, SHORT)}}', `{${WJ}{DATE\\(2017-02-14T06:08:39Z, SHORT\\)}}`],
    ['triple brace', '{{{', `{${WJ}{${WJ}{`],
    ['line breaks collapse', 'one\r\ntwo\nthree\u2028four', 'one two three four'],
    ['bidi override dropped', 'abc\u202Efdp.exe', 'abcfdp.exe'],
    ['surrounding space trimmed', '  x  ', 'x'],
    ['unicode kept', 'Zoë 山田 👩‍💻', 'Zoë 山田 👩‍💻'],
  ])('%s', (_name, input, expected) => {
    expect(escapeCardText(input)).toBe(expected);
  });

  it.each([null, undefined, '', '   ', '\n\r\t'])('empty value %p → em dash', (v) => {
    expect(escapeCardText(v)).toBe('—');
  });

  it('truncates long values to 256 code points with an ellipsis, before escaping', () => {
    const out = escapeCardText('a'.repeat(1000));
    expect(Array.from(out)).toHaveLength(256);
    expect(out.endsWith('…')).toBe(true);
    // Escapes are added after the cut, so none is cut in half.
    expect(escapeCardText('*'.repeat(1000))).toBe('\\*'.repeat(255) + '…');
    // No surrogate pair is split.
    expect(escapeCardText('😀'.repeat(300))).toBe('😀'.repeat(255) + '…');
    expect(escapeCardText('abcdef', 4)).toBe('abc…');
  });

  it('templating does not expand expressions inside data values (verified against adaptivecards-templating)', () => {
    const template = new ACData.Template({ text: 'Hello ${name}', whole: '${name}' });
    const out = template.expand({ $root: { name: '${$root.secret} ${1+1}', secret: 'S' } }) as Record<string, string>;
    expect(out).toEqual({ text: 'Hello ${$root.secret} ${1+1}', whole: '${$root.secret} ${1+1}' });
    // …and the escaped value would not be an expression even if it were re-parsed.
    const escaped = escapeCardText('${$root.secret}');
    expect(escaped).not.toContain('${');
    expect(ACData.Template.parseInterpolatedString(escaped)).toBe(escaped);
  });
});

describe('sanitizeBotText', () => {
  it('keeps markdown and already-escaped values but neutralises tags, templating and URLs', () => {
    const reason = `I didn't understand "${escapeCardText('foo_bar')}".`;
    expect(sanitizeBotText(reason)).toBe('I didn\'t understand "foo\\_bar".');
    expect(sanitizeBotText('**bold** <at>x</at> ${y} http://e\nz')).toBe(`**bold** \u2039at\u203ax\u2039/at\u203a $${WJ}{y} http:${WJ}//e z`);
    expect(sanitizeBotText(null)).toBe('—');
  });

  it('never leaves a lone backslash before the ellipsis', () => {
    expect(sanitizeBotText('ab\\cd', 4)).toBe('ab…');
    expect(sanitizeBotText('a\\\\cd', 4)).toBe('a\\\\…');
  });
});
