/**
 * The few OData $filter forms the bot uses to find a user, parsed strictly:
 *   id eq '...' | mail eq '...' | userPrincipalName eq '...' | onPremisesImmutableId eq '...'
 *   proxyAddresses/any(x:x eq '...')   (any lambda variable name)
 *   endswith(userPrincipalName,'...') | endswith(mail,'...')   (advanced queries: the route checks
 *   ConsistencyLevel: eventual and $count=true)
 *   startsWith(displayName|givenName|surname|mail|userPrincipalName,'...')   (a default query, like Graph)
 * joined by `or`. String literals escape ' by doubling it ('o''brien@contoso.com').
 * Anything else is rejected so that an unexpected query fails loudly instead of matching wrongly.
 */
import type { SeedUser } from './seed';

export type FilterProperty = 'id' | 'mail' | 'userPrincipalName' | 'onPremisesImmutableId' | 'proxyAddresses' | 'displayName' | 'givenName' | 'surname';

export interface FilterClause {
  property: FilterProperty;
  value: string;
  /** endswith is an advanced query operator; startswith and eq are default queries. Absent: eq. */
  operator?: 'eq' | 'endswith' | 'startswith';
}

export class UnsupportedFilterError extends Error {}

const LITERAL = String.raw`'((?:[^']|'')*)'`;
const EQ_CLAUSE = new RegExp(String.raw`^(id|mail|userPrincipalName|onPremisesImmutableId|displayName|givenName|surname)\s+eq\s+${LITERAL}`, 'i');
const ENDSWITH_CLAUSE = new RegExp(String.raw`^endswith\(\s*(mail|userPrincipalName)\s*,\s*${LITERAL}\s*\)`, 'i');
const ANY_CLAUSE = new RegExp(String.raw`^proxyAddresses/any\(\s*(\w+)\s*:\s*(\w+)\s+eq\s+${LITERAL}\s*\)`, 'i');
const STARTSWITH_CLAUSE = new RegExp(String.raw`^startswith\(\s*(displayName|givenName|surname|mail|userPrincipalName)\s*,\s*${LITERAL}\s*\)`, 'i');
const OR = /^\s+or\s+/i;

const CANONICAL: Record<string, FilterProperty> = {
  id: 'id',
  mail: 'mail',
  userprincipalname: 'userPrincipalName',
  onpremisesimmutableid: 'onPremisesImmutableId',
  displayname: 'displayName',
  givenname: 'givenName',
  surname: 'surname',
};

const unescape = (literal: string): string => literal.replace(/''/g, "'");

function unsupported(rest: string): UnsupportedFilterError {
  const property = /^\s*([A-Za-z]\w*)/.exec(rest)?.[1] ?? '';
  const what = property
    ? `Unsupported or invalid query filter clause specified for property '${property}' of resource 'User'.`
    : 'Invalid filter clause.';
  return new UnsupportedFilterError(
    `${what} (The sandbox directory emulates only id/mail/userPrincipalName/onPremisesImmutableId eq '...', proxyAddresses/any(x:x eq '...'), endswith(userPrincipalName|mail,'...') and startsWith(displayName|givenName|surname|mail|userPrincipalName,'...'), joined by or.)`,
  );
}

export function parseUserFilter(filter: string): FilterClause[] {
  const clauses: FilterClause[] = [];
  let rest = filter.trim();
  for (;;) {
    const any = ANY_CLAUSE.exec(rest);
    const eq = any ? null : EQ_CLAUSE.exec(rest);
    const ends = any || eq ? null : ENDSWITH_CLAUSE.exec(rest);
    const starts = any || eq || ends ? null : STARTSWITH_CLAUSE.exec(rest);
    if (starts) {
      const property = CANONICAL[(starts[1] ?? '').toLowerCase()];
      if (!property) throw unsupported(rest);
      clauses.push({ property, value: unescape(starts[2] ?? ''), operator: 'startswith' });
      rest = rest.slice(starts[0].length);
    } else if (ends) {
      const property = CANONICAL[(ends[1] ?? '').toLowerCase()];
      if (!property) throw unsupported(rest);
      clauses.push({ property, value: unescape(ends[2] ?? ''), operator: 'endswith' });
      rest = rest.slice(ends[0].length);
    } else if (any) {
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

/** Whether the filter uses an advanced query operator (needs ConsistencyLevel: eventual + $count). */
export const needsAdvancedQuery = (clauses: FilterClause[]): boolean => clauses.some((c) => c.operator === 'endswith');

/** Graph compares mail, UPN, proxy addresses and names case-insensitively; the immutable id exactly. */
export function matchesFilter(user: SeedUser, clauses: FilterClause[]): boolean {
  return clauses.some((clause) => {
    const wanted = clause.value.toLowerCase();
    if (clause.operator === 'startswith') {
      const actual = clause.property === 'proxyAddresses' ? null : user[clause.property];
      return typeof actual === 'string' && actual.toLowerCase().startsWith(wanted);
    }
    if (clause.operator === 'endswith') {
      const actual = clause.property === 'mail' ? user.mail : user.userPrincipalName;
      return actual !== null && actual.toLowerCase().endsWith(wanted);
    }
    switch (clause.property) {
      case 'id':
        return user.id.toLowerCase() === wanted;
      case 'mail':
        return user.mail !== null && user.mail.toLowerCase() === wanted;
      case 'userPrincipalName':
        return user.userPrincipalName.toLowerCase() === wanted;
      case 'proxyAddresses':
        return user.proxyAddresses.some((address) => address.toLowerCase() === wanted);
      case 'onPremisesImmutableId':
        return user.onPremisesImmutableId === clause.value;
      case 'displayName':
      case 'givenName':
      case 'surname':
        return (user[clause.property] ?? '').toLowerCase() === wanted;
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
