/**
 * Bounds botbuilder's fetch of the Bot Framework OpenID metadata and signing keys, and records how
 * it went for /healthz.
 *
 * Why: botframework-connector's OpenIdMetadata fetches ToBotFromChannelOpenIdMetadataUrl (and its
 * jwks_uri) with node-fetch and no timeout, once per request while its keys are stale. A metadata
 * host that never answers would hold every inbound request open (and pile up sockets) instead of
 * refusing it. botbuilder has no hook for this fetch, so its refreshCache is replaced here, once
 * per process, by one that: gives up after the timeout; shares one refresh between concurrent
 * requests; keeps using keys it already has when a refresh fails (keys rotate slowly); and records
 * each outcome per metadata URL.
 */
import { createRequire } from 'node:module';
import { AuthenticationConstants, AuthenticationError } from 'botframework-connector';

export interface MetadataStatus {
  status: 'ok' | 'failing';
  /** What failed (no secrets: a status code or a network error's name and code). */
  error?: string;
  /** When the last attempt ended. */
  at: string;
}

/** After a failed refresh, keys already loaded are used this long before the next attempt. */
const RETRY_AFTER_MS = 60_000;

interface OpenIdMetadataInternals {
  url: string;
  tokenRefreshInterval: number;
  proxySettings?: { host: string; port: number };
  lastUpdated: number;
  keys?: unknown[];
  refreshing?: Promise<void>;
}

type NodeFetch = (url: string, init?: Record<string, unknown>) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

const statuses = new Map<string, MetadataStatus>();
let timeoutMs = 5_000;
let installed = false;

/** The last outcome of fetching this metadata URL in this process; undefined before the first attempt. */
export function metadataStatus(url: string): MetadataStatus | undefined {
  return statuses.get(url);
}

/** Installs the bounded fetch (idempotent); the latest timeout applies to every later refresh. */
export function boundOpenIdMetadataFetch(options: { timeoutMs: number }): void {
  timeoutMs = options.timeoutMs;
  if (installed) return;
  const load = connectorRequire();
  const { OpenIdMetadata } = load('./auth/openIdMetadata') as { OpenIdMetadata: { prototype: Record<string, unknown> } };
  // The very node-fetch (and proxy agent) botframework-connector uses, so proxies and CA settings behave the same.
  const fetch = load('node-fetch') as NodeFetch;
  const { HttpsProxyAgent } = load('https-proxy-agent') as { HttpsProxyAgent: new (url: string) => unknown };
  OpenIdMetadata.prototype.refreshCache = function refreshCache(this: OpenIdMetadataInternals): Promise<void> {
    this.refreshing ??= refresh(this, fetch, HttpsProxyAgent).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  };
  installed = true;
}

async function refresh(metadata: OpenIdMetadataInternals, fetch: NodeFetch, ProxyAgent: new (url: string) => unknown): Promise<void> {
  const agent = metadata.proxySettings ? new ProxyAgent(`http://${metadata.proxySettings.host}:${metadata.proxySettings.port}`) : undefined;
  const signal = AbortSignal.timeout(timeoutMs);
  const getJson = async (url: string, what: string): Promise<unknown> => {
    const response = await fetch(url, { agent, signal });
    if (!response.ok) throw new AuthenticationError(`Failed to load ${what}: ${response.status}`, 500);
    return response.json();
  };
  try {
    const config = (await getJson(metadata.url, 'openID config')) as { jwks_uri?: unknown };
    if (typeof config.jwks_uri !== 'string') throw new AuthenticationError('Failed to load openID config: no jwks_uri', 500);
    const keys = (await getJson(config.jwks_uri, 'Keys')) as { keys?: unknown };
    if (!Array.isArray(keys.keys)) throw new AuthenticationError('Failed to load Keys: no keys', 500);
    metadata.keys = keys.keys;
    metadata.lastUpdated = Date.now();
    statuses.set(metadata.url, { status: 'ok', at: new Date().toISOString() });
  } catch (error) {
    const described = describe(error);
    statuses.set(metadata.url, { status: 'failing', error: described, at: new Date().toISOString() });
    // Keys already loaded still verify tokens; only a bot that has none must refuse (the caller answers 401).
    if (metadata.keys && metadata.keys.length > 0) {
      metadata.lastUpdated = Date.now() - metadata.tokenRefreshInterval * 3600_000 + RETRY_AFTER_MS;
      return;
    }
    throw error instanceof AuthenticationError ? error : new AuthenticationError(`Failed to load openID metadata: ${described}`, 500);
  }
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string; type?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || e?.type === 'aborted') return `no answer within ${timeoutMs} ms`;
  if (error instanceof AuthenticationError) return error.message;
  return [e?.name ?? 'Error', e?.code].filter(Boolean).join(' ');
}

/** The channel metadata URL botbuilder uses for Teams tokens: the configured cloud's, else the public one. */
export function channelMetadataUrl(cloud: { ToBotFromChannelOpenIdMetadataUrl: string } | undefined): string {
  return cloud?.ToBotFromChannelOpenIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl;
}

/**
 * Loads the channel's signing keys now, through botbuilder's own cache, so a metadata failure shows
 * in /healthz before the first message does; resolves with the outcome (never throws).
 */
export async function warmOpenIdMetadata(url: string): Promise<MetadataStatus | undefined> {
  // Not exported by the package: its cache is what token checks use, so warming it here is what counts.
  const { JwtTokenExtractor: extractor } = connectorRequire()('./auth/jwtTokenExtractor') as {
    JwtTokenExtractor: { getOrAddOpenIdMetadata(url: string, proxy: undefined, hours: number): { getKey(kid: string): Promise<unknown> } };
  };
  await extractor.getOrAddOpenIdMetadata(url, undefined, 24).getKey('').catch(() => undefined);
  return metadataStatus(url);
}

/** require() as botframework-connector's own files see it (its internals and its copies of node-fetch and the proxy agent). */
function connectorRequire(): NodeJS.Require {
  return createRequire(require.resolve('botframework-connector'));
}

export interface InboundAuthHealth {
  ok: boolean;
  /** off: no BOT_ID, tokens are not checked (local use). */
  status: 'off' | 'ok' | 'failing' | 'not checked yet';
  metadataUrl?: string;
  error?: string;
  at?: string;
}

/** What /healthz says of inbound auth: whether the signing keys could be fetched, last time it was tried. */
export function inboundAuthHealth(bot: { appId: string; cloud?: { ToBotFromChannelOpenIdMetadataUrl: string } }): InboundAuthHealth {
  if (!bot.appId) return { ok: true, status: 'off' };
  const metadataUrl = channelMetadataUrl(bot.cloud);
  const last = metadataStatus(metadataUrl);
  if (!last) return { ok: true, status: 'not checked yet', metadataUrl };
  return { ok: last.status === 'ok', status: last.status, metadataUrl, ...(last.error ? { error: last.error } : {}), at: last.at };
}
