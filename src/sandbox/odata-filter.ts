/**
 * The few OData $filter forms the bot uses to find a user, parsed strictly:
 *   mail eq '...' | userPrincipalName eq '...' | onPremisesImmutableId eq '...'
 *   proxyAddresses/any(x:x eq '...')   (any lambda variable name)
 * joined by `or`. String literals escape ' by doubling it ('o''brien@contoso.com').
 * Anything else is rejected so that an unexpected query fails loudly instead of matching wrongly.
 */
import type { SeedUser } from './seed';

export type FilterProperty = 'mail' | 'userPrincipalName' | 'onPremisesImmutableId' | 'proxyAddresses';

export interface FilterClause {
  property: FilterProperty;
  value: string;
}

export class UnsupportedFilterError extends Error {}

const LITERAL = String.raw`'((?:[^']|'')*)'`;
const EQ_CLAUSE = new RegExp(String.raw`^(mail|userPrincipalName|onPremisesImmutableId)\s+eq\s+${LITERAL}`, 'i');
const ANY_CLAUSE = new RegExp(String.raw`^proxyAddresses/any\(\s*(\w+)\s*:\s*(\w+)\s+eq\s+${LITERAL}\s*\)`, 'i');
const OR = /^\s+or\s+/i;

const CANONICAL: Record<string, FilterProperty> = {
  mail: 'mail',
  userprincipalname: 'userPrincipalName',
  onpremisesimmutableid: 'onPremisesImmutableId',
};

const unescape = (literal: string): string => literal.replace(/''/g, "'");

function unsupported(rest: string): UnsupportedFilterError {
  const property = /^\s*([A-Za-z]\w*)/.exec(rest)?.[1] ?? '';
  const what = property
    ? `Unsupported or invalid query filter clause specified for property '${property}' of resource 'User'.`
    : 'Invalid filter clause.';
  return new UnsupportedFilterError(
    `${what} (The sandbox directory emulates only mail/userPrincipalName/onPremisesImmutableId eq '...' and proxyAddresses/any(x:x eq '...'), joined by or.)`,
  );
}

export function parseUserFilter(filter: string): FilterClause[] {
  const clauses: FilterClause[] = [];
  let rest = filter.trim();
  for (;;) {
    const any = ANY_CLAUSE.exec(rest);
    const eq = any ? null : EQ_CLAUSE.exec(rest);
    if (any) {
      // proxyAddresses/any(x:y eq ...) with two different names is invalid OData.
      if (any[1] !== any[2]) throw unsupported(rest);
      clauses.push({ property: 'proxyAddresses', value: unescape(any[3] ?? '') });
      rest = rest.slice(any[0].length);
    } else if (eq) {
      const property = CANONICAL[(eq[1] ?? '').toLowerCase()];
      if (!property) throw unsupported(rest);
      clauses.push({ property, value: unescape(eq[2] ?? '') });
      rest = rest.slice(eq[0].length);
    } else {
      throw unsupported(rest);
    }
    if (rest.trim() === '') return clauses;
    const or = OR.exec(rest);
    if (!or) throw unsupported(rest.trim());
    rest = rest.slice(or[0].length);
  }
}

/** Graph compares mail, UPN and proxy addresses case-insensitively; the immutable id exactly. */
export function matchesFilter(user: SeedUser, clauses: FilterClause[]): boolean {
  return clauses.some((clause) => {
    const wanted = clause.value.toLowerCase();
    switch (clause.property) {
      case 'mail':
        return user.mail !== null && user.mail.toLowerCase() === wanted;
      case 'userPrincipalName':
        return user.userPrincipalName.toLowerCase() === wanted;
      case 'proxyAddresses':
        return user.proxyAddresses.some((address) => address.toLowerCase() === wanted);
      case 'onPremisesImmutableId':
        return user.onPremisesImmutableId === clause.value;
    }
  });
}

/** Group look-up by name: `displayName eq '...'`, `mail eq '...'`, `mailNickname eq '...'`, joined by or. */
export type GroupFilterProperty = 'displayName' | 'mail' | 'mailNickname';
const GROUP_CLAUSE = new RegExp(String.raw`^(displayName|mail|mailNickname)\s+eq\s+${LITERAL}`, 'i');
const GROUP_CANONICAL: Record<string, GroupFilterProperty> = { displayname: 'displayName', mail: 'mail', mailnickname: 'mailNickname' };

export function parseGroupFilter(filter: string): { property: GroupFilterProperty; value: string }[] {
  const clauses: { property: GroupFilterProperty; value: string }[] = [];
  let rest = filter.trim();
  for (;;) {
    const eq = GROUP_CLAUSE.exec(rest);
    const property = eq ? GROUP_CANONICAL[(eq[1] ?? '').toLowerCase()] : undefined;
    if (!eq || !property) {
      throw new UnsupportedFilterError(`Unsupported or invalid query filter clause specified for resource 'Group'. (The sandbox directory emulates only displayName/mail/mailNickname eq '...', joined by or.)`);
    }
    clauses.push({ property, value: unescape(eq[2] ?? '') });
    rest = rest.slice(eq[0].length);
    if (rest.trim() === '') return clauses;
    const or = OR.exec(rest);
    if (!or) throw new UnsupportedFilterError(`Invalid filter clause: ${rest.trim()}`);
    rest = rest.slice(or[0].length);
  }
}
