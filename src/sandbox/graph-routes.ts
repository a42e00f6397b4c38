/**
 * The emulated Microsoft Graph v1.0 routes. One function per route, each a pure function of
 * (request, directory state) -> result, so the same code answers top-level requests and
 * $batch sub-requests. Anything not emulated answers 501 NotImplemented: fail loudly.
 */
import type { DirectoryState } from './directory-state';
import { upnDomain } from './directory-state';
import {
  type GraphResult,
  type RequestIds,
  MESSAGES,
  graphError,
  json,
  notFoundMessage,
  notImplemented,
} from './graph-errors';
import { routeDeletedItems } from './deleted-items-routes';
import { type FilterClause, UnsupportedFilterError, matchesFilter, needsAdvancedQuery, parseGroupFilter, parseUserFilter } from './odata-filter';
import { CLEARABLE_ON_PREM_ATTRIBUTES, type DirectoryRoleDefinition, type PatchableValues, type SeedDomain, type SeedGroup, type SeedUser } from './seed';

/** A path segment; `quoted`: it was a key in the users('...') form. */
export interface Segment {
  value: string;
  quoted: boolean;
}

export interface GraphRequest {
  method: string;
  /** The beta endpoint answers only what the bot uses there (users' on-prem attributes). */
  version: 'v1.0' | 'beta';
  /** Request headers, names lower-case (ConsistencyLevel for advanced queries). */
  headers: Record<string, string>;
  /** Segments after the version, decoded; users('x') arrives as ['users', 'x' (quoted)]. */
  segments: Segment[];
  /** Path after the version as received (still encoded): for @odata.nextLink. */
  rawPath: string;
  /** Decoded path for messages, e.g. /v1.0/users/alice@contoso.com. */
  decodedPath: string;
  query: Record<string, string>;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
  /** The body was present but not valid JSON. */
  bodyInvalid: boolean;
  ids: RequestIds;
  /** https://127.0.0.1:PORT */
  baseUrl: string;
}

const KEY_SEGMENT = /^([A-Za-z][\w.]*)\('((?:[^']|'')*)'\)$/;

/**
 * Splits a version-relative raw path ("users('%24frank%40contoso.com')/transitiveMemberOf")
 * into decoded segments. Returns null when percent-decoding fails.
 */
export function splitGraphPath(rawPath: string): Segment[] | null {
  const segments: Segment[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      return null;
    }
    const key = KEY_SEGMENT.exec(value);
    if (key) segments.push({ value: key[1] ?? '', quoted: false }, { value: (key[2] ?? '').replace(/''/g, "'"), quoted: true });
    else segments.push({ value, quoted: false });
  }
  return segments;
}

// --- properties and $select --------------------------------------------------------------------

/** Graph user properties the sandbox stores. */
const USER_PROPERTIES = [
  'id', 'displayName', 'givenName', 'surname', 'userPrincipalName', 'mail', 'mailNickname', 'otherMails',
  'proxyAddresses', 'jobTitle', 'department', 'businessPhones', 'mobilePhone', 'officeLocation',
  'preferredLanguage', 'usageLocation', 'accountEnabled', 'userType', 'creationType', 'externalUserState',
  'createdDateTime', 'onPremisesImmutableId', 'onPremisesSyncEnabled', 'onPremisesLastSyncDateTime',
  'onPremisesDistinguishedName', 'onPremisesSamAccountName', 'onPremisesUserPrincipalName',
  'onPremisesDomainName', 'onPremisesSecurityIdentifier', 'onPremisesProvisioningErrors', 'deletedDateTime',
] as const satisfies readonly (keyof SeedUser)[];

/** Served on /beta only. */
const BETA_USER_PROPERTIES = ['onPremisesObjectIdentifier'] as const satisfies readonly (keyof SeedUser)[];

/** Real Graph user properties the sandbox does not model: selectable, always null (or []). */
const UNMODELLED_USER_PROPERTIES: Record<string, null | []> = {
  companyName: null, employeeId: null, employeeType: null, employeeHireDate: null, city: null, country: null,
  state: null, streetAddress: null, postalCode: null, faxNumber: null, ageGroup: null,
  lastPasswordChangeDateTime: null, passwordPolicies: null, showInAddressList: null, securityIdentifier: null,
  signInSessionsValidFromDateTime: null, externalUserStateChangeDateTime: null, imAddresses: [], identities: [],
  onPremisesExtensionAttributes: null,
};

/** What GET /users/{id} returns without $select (onPremises* are $select-only). */
const DEFAULT_USER_PROPERTIES = [
  'id', 'displayName', 'userPrincipalName', 'mail', 'givenName', 'surname', 'jobTitle', 'businessPhones',
  'mobilePhone', 'officeLocation', 'preferredLanguage',
];

const ROLE_PROPERTIES = ['id', 'displayName', 'description', 'roleTemplateId', 'deletedDateTime'];
const GROUP_PROPERTIES = ['id', 'displayName', 'description', 'mailNickname', 'mail', 'mailEnabled', 'securityEnabled', 'groupTypes', 'deletedDateTime'];
const DOMAIN_PROPERTIES = ['id', 'authenticationType', 'availabilityStatus', 'isAdminManaged', 'isDefault', 'isInitial', 'isRoot', 'isVerified', 'supportedServices', 'passwordNotificationWindowInDays', 'passwordValidityPeriodInDays', 'state'];
const ORG_PROPERTIES = ['id', 'displayName', 'verifiedDomains', 'onPremisesSyncEnabled', 'onPremisesLastSyncDateTime', 'tenantType', 'countryLetterCode', 'createdDateTime'];
const USER_ALL = [...USER_PROPERTIES, ...Object.keys(UNMODELLED_USER_PROPERTIES)];
const USER_ALL_BETA = [...USER_ALL, ...BETA_USER_PROPERTIES];
export const userPropertiesFor = (req: GraphRequest): readonly string[] => (req.version === 'beta' ? USER_ALL_BETA : USER_ALL);

export type Json = Record<string, unknown>;
type Selection = { select?: string[]; error?: GraphResult };

/** Parses $select against the type's properties (case-insensitive, canonical names back). */
export function parseSelect(req: GraphRequest, allowed: readonly string[], typeName: string): Selection {
  const raw = req.query.$select;
  if (raw === undefined) return {};
  const select: string[] = [];
  for (const name of raw.split(',').map((s) => s.trim())) {
    const canonical = allowed.find((p) => p.toLowerCase() === name.toLowerCase());
    if (!canonical) {
      // ⚠ code/wording of Graph's OData parser error
      return { error: graphError(400, 'BadRequest', `Could not find a property named '${name}' on type 'microsoft.graph.${typeName}'.`, req.ids) };
    }
    if (!select.includes(canonical)) select.push(canonical);
  }
  return { select };
}

/** Keeps the selected properties (plus id, which Graph always returns). */
export function project(full: Json, select: string[] | undefined, defaults: readonly string[]): Json {
  const wanted = select ? ['id', ...select.filter((p) => p !== 'id')] : defaults;
  const out: Json = {};
  if (typeof full['@odata.type'] === 'string') out['@odata.type'] = full['@odata.type'];
  for (const p of wanted) if (p in full) out[p] = full[p];
  return out;
}

export function userJson(user: SeedUser, version: GraphRequest['version'] = 'v1.0'): Json {
  const out: Json = { ...UNMODELLED_USER_PROPERTIES };
  for (const p of USER_PROPERTIES) out[p] = structuredClone(user[p]);
  if (version === 'beta') for (const p of BETA_USER_PROPERTIES) out[p] = user[p];
  return out;
}

const roleJson = (role: DirectoryRoleDefinition): Json => ({
  '@odata.type': '#microsoft.graph.directoryRole',
  id: role.id,
  deletedDateTime: null,
  description: role.description,
  displayName: role.displayName,
  roleTemplateId: role.roleTemplateId,
});

const idOnlyRoleJson = (role: DirectoryRoleDefinition): Json => ({
  '@odata.type': '#microsoft.graph.directoryRole',
  id: role.id,
  deletedDateTime: null,
  description: null,
  displayName: null,
  roleTemplateId: null,
});

const groupJson = (group: SeedGroup): Json => ({
  '@odata.type': '#microsoft.graph.group',
  id: group.id,
  deletedDateTime: null,
  description: group.description,
  displayName: group.displayName,
  groupTypes: [],
  mail: group.mail ?? null,
  mailEnabled: group.mailEnabled,
  mailNickname: group.mailNickname,
  securityEnabled: group.securityEnabled,
});

const domainJson = (domain: SeedDomain): Json => ({
  authenticationType: domain.authenticationType,
  availabilityStatus: null,
  id: domain.id,
  isAdminManaged: true,
  isDefault: domain.isDefault,
  isInitial: domain.isInitial,
  isRoot: domain.isRoot,
  isVerified: domain.isVerified,
  supportedServices: [...domain.supportedServices],
  passwordNotificationWindowInDays: 14,
  passwordValidityPeriodInDays: 2147483647,
  state: null,
});

export const context = (req: GraphRequest, fragment: string, select?: string[]): string => {
  const sel = select ? `(${select.join(',')})` : '';
  const [set, ...rest] = fragment.split('/');
  return `${req.baseUrl}/${req.version}/$metadata#${set ?? ''}${sel}${rest.length ? `/${rest.join('/')}` : ''}`;
};

/** Fails loudly on query options the sandbox does not emulate for this route. */
export function unsupportedOption(req: GraphRequest, allowed: string[]): GraphResult | undefined {
  const extra = Object.keys(req.query).find((k) => k.startsWith('$') && !allowed.includes(k));
  return extra ? graphError(501, 'NotImplemented', `The sandbox directory does not emulate the query option ${extra} on ${req.method} ${req.decodedPath}`, req.ids) : undefined;
}

/**
 * A collection page honouring $top (1..999) and our own $skiptoken. `maxPageSize`: server-driven
 * paging, as Graph may return fewer than $top and a nextLink.
 */
export function page(req: GraphRequest, items: Json[], contextUrl: string, maxPageSize?: number): GraphResult {
  let top = 100;
  if (req.query.$top !== undefined) {
    top = Number(req.query.$top);
    if (!Number.isInteger(top) || top < 1 || top > 999) {
      return graphError(400, 'Request_BadRequest', `Invalid page size specified: '${req.query.$top}'. Must be between 1 and 999 inclusive.`, req.ids);
    }
  }
  if (maxPageSize !== undefined) top = Math.min(top, maxPageSize);
  const skip = Number(req.query.$skiptoken ?? '0');
  if (!Number.isInteger(skip) || skip < 0) return graphError(400, 'Request_BadRequest', 'Invalid $skiptoken.', req.ids);
  const body: Json = { '@odata.context': contextUrl };
  if (req.query.$count === 'true') body['@odata.count'] = items.length;
  if (skip + top < items.length) {
    const params = new URLSearchParams({ ...req.query, $skiptoken: String(skip + top) });
    body['@odata.nextLink'] = `${req.baseUrl}/${req.version}/${req.rawPath.replace(/^\//, '')}?${params.toString().replace(/\+/g, '%20')}`;
  }
  body.value = items.slice(skip, skip + top);
  return json(200, body);
}

// --- routes ------------------------------------------------------------------------------------

export function routeGraph(req: GraphRequest, dir: DirectoryState): GraphResult {
  const s = req.segments.map((x) => x.value);
  const [root, key] = s;
  const nav = s.slice(2);
  const m = req.method;
  const notEmulated = (): GraphResult => notImplemented(m, req.decodedPath, req.ids);

  if (root === 'users' && key !== undefined && key.startsWith('$') && !req.segments[1]?.quoted) {
    // Graph reads /users/$x as an OData system segment: such UPNs need /users('$x@y.com').
    // ⚠ exact error text
    return graphError(400, 'BadRequest', `Resource not found for the segment '${key}'.`, req.ids);
  }

  if (req.version === 'beta') {
    // Only what the bot needs from beta: a user's on-prem attributes, read and cleared.
    if (root === 'users' && key !== undefined && nav.length === 0 && m === 'GET') return getUser(req, dir, key);
    if (root === 'users' && key !== undefined && nav.length === 0 && m === 'PATCH') return patchUser(req, dir, key);
    return notEmulated();
  }

  switch (root) {
    case 'users':
      if (key === undefined) return m === 'GET' ? listUsers(req, dir) : notEmulated();
      if (nav.length === 0) {
        if (m === 'GET') return getUser(req, dir, key);
        if (m === 'PATCH') return patchUser(req, dir, key);
        if (m === 'DELETE') return deleteUser(req, dir, key);
        return notEmulated();
      }
      if (nav[0] === 'transitiveMemberOf' && nav.length <= 2 && m === 'GET') return userMemberOf(req, dir, key, nav[1]);
      if (nav[0] === 'checkMemberGroups' && nav.length === 1 && m === 'POST') return checkMemberGroups(req, dir, key);
      return notEmulated();
    case 'groups':
      if (key === undefined && m === 'GET') return listGroups(req, dir);
      if (key !== undefined && nav.length === 0 && m === 'GET') return getGroup(req, dir, key);
      if (key !== undefined && nav[0] === 'transitiveMembers' && nav.length <= 2 && m === 'GET') return groupMembers(req, dir, key, nav[1]);
      return notEmulated();
    case 'domains':
      if (key !== undefined && nav.length === 0 && m === 'GET') return getDomain(req, dir, key);
      if (key === undefined && m === 'GET') return listDomains(req, dir);
      return notEmulated();
    case 'directory':
      if (key === 'deletedItems') return routeDeletedItems(req, dir, nav);
      if (key === 'onPremisesSynchronization' && nav.length === 0 && m === 'GET') return getOnPremisesSynchronization(req, dir);
      return notEmulated();
    case 'organization':
      return s.length === 1 && m === 'GET' ? getOrganization(req, dir) : notEmulated();
    case 'me':
      return graphError(400, 'BadRequest', MESSAGES.meNeedsDelegated, req.ids);
    case 'roleManagement':
      if (s.length === 3 && s[1] === 'directory' && s[2] === 'roleEligibilitySchedules' && m === 'GET') return listEligibility(req, dir);
      return notEmulated();
    default:
      return notEmulated();
  }
}

const userNotFound = (req: GraphRequest, key: string): GraphResult =>
  graphError(404, 'Request_ResourceNotFound', notFoundMessage(key), req.ids);

function getUser(req: GraphRequest, dir: DirectoryState, key: string): GraphResult {
  const bad = unsupportedOption(req, ['$select']);
  if (bad) return bad;
  const { select, error } = parseSelect(req, userPropertiesFor(req), 'user');
  if (error) return error;
  const user = dir.findUserForRead(key);
  if (!user) return userNotFound(req, key);
  return json(200, { '@odata.context': context(req, 'users/$entity', select), ...project(userJson(user, req.version), select, DEFAULT_USER_PROPERTIES) });
}

/**
 * Parses $filter (and checks the advanced-query rules) for a user collection. Returns the
 * clauses (undefined: no filter) or Graph's error.
 */
export function userFilterOf(req: GraphRequest): { clauses?: FilterClause[]; error?: GraphResult } {
  const eventual = (req.headers.consistencylevel ?? '').toLowerCase() === 'eventual';
  // ⚠ wording: Graph refuses $count on directory objects without ConsistencyLevel: eventual.
  if (req.query.$count !== undefined && !eventual) return { error: graphError(400, 'Request_BadRequest', '$count is not currently supported.', req.ids) };
  if (req.query.$filter === undefined) return {};
  let clauses: FilterClause[];
  try {
    clauses = parseUserFilter(req.query.$filter);
  } catch (err) {
    if (err instanceof UnsupportedFilterError) return { error: graphError(400, 'Request_UnsupportedQuery', err.message, req.ids) };
    throw err;
  }
  if (needsAdvancedQuery(clauses) && !(eventual && req.query.$count === 'true')) {
    const missing = eventual ? "the '$count=true' query parameter is" : "the 'ConsistencyLevel:eventual' header is";
    return { error: graphError(400, 'Request_UnsupportedQuery', `Operator 'endsWith' is not supported because ${missing} missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information`, req.ids) };
  }
  return { clauses };
}

function listUsers(req: GraphRequest, dir: DirectoryState): GraphResult {
  const bad = unsupportedOption(req, ['$select', '$filter', '$top', '$skiptoken', '$count']);
  if (bad) return bad;
  const { select, error } = parseSelect(req, USER_ALL, 'user');
  if (error) return error;
  const filter = userFilterOf(req);
  if (filter.error) return filter.error;
  const { clauses } = filter;
  const users = clauses ? dir.readUsers().filter((u) => matchesFilter(u, clauses)) : dir.readUsers();
  return page(req, users.map((u) => project(userJson(u), select, DEFAULT_USER_PROPERTIES)), context(req, 'users', select), dir.maxPageSize);
}

function userMemberOf(req: GraphRequest, dir: DirectoryState, key: string, cast: string | undefined): GraphResult {
  const bad = unsupportedOption(req, ['$select', '$top', '$skiptoken']);
  if (bad) return bad;
  if (cast !== undefined && cast !== 'microsoft.graph.directoryRole' && cast !== 'microsoft.graph.group') {
    return notImplemented(req.method, req.decodedPath, req.ids);
  }
  const allowed = cast === 'microsoft.graph.directoryRole' ? ROLE_PROPERTIES : cast === 'microsoft.graph.group' ? GROUP_PROPERTIES : [...new Set([...ROLE_PROPERTIES, ...GROUP_PROPERTIES])];
  const typeName = cast === 'microsoft.graph.directoryRole' ? 'directoryRole' : cast === 'microsoft.graph.group' ? 'group' : 'directoryObject';
  const { select, error } = parseSelect(req, allowed, typeName);
  if (error) return error;
  const user = dir.findUserForRead(key);
  if (!user) return userNotFound(req, key);
  // Without RoleManagement.Read.Directory Graph still lists the role objects, with only their id.
  const toJson = (r: DirectoryRoleDefinition): Json => (dir.rolesIdOnly ? idOnlyRoleJson(r) : roleJson(r));
  const roles = cast === 'microsoft.graph.group' ? [] : dir.rolesOf(user).map(toJson);
  const groups = cast === 'microsoft.graph.directoryRole' ? [] : dir.transitiveGroupsOf(user.id).map(groupJson);
  const set = cast === 'microsoft.graph.directoryRole' ? 'directoryRoles' : cast === 'microsoft.graph.group' ? 'groups' : 'directoryObjects';
  return page(req, [...groups, ...roles].map((o) => project(o, select, allowed)), context(req, set, select));
}

function checkMemberGroups(req: GraphRequest, dir: DirectoryState, key: string): GraphResult {
  if (req.bodyInvalid) return graphError(400, 'BadRequest', MESSAGES.badJson, req.ids);
  const body = req.body as { groupIds?: unknown } | undefined;
  const ids = body?.groupIds;
  if (!Array.isArray(ids) || !ids.every((id): id is string => typeof id === 'string')) {
    return graphError(400, 'Request_BadRequest', "Invalid value specified for property 'groupIds'.", req.ids); // ⚠
  }
  if (ids.length > 20) return graphError(400, 'Request_BadRequest', 'The number of groupIds exceeds the limit of 20.', req.ids); // ⚠
  const user = dir.findUserForRead(key);
  if (!user) return userNotFound(req, key);
  const memberOf = new Set(dir.transitiveGroupsOf(user.id).map((g) => g.id.toLowerCase()));
  return json(200, {
    '@odata.context': `${req.baseUrl}/v1.0/$metadata#Collection(Edm.String)`,
    value: ids.filter((id) => memberOf.has(id.toLowerCase())),
  });
}

function getGroup(req: GraphRequest, dir: DirectoryState, key: string): GraphResult {
  const bad = unsupportedOption(req, ['$select']);
  if (bad) return bad;
  const { select, error } = parseSelect(req, GROUP_PROPERTIES, 'group');
  if (error) return error;
  const group = dir.findGroup(key);
  if (!group) return graphError(404, 'Request_ResourceNotFound', notFoundMessage(key), req.ids);
  const { '@odata.type': _type, ...body } = groupJson(group);
  return json(200, { '@odata.context': context(req, 'groups/$entity', select), ...project(body, select, GROUP_PROPERTIES) });
}

function listGroups(req: GraphRequest, dir: DirectoryState): GraphResult {
  const bad = unsupportedOption(req, ['$select', '$filter', '$top', '$skiptoken']);
  if (bad) return bad;
  const { select, error } = parseSelect(req, GROUP_PROPERTIES, 'group');
  if (error) return error;
  let groups = dir.groups;
  if (req.query.$filter !== undefined) {
    try {
      const clauses = parseGroupFilter(req.query.$filter);
      groups = groups.filter((g) => clauses.some((c) => (g[c.property] ?? '').toLowerCase() === c.value.toLowerCase()));
    } catch (err) {
      if (err instanceof UnsupportedFilterError) return graphError(400, 'Request_UnsupportedQuery', err.message, req.ids);
      throw err;
    }
  }
  const items = groups.map((g) => {
    const { '@odata.type': _type, ...body } = groupJson(g);
    return project(body, select, GROUP_PROPERTIES);
  });
  return page(req, items, context(req, 'groups', select), dir.maxPageSize);
}

function groupMembers(req: GraphRequest, dir: DirectoryState, key: string, cast: string | undefined): GraphResult {
  const bad = unsupportedOption(req, ['$select', '$top', '$skiptoken']);
  if (bad) return bad;
  if (cast !== undefined && cast !== 'microsoft.graph.user') return notImplemented(req.method, req.decodedPath, req.ids);
  const allowed = cast ? USER_ALL : [...new Set([...USER_ALL, ...GROUP_PROPERTIES])];
  const { select, error } = parseSelect(req, allowed, cast ? 'user' : 'directoryObject');
  if (error) return error;
  const group = dir.findGroup(key);
  if (!group) return graphError(404, 'Request_ResourceNotFound', notFoundMessage(key), req.ids);
  const memberIds = dir.transitiveMemberIds(group);
  const users = dir
    .readUsers()
    .filter((u) => memberIds.has(u.id))
    .map((u) => project({ '@odata.type': '#microsoft.graph.user', ...userJson(u) }, select, DEFAULT_USER_PROPERTIES));
  const groups = cast ? [] : dir.groups.filter((g) => memberIds.has(g.id)).map((g) => project(groupJson(g), select, GROUP_PROPERTIES));
  return page(req, [...users, ...groups], context(req, cast ? 'users' : 'directoryObjects', select), dir.maxPageSize);
}

function getDomain(req: GraphRequest, dir: DirectoryState, key: string): GraphResult {
  const bad = unsupportedOption(req, ['$select']);
  if (bad) return bad;
  const { select, error } = parseSelect(req, DOMAIN_PROPERTIES, 'domain');
  if (error) return error;
  const domain = dir.findDomain(key);
  if (!domain) return graphError(404, 'Request_ResourceNotFound', notFoundMessage(key), req.ids);
  return json(200, { '@odata.context': context(req, 'domains/$entity', select), ...project(domainJson(domain), select, DOMAIN_PROPERTIES) });
}

function listDomains(req: GraphRequest, dir: DirectoryState): GraphResult {
  const bad = unsupportedOption(req, ['$select']);
  if (bad) return bad;
  const { select, error } = parseSelect(req, DOMAIN_PROPERTIES, 'domain');
  if (error) return error;
  return json(200, { '@odata.context': context(req, 'domains', select), value: dir.domains.map((d) => project(domainJson(d), select, DOMAIN_PROPERTIES)) });
}

/** The tenant's sync settings: a collection of one, or 403 without OnPremDirectorySynchronization.Read.All. */
function getOnPremisesSynchronization(req: GraphRequest, dir: DirectoryState): GraphResult {
  const bad = unsupportedOption(req, []);
  if (bad) return bad;
  if (dir.syncSettingsForbidden) return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', req.ids);
  return json(200, {
    '@odata.context': context(req, 'directory/onPremisesSynchronization'),
    value: [
      {
        id: dir.organization.id,
        configuration: { accidentalDeletionPrevention: { synchronizationPreventionType: 'enabledForCount', alertThreshold: 500 }, synchronizationInterval: 'PT30M' },
        features: {
          ...dir.syncFeatures,
          passwordSyncEnabled: true,
          passwordWritebackEnabled: false,
          directoryExtensionsEnabled: false,
          quarantineUponProxyAddressesConflictEnabled: true,
          quarantineUponUpnConflictEnabled: true,
          userWritebackEnabled: false,
          groupWriteBackEnabled: false,
          deviceWritebackEnabled: false,
          unifiedGroupWritebackEnabled: false,
          cloudPasswordPolicyForPasswordSyncedUsersEnabled: false,
          concurrentCredentialUpdateEnabled: false,
          concurrentOrgIdProvisioningEnabled: true,
          fopeConflictResolutionEnabled: false,
          synchronizeUpnForManagedUsersEnabled: true,
          bypassDirSyncOverridesEnabled: false,
          userForcePasswordChangeOnLogonEnabled: false,
        },
      },
    ],
  });
}

function getOrganization(req: GraphRequest, dir: DirectoryState): GraphResult {
  const bad = unsupportedOption(req, ['$select']);
  if (bad) return bad;
  const { select, error } = parseSelect(req, ORG_PROPERTIES, 'organization');
  if (error) return error;
  const org = dir.organization;
  const full: Json = {
    id: org.id,
    displayName: org.displayName,
    tenantType: 'AAD',
    countryLetterCode: 'US',
    createdDateTime: '2017-08-30T12:00:00Z',
    onPremisesSyncEnabled: org.onPremisesSyncEnabled,
    onPremisesLastSyncDateTime: org.onPremisesLastSyncDateTime,
    verifiedDomains: dir.domains.map((d) => ({
      capabilities: 'Email, OfficeCommunicationsOnline',
      isDefault: d.isDefault,
      isInitial: d.isInitial,
      name: d.id,
      type: d.authenticationType,
    })),
  };
  return json(200, { '@odata.context': context(req, 'organization', select), value: [project(full, select, ORG_PROPERTIES)] });
}

// --- PATCH /users/{id} ---------------------------------------------------------------------------

const PATCHABLE = ['onPremisesImmutableId', 'userPrincipalName', 'accountEnabled'];
/** On-prem attributes v1.0 serves read-only; beta lets a cloud-only user's be cleared. */
const READ_ONLY_IN_V1: readonly string[] = CLEARABLE_ON_PREM_ATTRIBUTES.filter((a) => a !== 'onPremisesImmutableId' && a !== 'onPremisesObjectIdentifier');

function patchUser(req: GraphRequest, dir: DirectoryState, key: string): GraphResult {
  const bad = (message: string, code = 'Request_BadRequest'): GraphResult => graphError(400, code, message, req.ids);
  const user = dir.findUser(key); // writes see the current state, not the lagged view
  if (!user) return userNotFound(req, key);
  if (user.onPremisesSyncEnabled === true) return bad(MESSAGES.syncedObject);
  if (dir.isPrivileged(user) && !dir.privilegedRoleGranted) {
    return graphError(403, 'Authorization_RequestDenied', MESSAGES.insufficientPrivileges, req.ids);
  }

  if (req.bodyInvalid || typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
    return bad(MESSAGES.badJson, 'BadRequest');
  }
  const body = req.body as Record<string, unknown>;
  const clearable: readonly string[] = req.version === 'beta' ? CLEARABLE_ON_PREM_ATTRIBUTES : [];
  if (req.version === 'v1.0') {
    const readOnly = Object.keys(body).find((k) => READ_ONLY_IN_V1.includes(k));
    if (readOnly) return bad(MESSAGES.readOnlyProperty(readOnly));
  }
  const unknown = Object.keys(body).find((k) => !PATCHABLE.includes(k) && !clearable.includes(k));
  if (unknown) return notImplemented(req.method, `${req.decodedPath} (property ${unknown})`, req.ids);

  const next: PatchableValues = {};
  for (const attribute of CLEARABLE_ON_PREM_ATTRIBUTES) {
    if (attribute === 'onPremisesImmutableId' || !(attribute in body)) continue;
    // ⚠ beta documents clearing these on cloud-only users; setting a value is not offered.
    if (body[attribute] !== null) return bad(MESSAGES.readOnlyProperty(attribute));
    next[attribute] = null;
  }
  if ('onPremisesImmutableId' in body) {
    const value = body.onPremisesImmutableId;
    // ⚠ Graph docs: '$' and '_' cannot be used. An empty string is refused too: it is what
    // Update-MgUser sends for $null, and it does not clear the value in Entra.
    if (value !== null && (typeof value !== 'string' || value === '' || /[$_]/.test(value))) return bad(MESSAGES.invalidImmutableId);
    next.onPremisesImmutableId = value;
  }
  if ('userPrincipalName' in body) {
    const value = body.userPrincipalName;
    if (typeof value !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(value)) return bad("Invalid value specified for property 'userPrincipalName' of resource 'User'.");
    if (!dir.findDomain(upnDomain(value))?.isVerified) return bad(MESSAGES.invalidUpnDomain);
    next.userPrincipalName = value;
  }
  if ('accountEnabled' in body) {
    if (typeof body.accountEnabled !== 'boolean') return bad("Invalid value specified for property 'accountEnabled' of resource 'User'.");
    next.accountEnabled = body.accountEnabled;
  }

  // A user on a federated UPN must keep an anchor: refuse a PATCH that leaves it without one,
  // unless the same PATCH moves the UPN to a managed domain (Microsoft's workaround).
  const upnAfter = next.userPrincipalName ?? user.userPrincipalName;
  const idAfter = 'onPremisesImmutableId' in next ? next.onPremisesImmutableId : user.onPremisesImmutableId;
  const touchesAnchor = 'onPremisesImmutableId' in next || 'userPrincipalName' in next;
  if (touchesAnchor && idAfter === null && dir.findDomain(upnDomain(upnAfter))?.authenticationType === 'Federated') {
    return bad(MESSAGES.federatedAnchorRequired);
  }

  const others = dir.users.filter((u) => u !== user);
  if (typeof next.onPremisesImmutableId === 'string' && dir.immutableIdTaken(next.onPremisesImmutableId, user)) {
    return bad(MESSAGES.duplicateImmutableId);
  }
  if (next.userPrincipalName !== undefined) {
    const lower = next.userPrincipalName.toLowerCase();
    if (others.some((u) => u.userPrincipalName.toLowerCase() === lower)) return bad(MESSAGES.duplicateUpn);
  }

  dir.applyWrite(user, next, req.ids.requestId);
  return { status: 204, headers: {} };
}

// --- DELETE /users/{id} --------------------------------------------------------------------------

/** Soft-deletes a cloud-mastered user into deleted items (30 days, restorable). */
function deleteUser(req: GraphRequest, dir: DirectoryState, key: string): GraphResult {
  const user = dir.findUser(key);
  if (!user) return userNotFound(req, key);
  // ⚠ exact text: a synced object can only be deleted on-premises (or by leaving sync scope).
  if (user.onPremisesSyncEnabled === true) return graphError(400, 'Request_BadRequest', MESSAGES.syncedObject, req.ids);
  if (dir.isPrivileged(user) && !dir.privilegedRoleGranted) {
    return graphError(403, 'Authorization_RequestDenied', MESSAGES.insufficientPrivileges, req.ids);
  }
  dir.deleteUser(user);
  return { status: 204, headers: {} };
}

/**
 * GET /roleManagement/directory/roleEligibilitySchedules[?$filter=principalId eq '{id}']
 * [&$expand=roleDefinition]: PIM-eligible roles of the tenant or of one user (RoleManagement.Read.Directory).
 */
function listEligibility(req: GraphRequest, dir: DirectoryState): GraphResult {
  const bad = unsupportedOption(req, ['$filter', '$expand', '$select']);
  if (bad) return bad;
  if (dir.rolesIdOnly) {
    // ⚠ Graph's wording for a missing application permission
    return graphError(403, 'AccessDenied', 'Request Authorization failed', req.ids);
  }
  const filter = /^principalId eq '([0-9a-f-]{36})'$/i.exec((req.query.$filter ?? '').trim());
  if (req.query.$filter !== undefined && !filter) {
    return graphError(501, 'NotImplemented', "The sandbox directory only emulates $filter=principalId eq '<object id>' on roleEligibilitySchedules", req.ids);
  }
  const expand = req.query.$expand;
  if (expand !== undefined && expand !== 'roleDefinition') {
    return graphError(501, 'NotImplemented', 'The sandbox directory only emulates $expand=roleDefinition on roleEligibilitySchedules', req.ids);
  }
  const principals = filter ? [dir.findUser(filter[1] ?? '')].filter((u): u is SeedUser => u !== undefined) : dir.users;
  const items = principals.flatMap((user) => dir.eligibleRolesOf(user).map((role) => ({ user, role }))).map(({ user, role }) => ({
    id: `${role.roleTemplateId}-${user.id}`,
    principalId: user.id,
    roleDefinitionId: role.roleTemplateId,
    directoryScopeId: '/',
    memberType: 'Direct',
    status: 'Provisioned',
    scheduleInfo: { startDateTime: '2024-01-01T00:00:00Z', expiration: { type: 'noExpiration' } },
    ...(expand ? { roleDefinition: { id: role.roleTemplateId, displayName: role.displayName, templateId: role.roleTemplateId, isBuiltIn: true } } : {}),
  }));
  return json(200, { '@odata.context': `${req.baseUrl}/v1.0/$metadata#roleManagement/directory/roleEligibilitySchedules`, value: items });
}
