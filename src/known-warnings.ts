/**
 * Node warnings raised inside dependencies that this project cannot act on. They are logged at
 * debug level with the reason, so the start-up log keeps warnings for things an admin must fix.
 */
const KNOWN_DEPRECATIONS: Readonly<Record<string, string>> = {
  // restify 11 loads spdy, whose http-deceiver reads process.binding('http_parser'); HTTP/2 is not
  // used here, and restify 12 (which drops it) needs Node 22.
  DEP0111: "restify 11 → spdy → http-deceiver (process.binding('http_parser')); harmless, HTTP/2 is not used",
};

/** The reason a warning is expected, or undefined when it should be logged as a warning. */
export function explainKnownWarning(warning: Error & { code?: string }): string | undefined {
  return warning.name === 'DeprecationWarning' && warning.code ? KNOWN_DEPRECATIONS[warning.code] : undefined;
}
