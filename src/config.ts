/**
 * The only reader of process.env. Parses and validates every setting once at start-up and
 * returns a frozen Config, or throws a ConfigError that names each bad variable.
 */
import { AppError } from './errors';

export type BotType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';

export type GraphCredentialConfig =
  | { kind: 'secret'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'certificate'; tenantId: string; clientId: string; certificatePath: string; certificatePassword?: string }
  | { kind: 'managed-identity'; tenantId: string; clientId?: string };

/** Bot Framework cloud settings, passed to botbuilder under their own names (all seven or none). */
export interface BotCloudSettings {
  ToBotFromChannelOpenIdMetadataUrl: string;
  ToBotFromChannelTokenIssuer: string;
  ToBotFromEmulatorOpenIdMetadataUrl: string;
  ToChannelFromBotLoginUrl: string;
  ToChannelFromBotOAuthScope: string;
  OAuthUrl: string;
  CallerId: string;
}

export interface Config {
  port: number;
  /** Host to bind: loopback when inbound auth is off. */
  host: string;
  bot: {
    /** Empty: inbound auth off (local use only). */
    appId: string;
    appPassword: string;
    appType: BotType;
    tenantId: string;
    cloud?: BotCloudSettings;
  };
  graph: {
    /** e.g. https://graph.microsoft.com, without a trailing slash. */
    endpoint: string;
    /** https authority for tokens, or undefined for the public cloud default. */
    authorityHost?: string;
    /** True when the authority is not a Microsoft login host: MSAL must not ask Microsoft about it. */
    disableInstanceDiscovery: boolean;
    credential: GraphCredentialConfig;
  };
  roles: {
    /** Entra object ids allowed to approve (APPROVER_IDS). */
    approverIds: readonly string[];
    /** Entra group whose transitive members may approve (APPROVER_GROUP_ID). */
    approverGroupId?: string;
    /** Entra object ids allowed to request (REQUESTER_IDS). */
    requesterIds: readonly string[];
    /** Entra group whose transitive members may request (REQUESTER_GROUP_ID). */
    requesterGroupId?: string;
    /** Four-eyes: a requester cannot approve their own request. */
    requireSeparateApprover: boolean;
    /** Distinct approvals needed before the change runs. */
    requiredApprovals: number;
  };
  approvals: {
    /** Teams channel id (19:…@thread.tacv2) where approval cards are posted; undefined: approve in place. */
    channelId?: string;
    reminderAfterMs: number;
    requestTtlMs: number;
    /** How often a "Clear when unsynced" request re-checks whether its user is still synced. */
    unsyncCheckIntervalMs: number;
    /** Closed requests older than this are archived by the sweep (REQUEST_RETENTION); the audit keeps them. */
    retentionMs: number;
  };
  /** HMAC key for POST /api/notify; undefined turns the endpoint off. */
  notifySecret?: string;
  storage: {
    /** Azure Blob Storage connection string (Azurite, key-based accounts). */
    connectionString?: string;
    /** Blob endpoint of a storage account reached with the app's @azure/identity credential (shared keys off). */
    accountUrl?: string;
    containerName: string;
  };
  protection: {
    /** Members of this Entra group are never changed unless allowPrivilegedTargets. */
    protectedGroupId?: string;
    allowPrivilegedTargets: boolean;
  };
  /** Chat commands per user per minute. */
  rateLimitPerMinute: number;
  /** How often pending requests are checked for reminders and expiry. */
  sweepIntervalMs: number;
  /** Per-call Graph timeout. */
  graphTimeoutMs: number;
  /** How long an executing request's lease lasts between renewals; once it runs out any instance settles the request. */
  executionLeaseMs: number;
  /** How long the tenant's sync settings (GET /directory/onPremisesSynchronization) are cached (TENANT_FACTS_TTL). */
  tenantFactsTtlMs: number;
  /** Teams tenants whose activities the bot serves. */
  allowedTenantIds: readonly string[];
  /** Cards say "sandbox" when the directory is the local emulator. */
  sandboxMode: boolean;
  /** Where the embedded file storage keeps requests and the audit trail. */
  dataDir: string;
  /** How long to poll for the cleared value before answering "waiting for replication". */
  verifyMaxWaitMs: number;
  /** Card actions answer with a "Working…" card when the change takes longer than this. */
  cardActionDeadlineMs: number;
  /** How long fetching the Bot Framework OpenID metadata (inbound auth's signing keys) may take (AUTH_METADATA_TIMEOUT). */
  authMetadataTimeoutMs: number;
  /** The sync-error watch (WATCH_SYNC_ERRORS, WATCH_INTERVAL ≥ 1 minute). */
  watch: { enabled: boolean; intervalMs: number };
  /** Bulk jobs: at most this many directory writes a minute per process (Graph allows 3,000 per 150 s). */
  bulk: { maxWritesPerMinute: number };
}

export class ConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super('config.invalid', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TENANT_DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;
const MICROSOFT_LOGIN_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.de',
  'login.windows.net',
]);
const CLOUD_KEYS: (keyof BotCloudSettings)[] = [
  'ToBotFromChannelOpenIdMetadataUrl',
  'ToBotFromChannelTokenIssuer',
  'ToBotFromEmulatorOpenIdMetadataUrl',
  'ToChannelFromBotLoginUrl',
  'ToChannelFromBotOAuthScope',
  'OAuthUrl',
  'CallerId',
];

type Env = Record<string, string | undefined>;

/** Parses the environment into a Config; throws ConfigError listing every problem at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const get = (name: string): string => (env[name] ?? '').trim();

  const port = parsePort(get('PORT'), problems);
  const bot = parseBot(get, problems);
  const graph = parseGraph(get, problems);

  const approverIds = parseGuidList('APPROVER_IDS', get('APPROVER_IDS'), problems);
  const requesterIds = parseGuidList('REQUESTER_IDS', get('REQUESTER_IDS'), problems);
  const approverGroupId = parseOptionalGuid('APPROVER_GROUP_ID', get('APPROVER_GROUP_ID'), 'an Entra group object id', problems);
  const requesterGroupId = parseOptionalGuid('REQUESTER_GROUP_ID', get('REQUESTER_GROUP_ID'), 'an Entra group object id', problems);
  const protectedGroupId = parseOptionalGuid('PROTECTED_GROUP_ID', get('PROTECTED_GROUP_ID'), 'an Entra group object id', problems);
  const channelRaw = get('APPROVAL_CHANNEL_ID');
  if (channelRaw && !/^19:[^\s/?#]+@thread\.(tacv2|skype)$/.test(channelRaw)) {
    problems.push(
      `APPROVAL_CHANNEL_ID: "${channelRaw}" is not a Teams channel id; expected 19:…@thread.tacv2 (the channel's id in Teams, not the team's Entra group id)`,
    );
  }
  let allowedTenantIds = parseGuidList('ALLOWED_TENANT_IDS', get('ALLOWED_TENANT_IDS'), problems);
  if (!get('ALLOWED_TENANT_IDS')) {
    const tenant = get('AZURE_TENANT_ID');
    allowedTenantIds = GUID.test(tenant) ? [tenant.toLowerCase()] : [];
    if (tenant && !GUID.test(tenant)) {
      problems.push(
        'ALLOWED_TENANT_IDS: required when AZURE_TENANT_ID is a domain name; set the Teams tenant id(s) (GUIDs, comma-separated)',
      );
    }
  }

  const sandboxMode = parseBool('SANDBOX_MODE', get('SANDBOX_MODE'), false, problems);
  const verifyMaxWaitMs = parseInteger('VERIFY_MAX_WAIT_MS', get('VERIFY_MAX_WAIT_MS'), 1000, 0, 60000, problems);
  const cardActionDeadlineMs = parseInteger(
    'CARD_ACTION_DEADLINE_MS',
    get('CARD_ACTION_DEADLINE_MS'),
    1500,
    100,
    10000,
    problems,
  );

  const roles = {
    approverIds,
    ...(approverGroupId ? { approverGroupId } : {}),
    requesterIds,
    ...(requesterGroupId ? { requesterGroupId } : {}),
    requireSeparateApprover: parseBool('REQUIRE_SEPARATE_APPROVER', get('REQUIRE_SEPARATE_APPROVER'), false, problems),
    requiredApprovals: parseInteger('REQUIRED_APPROVALS', get('REQUIRED_APPROVALS'), 1, 1, 10, problems),
  };
  const approvals = {
    ...(channelRaw ? { channelId: channelRaw } : {}),
    reminderAfterMs: parseDuration('REMINDER_AFTER', get('REMINDER_AFTER'), 4 * HOUR, DURATION_LIMITS.REMINDER_AFTER, problems),
    requestTtlMs: parseDuration('REQUEST_TTL', get('REQUEST_TTL'), 24 * HOUR, DURATION_LIMITS.REQUEST_TTL, problems),
    unsyncCheckIntervalMs: parseDuration('UNSYNC_CHECK_INTERVAL', get('UNSYNC_CHECK_INTERVAL'), 15 * 60_000, DURATION_LIMITS.UNSYNC_CHECK_INTERVAL, problems),
    retentionMs: parseDuration('REQUEST_RETENTION', get('REQUEST_RETENTION'), 90 * DAY, DURATION_LIMITS.REQUEST_RETENTION, problems),
  };
  const notifySecret = get('NOTIFY_SECRET');
  if (notifySecret && notifySecret.length < 16) {
    problems.push('NOTIFY_SECRET: too short; use at least 16 random characters (e.g. openssl rand -hex 32)');
  }
  const connectionString = get('STORAGE_CONNECTION_STRING');
  const accountUrl = parseStorageAccountUrl(get('STORAGE_ACCOUNT_URL'), problems);
  if (connectionString && get('STORAGE_ACCOUNT_URL')) {
    problems.push(
      'STORAGE_CONNECTION_STRING, STORAGE_ACCOUNT_URL: set one of them, not both (the account URL uses the managed identity or Graph credential; the connection string carries its own key)',
    );
  }
  const containerName = get('STORAGE_CONTAINER_NAME') || 'immutable-id-bot';
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(containerName)) {
    problems.push(`STORAGE_CONTAINER_NAME: "${containerName}" is not a valid blob container name (3-63 lower-case letters, digits and single hyphens)`);
  }
  const protection = {
    ...(protectedGroupId ? { protectedGroupId } : {}),
    allowPrivilegedTargets: parseBool('ALLOW_PRIVILEGED_TARGETS', get('ALLOW_PRIVILEGED_TARGETS'), false, problems),
  };
  const rateLimitPerMinute = parseInteger('RATE_LIMIT_PER_MINUTE', get('RATE_LIMIT_PER_MINUTE'), 30, 1, 10000, problems);
  const watch = {
    enabled: parseBool('WATCH_SYNC_ERRORS', get('WATCH_SYNC_ERRORS'), false, problems),
    // Each pass reads every user: more often than once a minute would only burn Graph's read quota.
    intervalMs: parseDuration('WATCH_INTERVAL', get('WATCH_INTERVAL'), HOUR, DURATION_LIMITS.WATCH_INTERVAL, problems),
  };
  // Parsed before the check below, so a bad value stops start-up instead of being replaced silently.
  const sweepIntervalMs = parseDuration('SWEEP_INTERVAL', get('SWEEP_INTERVAL'), 60_000, DURATION_LIMITS.SWEEP_INTERVAL, problems);
  const graphTimeoutMs = parseInteger('GRAPH_TIMEOUT_MS', get('GRAPH_TIMEOUT_MS'), 30_000, 1000, 300_000, problems);
  const executionLeaseMs = parseDuration('EXECUTION_LEASE', get('EXECUTION_LEASE'), 2 * 60_000, DURATION_LIMITS.EXECUTION_LEASE, problems);
  const bulk = { maxWritesPerMinute: parseInteger('BULK_MAX_WRITES_PER_MINUTE', get('BULK_MAX_WRITES_PER_MINUTE'), 1150, 1, 1200, problems) };
  const tenantFactsTtlMs = parseDuration('TENANT_FACTS_TTL', get('TENANT_FACTS_TTL'), HOUR, DURATION_LIMITS.TENANT_FACTS_TTL, problems);
  const authMetadataTimeoutMs = parseDuration('AUTH_METADATA_TIMEOUT', get('AUTH_METADATA_TIMEOUT'), 5_000, DURATION_LIMITS.AUTH_METADATA_TIMEOUT, problems);
  if (problems.length > 0 || !bot || !graph) throw new ConfigError(problems);
  return deepFreeze({
    port,
    host: bot.appId ? '0.0.0.0' : '127.0.0.1',
    bot,
    graph,
    roles,
    approvals,
    ...(notifySecret ? { notifySecret } : {}),
    storage: { ...(connectionString ? { connectionString } : {}), ...(accountUrl ? { accountUrl } : {}), containerName },
    protection,
    rateLimitPerMinute,
    sweepIntervalMs,
    graphTimeoutMs,
    executionLeaseMs,
    tenantFactsTtlMs,
    allowedTenantIds,
    sandboxMode,
    dataDir: get('DATA_DIR') || '.data',
    verifyMaxWaitMs,
    cardActionDeadlineMs,
    authMetadataTimeoutMs,
    watch,
    bulk,
  });
}

function parsePort(raw: string, problems: string[]): number {
  if (!raw) return 3978;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    problems.push(`PORT: "${raw}" is not a TCP port; use a number from 1 to 65535 (default 3978)`);
    return 3978;
  }
  return n;
}

function parseBot(get: (n: string) => string, problems: string[]): Config['bot'] | undefined {
  const appId = get('BOT_ID');
  const appPassword = get('BOT_PASSWORD');
  const tenantId = get('BOT_TENANT_ID');
  // Azure creates no new multi-tenant bots: single tenant is the default (MultiTenant stays for toolkit-made apps).
  const typeRaw = get('BOT_TYPE') || 'SingleTenant';
  const appType = normaliseBotType(typeRaw);
  let ok = true;
  if (!appType) {
    problems.push(`BOT_TYPE: "${typeRaw}" is not one of MultiTenant, SingleTenant, UserAssignedMSI`);
    ok = false;
  }
  if (appId && !GUID.test(appId)) {
    problems.push('BOT_ID: must be the Azure Bot app (client) id, a GUID; leave empty to run locally without inbound auth');
    ok = false;
  }
  if (appId && appType !== 'UserAssignedMSI' && !appPassword) {
    problems.push('BOT_PASSWORD: required when BOT_ID is set (the client secret of the bot\'s Entra app)');
    ok = false;
  }
  if (appId && (appType === 'SingleTenant' || appType === 'UserAssignedMSI') && !GUID.test(tenantId)) {
    problems.push(`BOT_TENANT_ID: required for BOT_TYPE=${appType}; the tenant id (GUID) of the bot's Entra app`);
    ok = false;
  }
  if (tenantId && !GUID.test(tenantId)) {
    problems.push('BOT_TENANT_ID: must be a tenant id (GUID)');
    ok = false;
  }
  const cloud = parseCloudSettings(get, problems);
  if (!ok || !appType || cloud === null) return undefined;
  return { appId, appPassword, appType, tenantId, ...(cloud ? { cloud } : {}) };
}

function normaliseBotType(raw: string): BotType | undefined {
  const lower = raw.toLowerCase();
  if (lower === 'multitenant') return 'MultiTenant';
  if (lower === 'singletenant') return 'SingleTenant';
  if (lower === 'userassignedmsi') return 'UserAssignedMSI';
  return undefined;
}

/** All seven or none: botbuilder treats a partial set as "the rest undefined". Null: invalid. */
function parseCloudSettings(get: (n: string) => string, problems: string[]): BotCloudSettings | undefined | null {
  const present = CLOUD_KEYS.filter((k) => get(k));
  if (present.length === 0) return undefined;
  if (present.length < CLOUD_KEYS.length) {
    const missing = CLOUD_KEYS.filter((k) => !get(k));
    problems.push(
      `${missing.join(', ')}: botbuilder cloud settings must be set all together (set: ${present.join(', ')})`,
    );
    return null;
  }
  return Object.fromEntries(CLOUD_KEYS.map((k) => [k, get(k)])) as unknown as BotCloudSettings;
}

function parseGraph(get: (n: string) => string, problems: string[]): Config['graph'] | undefined {
  let ok = true;
  const endpoint = parseHttpsUrl('GRAPH_ENDPOINT', get('GRAPH_ENDPOINT') || 'https://graph.microsoft.com', problems);
  const authorityRaw = get('AZURE_AUTHORITY_HOST');
  const authorityHost = authorityRaw ? parseHttpsUrl('AZURE_AUTHORITY_HOST', authorityRaw, problems) : undefined;
  if (!endpoint || (authorityRaw && !authorityHost)) ok = false;

  const tenantId = get('AZURE_TENANT_ID');
  const clientId = get('AZURE_CLIENT_ID');
  const clientSecret = get('AZURE_CLIENT_SECRET');
  const certificatePath = get('AZURE_CLIENT_CERTIFICATE_PATH');
  if (!tenantId) {
    problems.push('AZURE_TENANT_ID: required; the Entra tenant id (GUID) whose users the bot manages');
    ok = false;
  } else if (!GUID.test(tenantId) && !TENANT_DOMAIN.test(tenantId)) {
    problems.push(`AZURE_TENANT_ID: "${tenantId}" is neither a tenant id (GUID) nor a domain name`);
    ok = false;
  }
  if (clientId && !GUID.test(clientId)) {
    problems.push('AZURE_CLIENT_ID: must be the app (client) id of the Graph app registration, a GUID');
    ok = false;
  }
  if ((clientSecret || certificatePath) && !clientId) {
    problems.push('AZURE_CLIENT_ID: required with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
    ok = false;
  }
  if (clientSecret && certificatePath) {
    problems.push('AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH: set one of them, not both');
    ok = false;
  }
  if (!ok || !endpoint) return undefined;

  let credential: GraphCredentialConfig;
  if (clientSecret) credential = { kind: 'secret', tenantId, clientId, clientSecret };
  else if (certificatePath) {
    const certificatePassword = get('AZURE_CLIENT_CERTIFICATE_PASSWORD');
    credential = {
      kind: 'certificate',
      tenantId,
      clientId,
      certificatePath,
      ...(certificatePassword ? { certificatePassword } : {}),
    };
  } else credential = { kind: 'managed-identity', tenantId, ...(clientId ? { clientId } : {}) };

  const disableInstanceDiscovery = authorityHost ? !MICROSOFT_LOGIN_HOSTS.has(new URL(authorityHost).hostname) : false;
  return { endpoint, ...(authorityHost ? { authorityHost } : {}), disableInstanceDiscovery, credential };
}

/**
 * STORAGE_ACCOUNT_URL: https://<account>.blob.core.windows.net, or a path-style endpoint
 * (https://host:port/<account>, Azurite). Tokens are never sent over http, and a SAS in the URL
 * would be a secret in configuration, so neither is accepted.
 */
function parseStorageAccountUrl(raw: string, problems: string[]): string | undefined {
  if (!raw) return undefined;
  const example = 'e.g. https://mybotstate.blob.core.windows.net';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`STORAGE_ACCOUNT_URL: "${raw}" is not a URL; expected the account's blob endpoint, ${example}`);
    return undefined;
  }
  if (url.protocol !== 'https:') {
    problems.push(
      `STORAGE_ACCOUNT_URL: must be https (a token is never sent over plain http), got "${url.origin}"; for Azurite over http use STORAGE_CONNECTION_STRING`,
    );
    return undefined;
  }
  if (url.search || url.hash || url.username || url.password) {
    problems.push(
      `STORAGE_ACCOUNT_URL: must be the blob endpoint only, without a SAS token, query or credentials (${example}); access comes from the managed identity`,
    );
    return undefined;
  }
  const segments = url.pathname.split('/').filter(Boolean);
  // Only local endpoints (Azurite) name the account in the path; elsewhere a path is a container.
  const pathStyle = url.hostname === 'localhost' || /^[\d.]+$|^\[/.test(url.hostname);
  if (segments.length > (pathStyle ? 1 : 0)) {
    problems.push(
      `STORAGE_ACCOUNT_URL: "${raw}" names a container or blob; give the account's blob endpoint (${example}) and the container in STORAGE_CONTAINER_NAME`,
    );
    return undefined;
  }
  return `${url.origin}${segments.length === 1 ? `/${segments[0]}` : ''}`;
}

function parseHttpsUrl(name: string, raw: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name}: "${raw}" is not a URL; expected e.g. https://graph.microsoft.com`);
    return undefined;
  }
  if (url.protocol !== 'https:') {
    problems.push(`${name}: must be an https URL (tokens are only sent over https), got "${raw}"`);
    return undefined;
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    problems.push(`${name}: must be a scheme and host only, without a path, e.g. ${url.origin}`);
    return undefined;
  }
  return url.origin;
}

function parseGuidList(name: string, raw: string, problems: string[]): string[] {
  if (!raw) return [];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((s) => !GUID.test(s));
  if (bad.length > 0) {
    problems.push(`${name}: ${bad.map((b) => `"${b}"`).join(', ')} not an Entra object id; expected comma-separated GUIDs`);
  }
  return [...new Set(items.filter((s) => GUID.test(s)).map((s) => s.toLowerCase()))];
}

function parseOptionalGuid(name: string, raw: string, what: string, problems: string[]): string | undefined {
  if (!raw) return undefined;
  if (!GUID.test(raw)) {
    problems.push(`${name}: "${raw}" is not ${what} (a GUID)`);
    return undefined;
  }
  return raw.toLowerCase();
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: HOUR, d: DAY };

/**
 * Bounds of every duration setting: a zero or tiny value would expire every request or spin a
 * timer loop, and Node's timers cannot wait longer than about 24.8 days.
 */
export const DURATION_LIMITS = {
  REMINDER_AFTER: { min: 60_000, max: 30 * DAY },
  REQUEST_TTL: { min: 5 * 60_000, max: 30 * DAY },
  SWEEP_INTERVAL: { min: 5_000, max: HOUR },
  WATCH_INTERVAL: { min: 60_000, max: 7 * DAY },
  TENANT_FACTS_TTL: { min: 60_000, max: DAY },
  /** Each check is one Graph read per waiting request; the sweep runs it at most every SWEEP_INTERVAL anyway. */
  UNSYNC_CHECK_INTERVAL: { min: 1000, max: DAY },
  /** At least an hour, so a card tapped just after its outcome still finds its request; at most ten years. */
  REQUEST_RETENTION: { min: HOUR, max: 3650 * DAY },
  /** Renewed before every write; should outlast one Graph call (GRAPH_TIMEOUT_MS) so a write in flight ends before a take-over. */
  EXECUTION_LEASE: { min: 1000, max: HOUR },
  /** Teams waits about 15 s for an answer: the keys must come well within that. */
  AUTH_METADATA_TIMEOUT: { min: 1000, max: 60_000 },
} as const;

/** Durations like 90s, 30m, 4h, 1d (a bare number is minutes), within [min, max]. */
function parseDuration(name: string, raw: string, fallback: number, limits: { min: number; max: number }, problems: string[]): number {
  if (!raw) return fallback;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i.exec(raw);
  if (!match) {
    problems.push(`${name}: "${raw}" is not a duration; use e.g. 90s, 30m, 4h or 1d`);
    return fallback;
  }
  const ms = Math.round(Number(match[1]) * (UNITS[(match[2] ?? 'm').toLowerCase()] ?? 60_000));
  if (ms < limits.min || ms > limits.max) {
    const side = ms < limits.min ? `is shorter than ${describeDuration(limits.min)}` : `is longer than ${describeDuration(limits.max)}`;
    problems.push(`${name}: "${raw}" ${side}; use a duration from ${describeDuration(limits.min)} to ${describeDuration(limits.max)} (default ${describeDuration(fallback)})`);
    return fallback;
  }
  return ms;
}

/** 60000 -> "1 minute", 86400000 -> "1 day". */
function describeDuration(ms: number): string {
  for (const [unit, size] of [['day', DAY], ['hour', HOUR], ['minute', 60_000], ['second', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}${ms / size === 1 ? '' : 's'}`;
  }
  return `${ms} ms`;
}

function parseBool(name: string, raw: string, fallback: boolean, problems: string[]): boolean {
  if (!raw) return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  problems.push(`${name}: "${raw}" is not true or false`);
  return fallback;
}

function parseInteger(
  name: string,
  raw: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name}: "${raw}" must be a whole number from ${min} to ${max}`);
    return fallback;
  }
  return n;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
