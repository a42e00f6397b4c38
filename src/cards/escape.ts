/**
 * Makes untrusted text (directory values, Teams names, error messages) safe to put in the
 * markdown-capable parts of an Adaptive Card (TextBlock.text, Fact.title, Fact.value).
 *
 * Do NOT use the result in a RichTextBlock TextRun: TextRuns are plain text, so the
 * backslash escapes added here would be shown.
 */

/** Shown instead of an empty or missing value. */
export const EMPTY_VALUE = '—';

/** Default cap, in code points of the original value, so one field cannot blow the 28 KB card budget. */
export const DEFAULT_MAX_LENGTH = 256;

/** Invisible U+2060 WORD JOINER: splits a token without changing what the reader sees. */
const WJ = '\u2060';

/** Every kind of line break (CR, LF, VT, FF, NEL, LINE/PARAGRAPH SEPARATOR) and tabs. */
const LINE_BREAKS = /[\r\n\t\v\f\u0085\u2028\u2029]+/g;

/**
 * Other C0/C1 controls and the bidi embedding/override/isolate marks: the latter let a
 * display name render reversed ("gpj.exe" tricks), so they are dropped, not escaped.
 */
const INVISIBLE_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Inline markdown the Teams/Adaptive Card markdown subset (and CommonMark) reacts to. */
const MARKDOWN_PUNCTUATION = /[\\*_~`#[\]()!]/g;

/**
 * `<` and `>` become the single guillemets ‹ ›. Why not `&lt;`/`&gt;`: Adaptive Card
 * renderers differ on HTML entities (markdown-it decodes them, others may show "&lt;"
 * literally), and Teams gives `<at>…</at>` a meaning of its own (mentions). The look-alikes
 * read the same on every client, can never form a tag (`<at>`, `<b>`, autolinks
 * `<http://…>`) and also kill `>` blockquotes. UPNs and mail addresses cannot contain
 * `<`/`>`, so in practice only display names are affected. Markdown characters, by
 * contrast, are backslash-escaped: that is what Teams honours, and the text stays exact.
 */
const ANGLE_BRACKETS: Readonly<Record<string, string>> = { '<': '\u2039', '>': '\u203a' };

/** One line, no control or bidi characters, trimmed; null when nothing is left. */
function flatten(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const flat = value.replace(LINE_BREAKS, ' ').replace(INVISIBLE_CONTROLS, '').trim();
  return flat === '' ? null : flat;
}

/**
 * Cuts to `maxLength` code points (never splitting a surrogate pair) with "…". Done before
 * escaping, so an escape sequence is never cut in half.
 */
function truncate(text: string, maxLength: number): string {
  const codePoints = Array.from(text);
  if (codePoints.length <= maxLength) return text;
  return codePoints.slice(0, Math.max(1, maxLength - 1)).join('').trimEnd() + '…';
}

/** Neutralises what is not markdown but still turns text into something else; adds no backslashes. */
function neutraliseMarkup(text: string): string {
  return (
    text
      .replace(/[<>]/g, (c) => ANGLE_BRACKETS[c] ?? c)
      // `&lt;at&gt;` would become a tag in renderers that decode entities before looking
      // for markup; a word joiner after `&` stops the entity from being recognised.
      .replace(/&(?=#?[A-Za-z0-9]+;)/g, () => '&' + WJ)
      // adaptivecards-templating does not re-expand data values (verified in the tests), but
      // a card may be fed to a template again (e.g. host-side templating), so break `${`.
      // A trailing `$` too, in case a template puts `{` right after the value.
      .replace(/\$(?=\{|$)/g, () => '$' + WJ)
      // Adaptive Cards replaces {{DATE(…)}} / {{TIME(…)}} in text at render time.
      .replace(/\{(?=\{)/g, () => '{' + WJ)
      // Teams auto-links bare URLs; a directory value should never become a clickable link.
      .replace(/:\/\//g, () => ':' + WJ + '//')
  );
}

/**
 * Escapes a directory value for a markdown-capable card field.
 * Null, undefined and blank → "—"; line breaks → one space; longer than `maxLength` code
 * points → cut with "…". The result contains no markdown, HTML/mention tags, templating
 * `${`, Adaptive Card `{{DATE()}}` function or clickable `scheme://` URL.
 */
export function escapeCardText(
  value: string | null | undefined,
  maxLength: number = DEFAULT_MAX_LENGTH,
): string {
  const flat = flatten(value);
  if (flat === null) return EMPTY_VALUE;
  const text = neutraliseMarkup(truncate(flat, maxLength).replace(MARKDOWN_PUNCTUATION, '\\$&'));
  // Block markdown that only matters at the start (a value is often the whole text of a
  // Fact value): `-`/`+` bullets and `1.` ordered lists. `1)` is covered: `)` is escaped above.
  return text.replace(/^([-+])/, '\\$1').replace(/^(\d+)\./, '$1\\.');
}

/**
 * For text the bot wrote itself that may carry markdown and values the caller already passed
 * through escapeCardText (e.g. `I didn't understand "${escapeCardText(text)}".`). Escaping it
 * again would show the backslashes, so markdown is kept; only what could become a tag, a
 * mention, a template expression or a clickable URL is neutralised, without backslashes.
 */
export function sanitizeBotText(value: string | null | undefined, maxLength: number = 500): string {
  const flat = flatten(value);
  if (flat === null) return EMPTY_VALUE;
  let cut = truncate(flat, maxLength);
  // A cut can leave an odd run of backslashes that would escape the "…": drop one.
  if (cut !== flat) cut = cut.replace(/(?<!\\)((?:\\\\)*)\\…$/, '$1…');
  return neutraliseMarkup(cut);
}
