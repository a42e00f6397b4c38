/**
 * Entra ID token emulation: exactly what MSAL (@azure/identity) needs from a local authority
 * (OpenID metadata on the same host, a client-credentials token endpoint), plus the access-token
 * check the emulated Graph applies. Tokens are HS256 JWTs signed with a per-sandbox random key,
 * so they are useless anywhere else.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'crypto';
import type { SeedApp } from './seed';

/** Graph's application id; `<id>/.default` is a valid Graph scope too. */
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const GRAPH_RESOURCE = 'https://graph.microsoft.com';
/** Azure Storage's resource: the bot asks for it with STORAGE_ACCOUNT_URL (Azurite checks it with --oauth basic). */
const STORAGE_RESOURCE = 'https://storage.azure.com';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
/** Application permissions granted to the bot's app (admin-consented). */
export const GRANTED_APP_ROLES = ['User.ReadWrite.All', 'Domain.Read.All', 'GroupMember.Read.All', 'RoleManagement.Read.Directory'];

export interface TokenContext {
  /** https://127.0.0.1:PORT: authority host and Graph base at once. */
  baseUrl: string;
  tenantId: string;
  tenantDisplayName: string;
  /** Verified domain names, which also address the tenant (login.microsoftonline.com/contoso.com). */
  tenantDomains: string[];
  app: SeedApp;
  lifetimeSeconds: number;
  signingKey: Buffer;
}

export interface EntraResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** The client authenticated (token issued). */
  authorized: boolean;
}

export interface AccessTokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  roles: string[];
  exp: number;
  nbf: number;
  iat: number;
  [claim: string]: unknown;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function sign(payload: object, key: Buffer): string {
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'sandbox-directory' }));
  const body = b64url(JSON.stringify(payload));
  const mac = createHmac('sha256', key).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${mac}`;
}

/** Decodes a JWT's payload without checking its signature; null when not a well-formed JWT. */
function decodeJwtPayload(token: string): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) return null;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8'));
    const payload: unknown = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
    if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null) return null;
    return payload as Record<string, unknown>;
  } catch {
    return null;
  }
}

export type TokenCheck = { ok: true; claims: AccessTokenClaims } | { ok: false; message: 'invalid' | 'audience' | 'expired' };

/** Audiences the emulated Graph accepts: Graph's own (URL or app id) and the sandbox URL. */
export function graphAudiences(baseUrl: string): string[] {
  return [GRAPH_RESOURCE, `${GRAPH_RESOURCE}/`, GRAPH_APP_ID, baseUrl, `${baseUrl}/`];
}

export function verifyAccessToken(token: string, ctx: TokenContext): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, message: 'invalid' };
  const expected = createHmac('sha256', ctx.signingKey).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2] ?? '', 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, message: 'invalid' };
  const payload = decodeJwtPayload(token);
  if (!payload || payload.tid !== ctx.tenantId || typeof payload.exp !== 'number') return { ok: false, message: 'invalid' };
  if (!graphAudiences(ctx.baseUrl).includes(String(payload.aud))) return { ok: false, message: 'audience' };
  if (payload.exp * 1000 <= Date.now()) return { ok: false, message: 'expired' };
  return { ok: true, claims: payload as AccessTokenClaims };
}

// ---------------------------------------------------------------------------------------------
// Entra error bodies

const entraTimestamp = (): string => new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');

function entraError(status: number, error: string, code: number, text: string, correlationId: string): EntraResult {
  const traceId = randomUUID();
  const timestamp = entraTimestamp();
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    authorized: false,
    body: {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

/** Entra-shaped answer for an injected fault on an Entra path. ⚠ codes/texts approximate. */
export function entraFaultError(status: number, retryAfterSeconds: number | undefined, correlationId: string): EntraResult {
  const result =
    status === 500
      ? entraError(500, 'server_error', 90033, 'A transient error has occurred. Please try again.', correlationId)
      : entraError(status, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.', correlationId);
  if (retryAfterSeconds !== undefined && status !== 500) result.headers['Retry-After'] = String(retryAfterSeconds);
  return result;
}

const ok = (body: unknown): EntraResult => ({
  status: 200,
  headers: { 'Content-Type': 'application/json; charset=utf-8' },
  body,
  authorized: false,
});

// ---------------------------------------------------------------------------------------------
// Routes

function resolveTenant(name: string, ctx: TokenContext): boolean {
  const lower = name.toLowerCase();
  return lower === ctx.tenantId.toLowerCase() || ctx.tenantDomains.some((d) => d.toLowerCase() === lower);
}

function unknownTenant(tenant: string, correlationId: string): EntraResult {
  return entraError(
    400,
    'invalid_tenant',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    correlationId,
  );
}

function openIdConfiguration(ctx: TokenContext): unknown {
  const t = `${ctx.baseUrl}/${ctx.tenantId}`;
  return {
    token_endpoint: `${t}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${t}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${t}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${ctx.baseUrl}/oidc/userinfo`,
    authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${t}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${t}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'tid', 'ver', 'oid'],
    tenant_region_scope: 'NA',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

interface TokenRequest {
  fields: Record<string, string>;
  /** Authorization: Basic, decoded (client_secret_basic). */
  basic?: { clientId: string; secret: string };
}

function issueToken(tenant: string, req: TokenRequest, ctx: TokenContext, correlationId: string): EntraResult {
  const f = req.fields;
  if (!resolveTenant(tenant, ctx)) return unknownTenant(tenant, correlationId);
  const missing = (name: string): EntraResult =>
    entraError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`, correlationId);
  const grantType = f.grant_type;
  if (!grantType) return missing('grant_type');
  if (grantType !== 'client_credentials') {
    return entraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`, correlationId);
  }
  const clientId = f.client_id ?? req.basic?.clientId;
  if (!clientId) return missing('client_id');
  if (clientId.toLowerCase() !== ctx.app.clientId.toLowerCase()) {
    return entraError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${ctx.tenantDisplayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      correlationId,
    );
  }

  // Credentials: a secret, or a certificate-signed client assertion.
  let appidacr: '1' | '2';
  const secret = f.client_secret ?? req.basic?.secret;
  if (secret !== undefined) {
    if (secret !== ctx.app.clientSecret) {
      return entraError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${ctx.app.clientId}'.`,
        correlationId,
      );
    }
    appidacr = '1';
  } else if (f.client_assertion !== undefined) {
    if (f.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') return missing('client_assertion_type');
    // The sandbox has no registered certificate, so it does NOT verify the assertion's
    // signature: any well-formed JWT whose iss and sub are the client id is accepted.
    const claims = decodeJwtPayload(f.client_assertion);
    const expired = typeof claims?.exp === 'number' && claims.exp * 1000 <= Date.now();
    if (!claims || claims.iss !== clientId || claims.sub !== clientId || expired) {
      return entraError(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.', correlationId);
    }
    appidacr = '2';
  } else {
    return entraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", correlationId);
  }

  const scopes = (f.scope ?? '').split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s));
  if (scopes.length === 0) return missing('scope');
  const scope = scopes[0] ?? '';
  if (scopes.length > 1 || !scope.endsWith('/.default')) {
    return entraError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${f.scope ?? ''} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      correlationId,
    );
  }
  const resource = scope.slice(0, -'/.default'.length);
  if (!graphAudiences(ctx.baseUrl).includes(resource) && resource !== STORAGE_RESOURCE) {
    return entraError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${ctx.tenantDisplayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      correlationId,
    );
  }

  const now = Math.floor(Date.now() / 1000);
  const claims: AccessTokenClaims = {
    aud: resource,
    iss: `https://sts.windows.net/${ctx.tenantId}/`,
    iat: now,
    nbf: now,
    exp: now + ctx.lifetimeSeconds,
    appid: ctx.app.clientId,
    appidacr,
    app_displayname: ctx.app.displayName,
    idp: `https://sts.windows.net/${ctx.tenantId}/`,
    idtyp: 'app',
    oid: ctx.app.servicePrincipalId,
    sub: ctx.app.servicePrincipalId,
    roles: [...GRANTED_APP_ROLES],
    tid: ctx.tenantId,
    uti: randomUUID().replace(/-/g, ''),
    ver: '1.0',
  };
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' },
    authorized: true,
    body: {
      token_type: 'Bearer',
      expires_in: ctx.lifetimeSeconds,
      ext_expires_in: ctx.lifetimeSeconds,
      access_token: sign(claims, ctx.signingKey),
    },
  };
}

/**
 * Handles the Entra routes; undefined when `segments` is not one of them.
 * `segments`: the decoded path split on '/', without the leading empty one.
 */
export function handleEntraRequest(
  method: string,
  segments: string[],
  req: TokenRequest,
  ctx: TokenContext,
  correlationId: string,
): EntraResult | undefined {
  const [tenant = '', ...rest] = segments;
  const route = rest.join('/');
  if (method === 'GET' && route === 'discovery/instance') {
    const host = new URL(ctx.baseUrl).host;
    return ok({
      tenant_discovery_endpoint: `${ctx.baseUrl}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }
  if (method === 'GET' && route === 'v2.0/.well-known/openid-configuration') {
    return resolveTenant(tenant, ctx) ? ok(openIdConfiguration(ctx)) : unknownTenant(tenant, correlationId);
  }
  if (method === 'GET' && route === 'discovery/v2.0/keys') {
    // Tokens are HS256 with a private key: there is no public key to publish.
    return ok({ keys: [] });
  }
  if (method === 'POST' && route === 'oauth2/v2.0/token') return issueToken(tenant, req, ctx, correlationId);
  return undefined;
}
