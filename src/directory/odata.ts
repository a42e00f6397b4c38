/** The one place where text from chat becomes part of a Graph URL. */

/** Quotes a string as an OData literal and percent-encodes it for a query string: o'brien -> 'o''brien'. */
export function odataStringLiteral(value: string): string {
  return encodeURIComponent(`'${value.replace(/'/g, "''")}'`);
}

/**
 * A path segment addressing a user by id or UPN. UPNs starting with `$` must use the
 * key-in-parentheses form (Graph reads `/users/$x` as a system segment); `#` of guest UPNs
 * must be percent-encoded, which encodeURIComponent does.
 */
export function userKeySegment(idOrUpn: string): string {
  if (idOrUpn.startsWith('$')) return `users(${odataStringLiteral(idOrUpn)})`;
  return `users/${encodeURIComponent(idOrUpn)}`;
}
