/**
 * The only Graph caller: finds users, reads and writes their on-prem attributes and UPN,
 * deleted users and sync errors. Uses the real Graph JS client; text from chat reaches URLs
 * only through odata.ts.
 */
import type { TokenCredential } from '@azure/identity';
import { Client, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import { classifyGraphFailure, DirectoryError, retryAfterOf, toDirectoryError } from './directory-error';
import { odataStringLiteral, userKeySegment } from './odata';
import { cachedTokenProvider } from './token-cache';
import type {
  DeletedUser,
  DirectoryRoleInfo,
  DirectoryUser,
  DomainAuthenticationType,
  DomainInfo,
  FindUserOptions,
  GroupInfo,
  GroupMembersPage,
  ProvisioningError,
  TenantSync,
  SyncErrorPage,
  UserAttribute,
  UserPatch,
  UserSnapshot,
} from './types';
import type { UserKey } from './user-key';

export const USER_FIELDS = [
  'id',
  'displayName',
  'userPrincipalName',
  'mail',
  'onPremisesImmutableId',
  'onPremisesSyncEnabled',
  'onPremisesLastSyncDateTime',
  'onPremisesUserPrincipalName',
  'accountEnabled',
  'userType',
  'proxyAddresses',
  'onPremisesProvisioningErrors',
] as const;
const SELECT = USER_FIELDS.join(',');
const ROLE_SELECT = 'displayName,roleTemplateId';

/** What the workflow needs from the directory; the sandbox and Graph both sit behind it. */
export interface Directory {
  /**
   * Finds a user by object id, UPN, mail or proxy address, with domain and roles (and the
   * membership of `options.memberOfGroups`), in one round trip when the key is an object id or UPN.
   */
  findUser(key: UserKey, options?: FindUserOptions): Promise<UserSnapshot>;
  /** Reads the current values of these attributes (absent from Graph's answer = null). */
  readUser(userId: string, attributes: readonly UserAttribute[]): Promise<UserPatch>;
  /** One PATCH of the user with these values (null clears); resolves with Graph's request id. */
  updateUser(userId: string, patch: UserPatch): Promise<{ requestId?: string }>;
  /** Live users holding this onPremisesImmutableId (Graph keeps it unique, so 0 or 1). */
  findUsersByImmutableId(immutableId: string): Promise<DirectoryUser[]>;
  /** Soft-deleted users matching the key (object id, mail, or the UPN the user had). */
  findDeletedUsers(key: UserKey): Promise<DeletedUser[]>;
  /** Restores a soft-deleted user. */
  restoreDeletedUser(id: string): Promise<{ requestId?: string }>;
  /** The tenant's domains, with how each authenticates and which is the initial .onmicrosoft.com one. */
  listDomains(): Promise<DomainInfo[]>;
  /** One page of users with onPremisesProvisioningErrors; pass the previous page's nextPage to go on. */
  listSyncErrors(nextPage?: string): Promise<SyncErrorPage>;
  /** Groups whose object id, display name or mail is `nameMailOrId` (0, 1, or several with the same name). */
  findGroups(nameMailOrId: string): Promise<GroupInfo[]>;
  /** One page of a group's transitive user members; pass the previous page's nextPage to go on. */
  listGroupMembers(groupId: string, nextPage?: string): Promise<GroupMembersPage>;
  /** The subset of groupIds the user belongs to, transitively. */
  checkMemberGroups(userId: string, groupIds: string[]): Promise<string[]>;
  /** Users whose display name, given name or surname starts with `name` (case-insensitive), at most `top`. */
  findUsersByName(name: string, top: number): Promise<DirectoryUser[]>;
}

/** Attributes Graph v1.0 can write; any other on-prem attribute is written through beta. */
const V1_WRITABLE: ReadonlySet<UserAttribute> = new Set<UserAttribute>(['onPremisesImmutableId', 'userPrincipalName']);
/** Attributes Graph v1.0 does not return; reading them needs beta. */
const BETA_ONLY_READ: ReadonlySet<UserAttribute> = new Set<UserAttribute>(['onPremisesObjectIdentifier']);
const DELETED_SELECT = 'id,displayName,userPrincipalName,mail,deletedDateTime,onPremisesImmutableId,onPremisesSyncEnabled';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SYNC_ERROR_SELECT = 'id,displayName,userPrincipalName,onPremisesProvisioningErrors';

export interface GraphDirectoryOptions {
  credential: TokenCredential;
  /** https://graph.microsoft.com or a national cloud / sandbox endpoint. */
  endpoint: string;
  /** Per-call timeout. */
  timeoutMs?: number;
  /** Longest Retry-After we wait for inside one call; longer ones surface as "throttled". */
  maxRetryAfterSeconds?: number;
  /** Retries of throttled requests (top level and inside $batch). */
  maxRetries?: number;
  /** How long the tenant's sync settings are kept (they change rarely); default 1 hour. */
  tenantFactsTtlMs?: number;
}

type BatchRequest =
  | { id: string; method: 'GET'; url: string }
  /** Read-only POSTs (checkMemberGroups): Graph's $batch needs the body's content type. */
  | { id: string; method: 'POST'; url: string; body: unknown; headers: { 'Content-Type': 'application/json' } };
interface BatchResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}
interface GraphErrorBody {
  error?: { code?: string; message?: string; innerError?: { 'request-id'?: string } };
}

const PUBLIC_GRAPH_HOSTS = new Set(['graph.microsoft.com']);

/** Microsoft Graph implementation of Directory. */
export class GraphDirectory implements Directory {
  private readonly client: Client;
  private readonly timeoutMs: number;
  private readonly maxRetryAfter: number;
  private readonly maxRetries: number;
  private readonly tenantFactsTtlMs: number;
  /** The tenant's sync settings and when they were read: asked for inside a lookup's $batch only when stale. */
  private tenantSync: { value: TenantSync; at: number } | undefined;

  constructor(options: GraphDirectoryOptions) {
    const endpoint = new URL(options.endpoint);
    const scope = PUBLIC_GRAPH_HOSTS.has(endpoint.hostname)
      ? 'https://graph.microsoft.com/.default'
      : `${endpoint.origin}/.default`;
    this.timeoutMs = options.timeoutMs ?? 15000;
    this.maxRetryAfter = options.maxRetryAfterSeconds ?? 10;
    this.maxRetries = options.maxRetries ?? 3;
    this.tenantFactsTtlMs = options.tenantFactsTtlMs ?? 3_600_000;
    this.client = Client.initWithMiddleware({
      authProvider: { getAccessToken: cachedTokenProvider(options.credential, scope) },
      baseUrl: endpoint.origin,
      // Host names without port: the client attaches the token only to these hosts (and Graph's own).
      customHosts: new Set([endpoint.hostname]),
      defaultVersion: 'v1.0',
    });
  }

  async findUser(key: UserKey, options: FindUserOptions = {}): Promise<UserSnapshot> {
    const groups = options.memberOfGroups ?? [];
    if (key.kind === 'objectId') return this.readSnapshot(key.value, key.value, groups);
    return this.findByAddress(key.value, groups);
  }

  async readUser(userId: string, attributes: readonly UserAttribute[]): Promise<UserPatch> {
    const beta = attributes.some((a) => BETA_ONLY_READ.has(a));
    const user = (await this.call(`GET user ${userId}`, (timeout) =>
      this.client
        .api(`/${userKeySegment(userId)}`)
        .version(beta ? 'beta' : 'v1.0')
        .query({ $select: ['id', ...attributes].join(',') })
        .option('signal', timeout)
        .middlewareOptions([this.retryOptions()])
        .get(),
    )) as Record<string, unknown>;
    const values: UserPatch = {};
    for (const a of attributes) values[a] = typeof user[a] === 'string' ? (user[a] as string) : null;
    return values;
  }

  async updateUser(userId: string, patch: UserPatch): Promise<{ requestId?: string }> {
    const beta = Object.keys(patch).some((a) => !V1_WRITABLE.has(a as UserAttribute));
    return this.send(`PATCH user ${userId}`, 'The user', (timeout) =>
      this.client
        .api(`/${userKeySegment(userId)}`)
        .version(beta ? 'beta' : 'v1.0')
        .option('signal', timeout)
        .middlewareOptions([this.retryOptions()])
        .responseType('raw' as never)
        .patch(patch),
    );
  }

  async findUsersByImmutableId(immutableId: string): Promise<DirectoryUser[]> {
    const result = (await this.call('GET users by immutable id', (timeout) =>
      this.client
        .api(`/users?$filter=onPremisesImmutableId%20eq%20${odataStringLiteral(immutableId)}&$select=${SELECT}`)
        .option('signal', timeout)
        .middlewareOptions([this.retryOptions()])
        .get(),
    )) as { value?: unknown[] };
    return (result.value ?? []).map(toUser);
  }

  async findDeletedUsers(key: UserKey): Promise<DeletedUser[]> {
    const path = '/directory/deletedItems/microsoft.graph.user';
    if (key.kind === 'objectId') {
      try {
        const one = await this.call('GET deleted user', (timeout) =>
          this.client.api(`${path}/${encodeURIComponent(key.value)}?$select=${DELETED_SELECT}`).option('signal', timeout).middlewareOptions([this.retryOptions()]).get(),
        );
        return [toDeletedUser(one)];
      } catch (error) {
        if (error instanceof DirectoryError && error.code === 'directory.user_not_found') return [];
        throw error;
      }
    }
    // A deleted user's UPN carries its id as a prefix: match the end of it, or the mail.
    const lit = odataStringLiteral(key.value);
    const result = (await this.call('GET deleted users', (timeout) =>
      this.client
        .api(`${path}?$filter=mail%20eq%20${lit}%20or%20endswith(userPrincipalName,${lit})&$count=true&$select=${DELETED_SELECT}`)
        .header('ConsistencyLevel', 'eventual')
        .option('signal', timeout)
        .middlewareOptions([this.retryOptions()])
        .get(),
    )) as { value?: unknown[] };
    return (result.value ?? []).map(toDeletedUser);
  }

  async restoreDeletedUser(id: string): Promise<{ requestId?: string }> {
    return this.send(`POST restore ${id}`, 'The deleted user', (timeout) =>
      this.client
        .api(`/directory/deletedItems/${encodeURIComponent(id)}/restore`)
        .option('signal', timeout)
        .middlewareOptions([this.retryOptions()])
        .responseType('raw' as never)
        .post({}),
    );
  }

  async listDomains(): Promise<DomainInfo[]> {
    const result = (await this.call('GET domains', (timeout) =>
      this.client.api('/domains').query({ $select: DOMAIN_SELECT }).option('signal', timeout).middlewareOptions([this.retryOptions()]).get(),
    )) as { value?: unknown[] };
    return (result.value ?? []).map((raw) => {
      const d = (raw ?? {}) as Record<string, unknown>;
      const type = d.authenticationType === 'Managed' || d.authenticationType === 'Federated' ? d.authenticationType : 'Unknown';
      return { id: String(d.id ?? ''), authenticationType: type, isInitial: d.isInitial === true };
    });
  }

  async listSyncErrors(nextPage?: string): Promise<SyncErrorPage> {
    // Graph cannot filter on onPremisesProvisioningErrors: read pages and keep users that have some.
    const url = nextPage ?? `/users?$select=${SYNC_ERROR_SELECT}&$top=999`;
    const result = (await this.call('GET users with sync errors', (timeout) =>
      this.client.api(url).option('signal', timeout).middlewareOptions([this.retryOptions()]).get(),
    )) as { value?: unknown[]; '@odata.nextLink'?: string };
    const users = (result.value ?? []).flatMap((raw) => {
      const u = (raw ?? {}) as Record<string, unknown>;
      const errors = toProvisioningErrors(u.onPremisesProvisioningErrors);
      if (errors.length === 0) return [];
      return [{ id: String(u.id ?? ''), userPrincipalName: String(u.userPrincipalName ?? ''), displayName: typeof u.displayName === 'string' ? u.displayName : null, errors }];
    });
    const next = result['@odata.nextLink'];
    return typeof next === 'string' ? { users, nextPage: next } : { users };
  }

  async findGroups(nameMailOrId: string): Promise<GroupInfo[]> {
    const toGroup = (raw: unknown): GroupInfo => {
      const g = (raw ?? {}) as Record<string, unknown>;
      return { id: String(g.id ?? ''), displayName: typeof g.displayName === 'string' ? g.displayName : '', mail: typeof g.mail === 'string' ? g.mail : null };
    };
    if (GUID.test(nameMailOrId)) {
      try {
        const one = await this.call('GET group', (timeout) =>
          this.client.api(`/groups/${encodeURIComponent(nameMailOrId)}?$select=id,displayName,mail`).option('signal', timeout).middlewareOptions([this.retryOptions()]).get(),
        );
        return [toGroup(one)];
      } catch (error) {
        if (error instanceof DirectoryError && error.code === 'directory.user_not_found') return [];
        throw error;
      }
    }
    const lit = odataStringLiteral(nameMailOrId);
    const result = (await this.call('GET groups by name', (timeout) =>
      this.client
        .api(`/groups?$filter=displayName%20eq%20${lit}%20or%20mail%20eq%20${lit}&$select=id,displayName,mail&$top=10`)
        .option('signal', timeout)
        .middlewareOptions([this.retryOptions()])
        .get(),
    )) as { value?: unknown[] };
    return (result.value ?? []).map(toGroup);
  }

  async listGroupMembers(groupId: string, nextPage?: string): Promise<GroupMembersPage> {
    const url = nextPage ?? `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=id,userPrincipalName&$top=999`;
    const result = (await this.call('GET group members', (timeout) =>
      this.client.api(url).option('signal', timeout).middlewareOptions([this.retryOptions()]).get(),
    )) as { value?: unknown[]; '@odata.nextLink'?: string };
    const users = (result.value ?? []).map((raw) => {
      const u = (raw ?? {}) as Record<string, unknown>;
      return { id: String(u.id ?? ''), userPrincipalName: String(u.userPrincipalName ?? '') };
    });
    const next = result['@odata.nextLink'];
    return typeof next === 'string' ? { users, nextPage: next } : { users };
  }

  async checkMemberGroups(userId: string, groupIds: string[]): Promise<string[]> {
    if (groupIds.length === 0) return [];
    const result = (await this.call(`checkMemberGroups ${userId}`, (timeout) =>
      this.client
        .api(`/${userKeySegment(userId)}/checkMemberGroups`)
        .option('signal', timeout)
        .middlewareOptions([this.retryOptions()])
        .post({ groupIds }),
    )) as { value?: unknown[] };
    return (result.value ?? []).filter((v): v is string => typeof v === 'string');
  }

  /**
   * `startsWith` is a default Graph query (no ConsistencyLevel header, no $count), so it works
   * with the same permission as every other read; `$search` would need the advanced query mode.
   */
  async findUsersByName(name: string, top: number): Promise<DirectoryUser[]> {
    const lit = odataStringLiteral(name);
    const filter = ['displayName', 'givenName', 'surname'].map((p) => `startswith(${p},${lit})`).join('%20or%20');
    // Through $batch like every read, so a throttled search is retried the same way.
    const [response] = await this.batch([{ id: 'byName', method: 'GET', url: `/users?$filter=${filter}&$select=${SELECT}&$top=${top}` }]);
    const found = response as BatchResponse;
    if (found.status !== 200) throw failureOf(found, 'The user search');
    return ((found.body as { value?: unknown[] }).value ?? []).map(toUser);
  }

  /** UPN first; mail and proxy addresses in the same $batch, so a UPN costs one round trip. */
  private async findByAddress(address: string, groups: readonly string[]): Promise<UserSnapshot> {
    const domain = address.slice(address.lastIndexOf('@') + 1);
    const key = userKeySegment(address);
    const lit = (v: string) => odataStringLiteral(v);
    const filter = [
      `mail eq ${lit(address)}`,
      `proxyAddresses/any(p:p eq ${lit(`SMTP:${address}`)})`,
      `proxyAddresses/any(p:p eq ${lit(`smtp:${address}`)})`,
    ].join('%20or%20');
    const responses = await this.batch([
      { id: 'user', method: 'GET', url: `/${key}?$select=${SELECT}` },
      { id: 'domain', method: 'GET', url: `/domains/${encodeURIComponent(domain)}` },
      { id: 'roles', method: 'GET', url: `/${key}/transitiveMemberOf/microsoft.graph.directoryRole?$select=${ROLE_SELECT}` },
      { id: 'byMail', method: 'GET', url: `/users?$filter=${filter.replace(/ /g, '%20')}&$select=${SELECT}&$top=5` },
      // The tenant's PIM eligibility (a short list: the admins) rides along, fresh on every lookup.
      { id: 'eligibleAll', method: 'GET', url: ALL_ELIGIBILITY_URL },
      ...this.tenantSyncRequests(),
      ...memberOfRequests(key, groups),
    ]);
    const tenantSync = this.tenantSyncFrom(responses);
    const userResponse = must(responses, 'user');
    if (userResponse.status === 200) {
      const user = toUser(userResponse.body);
      return {
        user,
        domain: toDomain(domain, must(responses, 'domain')),
        ...combineRoles(must(responses, 'roles'), await this.eligibilityOf(user.id, must(responses, 'eligibleAll'))),
        readAt: new Date().toISOString(),
        tenantSync,
        ...memberOfFrom(responses, groups, `The user ${address}`),
      };
    }
    if (userResponse.status !== 404) throw failureOf(userResponse, `The user ${address}`);

    const byMail = must(responses, 'byMail');
    if (byMail.status !== 200) throw failureOf(byMail, `The user ${address}`);
    const matches = ((byMail.body as { value?: unknown[] }).value ?? []).map(toUser);
    if (matches.length === 0) {
      throw new DirectoryError('directory.user_not_found', `No user has the UPN, mail or proxy address ${address}`, {
        status: 404,
      });
    }
    if (matches.length > 1) {
      throw new DirectoryError(
        'directory.ambiguous',
        `${matches.length} users have the address ${address}: ${matches.map((m) => m.userPrincipalName).join(', ')}`,
      );
    }
    const found = matches[0] as DirectoryUser;
    return this.readSnapshot(found.id, address, groups, found);
  }

  /**
   * Reads a user by id (when not already read), its roles, the tenant's domains (the UPN's domain
   * is not known before the user is read, so the short list of the tenant's domains rides along:
   * one round trip instead of two) and the asked group memberships, in one $batch.
   */
  private async readSnapshot(id: string, asked: string, groups: readonly string[], known?: DirectoryUser): Promise<UserSnapshot> {
    const key = userKeySegment(id);
    const responses = await this.batch([
      ...(known ? [] : [{ id: 'user', method: 'GET' as const, url: `/${key}?$select=${SELECT}` }]),
      { id: 'roles', method: 'GET', url: `/${key}/transitiveMemberOf/microsoft.graph.directoryRole?$select=${ROLE_SELECT}` },
      { id: 'eligibleAll', method: 'GET', url: ALL_ELIGIBILITY_URL },
      { id: 'domains', method: 'GET', url: DOMAINS_URL },
      ...this.tenantSyncRequests(),
      ...memberOfRequests(key, groups),
    ]);
    let user = known;
    if (!user) {
      const r = must(responses, 'user');
      if (r.status !== 200) throw failureOf(r, `The user ${asked}`);
      user = toUser(r.body);
    }
    const domainName = user.userPrincipalName.slice(user.userPrincipalName.lastIndexOf('@') + 1);
    return {
      user,
      domain: await this.domainFrom(domainName, must(responses, 'domains')),
      ...combineRoles(must(responses, 'roles'), await this.eligibilityOf(user.id, must(responses, 'eligibleAll'))),
      readAt: new Date().toISOString(),
      tenantSync: this.tenantSyncFrom(responses),
      ...memberOfFrom(responses, groups, `The user ${asked}`),
    };
  }

  /** The UPN's domain from the tenant's list; asked for by name only when the list is paged and does not have it. */
  private async domainFrom(name: string, list: BatchResponse): Promise<DomainInfo> {
    if (list.status === 200) {
      const found = ((list.body as { value?: unknown[] } | undefined)?.value ?? []).find(
        (d) => typeof (d as { id?: unknown })?.id === 'string' && (d as { id: string }).id.toLowerCase() === name.toLowerCase(),
      );
      if (found) return toDomain(name, { id: 'domain', status: 200, body: found });
      if (!hasNextLink(list)) return { id: name, authenticationType: 'Unknown' };
    }
    const [one] = await this.batch([{ id: 'domain', method: 'GET', url: `/domains/${encodeURIComponent(name)}` }]);
    return toDomain(name, one as BatchResponse);
  }

  /** The tenant sync settings sub-request, only when the cached copy is missing or older than the TTL. */
  private tenantSyncRequests(): BatchRequest[] {
    const fresh = this.tenantSync && Date.now() - this.tenantSync.at < this.tenantFactsTtlMs;
    return fresh ? [] : [{ id: 'tenantSync', method: 'GET', url: '/directory/onPremisesSynchronization' }];
  }

  /** The tenant sync settings from this batch (cached when read or refused), else the cached ones. */
  private tenantSyncFrom(responses: BatchResponse[]): TenantSync {
    const response = responses.find((r) => r.id === 'tenantSync');
    if (!response) return this.tenantSync?.value ?? { kind: 'unknown' };
    const value = toTenantSync(response);
    if (value.kind !== 'unknown') this.tenantSync = { value, at: Date.now() };
    return value;
  }

  /**
   * A user's PIM-eligible roles from the tenant-wide list read in the same batch; asked for by
   * object id only when that list is paged (a large tenant) or failed for another reason than permission.
   */
  private async eligibilityOf(userId: string, tenantWide: BatchResponse): Promise<Eligibility> {
    const all = toEligibility(tenantWide);
    if (all.kind === 'missing-permission') return all;
    if (all.kind === 'roles' && !hasNextLink(tenantWide)) {
      return { kind: 'roles', byPrincipal: new Map([[userId.toLowerCase(), all.byPrincipal.get(userId.toLowerCase()) ?? []]]) };
    }
    const [own] = await this.batch([eligibilityRequest(userId)]);
    return toEligibility(own as BatchResponse);
  }

  /** POST /$batch, re-sending throttled sub-requests after their Retry-After (the SDK does not). */
  private async batch(requests: BatchRequest[]): Promise<BatchResponse[]> {
    const done = new Map<string, BatchResponse>();
    let pending = requests;
    for (let attempt = 0; ; attempt++) {
      const result = (await this.call('POST $batch', (timeout) =>
        this.client
          .api('/$batch')
          .option('signal', timeout)
          .middlewareOptions([this.retryOptions()])
          .post({ requests: pending }),
      )) as { responses?: BatchResponse[] };
      const responses = result.responses ?? [];
      for (const r of responses) done.set(r.id, r);
      const throttled = responses.filter((r) => [429, 503, 504].includes(r.status));
      if (throttled.length === 0 || attempt >= this.maxRetries) break;
      const wait = Math.max(...throttled.map((r) => retryAfterOf(r.headers) ?? 2 ** attempt));
      if (wait > this.maxRetryAfter) break;
      await sleep(wait * 1000);
      const again = new Set(throttled.map((r) => r.id));
      pending = requests.filter((r) => again.has(r.id));
    }
    return requests.map(
      (r) => done.get(r.id) ?? { id: r.id, status: 500, body: { error: { code: 'MissingBatchResponse' } } },
    );
  }

  /** A write whose raw response is checked here (the SDK does not throw for raw responses). */
  private async send(what: string, subject: string, run: (signal: AbortSignal) => Promise<unknown>): Promise<{ requestId?: string }> {
    const response = (await this.call(what, run)) as Response | undefined;
    if (response && typeof response.status === 'number' && !response.ok) {
      const body = (await response.json().catch(() => ({}))) as GraphErrorBody;
      throw classifyGraphFailure(response.status, body.error?.code, {
        what: subject,
        ...(requestIdOf(response.headers, body) ? { requestId: requestIdOf(response.headers, body) } : {}),
        ...(retryAfterOf(response.headers) !== undefined ? { retryAfterSeconds: retryAfterOf(response.headers) } : {}),
        ...(body.error?.message ? { graphMessage: body.error.message } : {}),
      });
    }
    const requestId = response?.headers?.get?.('request-id') ?? undefined;
    return requestId ? { requestId } : {};
  }

  private retryOptions(): RetryHandlerOptions {
    const maxRetryAfter = this.maxRetryAfter;
    return new RetryHandlerOptions(1, this.maxRetries, (_delay, _attempt, _request, _options, response) => {
      const wait = retryAfterOf(response.headers);
      return wait === undefined || wait <= maxRetryAfter;
    });
  }

  /** Runs one Graph call with a timeout, mapping every failure to a DirectoryError. */
  private async call<T>(what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await run(AbortSignal.timeout(this.timeoutMs));
    } catch (error) {
      throw toDirectoryError(error, what.startsWith('PATCH') || what.startsWith('GET user ') ? 'The user' : what);
    }
  }
}

const DOMAIN_SELECT = 'id,authenticationType,isInitial';
/** The tenant's domains (a short list), read with a user whose UPN's domain is not known yet. */
const DOMAINS_URL = `/domains?$select=${DOMAIN_SELECT}`;

/** checkMemberGroups as a $batch sub-request (a read, though a POST). */
function memberOfRequests(key: string, groups: readonly string[]): BatchRequest[] {
  if (groups.length === 0) return [];
  return [{ id: 'memberOf', method: 'POST', url: `/${key}/checkMemberGroups`, body: { groupIds: groups }, headers: { 'Content-Type': 'application/json' } }];
}

/** The asked groups the user is in; a failed check fails the read (protection must not be guessed). */
function memberOfFrom(responses: BatchResponse[], groups: readonly string[], what: string): Pick<UserSnapshot, 'memberOfGroups'> {
  if (groups.length === 0) return {};
  const response = must(responses, 'memberOf');
  if (response.status !== 200) throw failureOf(response, what);
  const value = ((response.body ?? {}) as { value?: unknown[] }).value ?? [];
  return { memberOfGroups: value.filter((v): v is string => typeof v === 'string') };
}

function must(responses: BatchResponse[], id: string): BatchResponse {
  return responses.find((r) => r.id === id) ?? { id, status: 500 };
}

function failureOf(response: BatchResponse, what: string): DirectoryError {
  const body = (response.body ?? {}) as GraphErrorBody;
  const requestId = requestIdOf(undefined, body) ?? response.headers?.['request-id'];
  const retryAfter = retryAfterOf(response.headers);
  return classifyGraphFailure(response.status, body.error?.code, {
    what,
    ...(requestId ? { requestId } : {}),
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    ...(body.error?.message ? { graphMessage: body.error.message } : {}),
  });
}

function requestIdOf(headers: Headers | undefined, body: GraphErrorBody): string | undefined {
  return headers?.get('request-id') ?? body.error?.innerError?.['request-id'] ?? undefined;
}

function toUser(raw: unknown): DirectoryUser {
  const u = (raw ?? {}) as Record<string, unknown>;
  const str = (k: string): string | null => (typeof u[k] === 'string' ? (u[k] as string) : null);
  const bool = (k: string): boolean | null => (typeof u[k] === 'boolean' ? (u[k] as boolean) : null);
  return {
    id: str('id') ?? '',
    displayName: str('displayName'),
    userPrincipalName: str('userPrincipalName') ?? '',
    mail: str('mail'),
    onPremisesImmutableId: str('onPremisesImmutableId'),
    onPremisesSyncEnabled: bool('onPremisesSyncEnabled'),
    onPremisesLastSyncDateTime: str('onPremisesLastSyncDateTime'),
    onPremisesUserPrincipalName: str('onPremisesUserPrincipalName'),
    accountEnabled: bool('accountEnabled'),
    userType: str('userType'),
    proxyAddresses: Array.isArray(u.proxyAddresses) ? u.proxyAddresses.filter((p): p is string => typeof p === 'string') : [],
    onPremisesProvisioningErrors: toProvisioningErrors(u.onPremisesProvisioningErrors),
  };
}

function toDeletedUser(raw: unknown): DeletedUser {
  const u = (raw ?? {}) as Record<string, unknown>;
  const str = (k: string): string | null => (typeof u[k] === 'string' ? (u[k] as string) : null);
  return {
    id: str('id') ?? '',
    displayName: str('displayName'),
    userPrincipalName: str('userPrincipalName') ?? '',
    mail: str('mail'),
    deletedDateTime: str('deletedDateTime'),
    onPremisesImmutableId: str('onPremisesImmutableId'),
    onPremisesSyncEnabled: typeof u.onPremisesSyncEnabled === 'boolean' ? u.onPremisesSyncEnabled : null,
  };
}

function toTenantSync(response: BatchResponse): TenantSync {
  if (response.status === 403) return { kind: 'forbidden' };
  if (response.status !== 200) return { kind: 'unknown' };
  const first = (((response.body ?? {}) as { value?: unknown[] }).value ?? [])[0] as { features?: Record<string, unknown> } | undefined;
  const f = first?.features;
  if (!f) return { kind: 'unknown' };
  return {
    kind: 'read',
    flags: {
      blockSoftMatchEnabled: f.blockSoftMatchEnabled === true,
      blockCloudObjectTakeoverThroughHardMatchEnabled: f.blockCloudObjectTakeoverThroughHardMatchEnabled === true,
      softMatchOnUpnEnabled: f.softMatchOnUpnEnabled === true,
    },
  };
}

function toProvisioningErrors(raw: unknown): ProvisioningError[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((e) => {
    const r = (e ?? {}) as Record<string, unknown>;
    if (typeof r.propertyCausingError !== 'string' || typeof r.value !== 'string') return [];
    return [
      {
        category: typeof r.category === 'string' ? r.category : 'PropertyConflict',
        occurredDateTime: typeof r.occurredDateTime === 'string' ? r.occurredDateTime : null,
        propertyCausingError: r.propertyCausingError,
        value: r.value,
      },
    ];
  });
}

function toDomain(name: string, response: BatchResponse): DomainInfo {
  if (response.status !== 200) return { id: name, authenticationType: 'Unknown' };
  const raw = (response.body ?? {}) as { id?: string; authenticationType?: string };
  const type: DomainAuthenticationType =
    raw.authenticationType === 'Managed' || raw.authenticationType === 'Federated' ? raw.authenticationType : 'Unknown';
  return { id: raw.id ?? name, authenticationType: type };
}

/** PIM-eligible roles of one user (RoleManagement.Read.Directory). */
function eligibilityRequest(userId: string): BatchRequest {
  const filter = `principalId%20eq%20${odataStringLiteral(userId)}`;
  return { id: 'eligible', method: 'GET', url: `/roleManagement/directory/roleEligibilitySchedules?$filter=${filter}&$expand=roleDefinition` };
}

/** Every PIM-eligible assignment of the tenant (usually a few dozen: the admins). */
const ALL_ELIGIBILITY_URL = '/roleManagement/directory/roleEligibilitySchedules?$expand=roleDefinition';

type Eligibility = { kind: 'roles'; byPrincipal: Map<string, DirectoryRoleInfo[]> } | { kind: 'missing-permission' } | { kind: 'read-failed' };

const hasNextLink = (response: BatchResponse): boolean =>
  typeof ((response.body ?? {}) as Record<string, unknown>)['@odata.nextLink'] === 'string';

function toEligibility(response: BatchResponse): Eligibility {
  if (response.status !== 200) return { kind: isForbidden(response) ? 'missing-permission' : 'read-failed' };
  const value = ((response.body ?? {}) as { value?: Array<Record<string, unknown>> }).value ?? [];
  const byPrincipal = new Map<string, DirectoryRoleInfo[]>();
  for (const e of value) {
    const principal = typeof e.principalId === 'string' ? e.principalId.toLowerCase() : '';
    const definition = (e.roleDefinition ?? {}) as Record<string, unknown>;
    const templateId = typeof definition.templateId === 'string' ? definition.templateId : typeof e.roleDefinitionId === 'string' ? e.roleDefinitionId : null;
    const role: DirectoryRoleInfo = { displayName: typeof definition.displayName === 'string' ? definition.displayName : 'Unknown role', roleTemplateId: templateId, eligible: true };
    byPrincipal.set(principal, [...(byPrincipal.get(principal) ?? []), role]);
  }
  return { kind: 'roles', byPrincipal };
}

/**
 * Active and eligible roles together. Fails closed: when either cannot be read the roles are
 * unknown (null), and the problem says whether a permission is missing.
 */
function combineRoles(active: BatchResponse, eligible: Eligibility): Pick<UserSnapshot, 'roles' | 'rolesProblem'> {
  const roles = toRoles(active);
  if (roles === null) return { roles: null, rolesProblem: isForbidden(active) ? 'missing-permission' : 'read-failed' };
  if (eligible.kind !== 'roles') return { roles: null, rolesProblem: eligible.kind };
  const all = [...roles, ...[...eligible.byPrincipal.values()].flat()];
  // Role objects with only an id: Graph hides the details from an app without the permission.
  return all.some((r) => r.roleTemplateId === null) ? { roles: all, rolesProblem: 'missing-permission' } : { roles: all };
}

const isForbidden = (response: BatchResponse): boolean => response.status === 401 || response.status === 403;

function toRoles(response: BatchResponse): DirectoryRoleInfo[] | null {
  if (response.status !== 200) return null;
  const value = ((response.body ?? {}) as { value?: Array<Record<string, unknown>> }).value ?? [];
  return value.map((r) => ({
    displayName: typeof r.displayName === 'string' ? r.displayName : 'Unknown role',
    roleTemplateId: typeof r.roleTemplateId === 'string' ? r.roleTemplateId : null,
  }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
