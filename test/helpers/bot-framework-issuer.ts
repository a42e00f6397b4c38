/**
 * A local stand-in for the Bot Framework token services, over HTTPS with the sandbox certificate:
 *
 * - the channel's OpenID metadata + JWKS (what `ToBotFromChannelOpenIdMetadataUrl` points at),
 *   keys endorsed for `msteams`, and `sign()` to mint the tokens Teams would send the bot;
 * - a separate emulator/skill key set (`ToBotFromEmulatorOpenIdMetadataUrl`), like Entra's in real life;
 * - the bot's login endpoint (`ToChannelFromBotLoginUrl`): MSAL's OpenID configuration and a
 *   client_credentials token endpoint that checks the bot's id and secret, for outbound replies.
 *
 * Keys are RS256 from node:crypto. Nothing here is secret; everything is local to one test file.
 */
import { createHmac, generateKeyPairSync, KeyObject, randomBytes, randomUUID, sign as rsaSign } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSandboxTls } from '../../src/sandbox';

/** A bot app id (GUID) and secret the issuer accepts by default. Not secrets: local test values. */
export const TEST_BOT_ID = 'b07b07b0-0000-4000-8000-00000000b071';
export const TEST_BOT_PASSWORD = 'local-issuer-test-password';
/** Tenant of the test bot's app: BOT_TYPE defaults to SingleTenant, which needs it. */
export const TEST_BOT_TENANT_ID = 'b07b07b0-0000-4000-8000-0000000074e1';
/** What Teams puts in `iss`, and what the bot asks tokens for (as in the public cloud). */
export const BOT_FRAMEWORK_TOKEN_ISSUER = 'https://api.botframework.com';
export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com/.default';
/** One of the issuers botbuilder accepts on emulator and skill tokens (the Bot Framework tenant). */
export const EMULATOR_TOKEN_ISSUER = 'https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface SignOptions {
  /** `kid` in the header; default: the signing key's own kid. */
  kid?: string;
  /**
   * Signing key; default: the issuer's current channel key. A bare KeyObject signs under the
   * current kid (unless `kid` is given): "another key with the same kid".
   */
  key?: SigningKey | KeyObject;
  /** Seconds from now until `exp`; negative for an expired token. Default 3600. */
  expiresIn?: number;
  /** Extra or replacing header fields. */
  header?: Record<string, unknown>;
}

export interface TokenRequestRecord {
  grantType: string;
  clientId: string;
  scope: string;
  /** Client id and secret matched a registered client. */
  clientAuthenticated: boolean;
  /** HTTP status answered. */
  status: number;
}

export interface BotFrameworkIssuer {
  /** https://127.0.0.1:PORT */
  origin: string;
  /** ToBotFromChannelOpenIdMetadataUrl. */
  metadataUrl: string;
  /** ToBotFromEmulatorOpenIdMetadataUrl (its own key set). */
  emulatorMetadataUrl: string;
  /** ToChannelFromBotLoginUrl (https: MSAL requires it). */
  loginUrl: string;
  /** The `iss` of channel tokens (ToBotFromChannelTokenIssuer). */
  issuer: string;
  /** The key channel tokens are signed with now (published in the JWKS). */
  currentKey(): SigningKey;
  /** The emulator/skill key (published on the emulator metadata only). */
  emulatorKey: SigningKey;
  /** A fresh RSA key that is published nowhere. */
  newKey(kid?: string): SigningKey;
  /** RS256 JWT with defaults iss=issuer, iat/nbf=now, exp=now+expiresIn; claims override (undefined removes). */
  sign(claims: Record<string, unknown>, options?: SignOptions): string;
  /** Publishes a new channel key and signs with it from now on; the old one stays published unless retireOld. */
  rotate(options?: { retireOld?: boolean }): SigningKey;
  /** The seven botbuilder cloud settings, pointing here, under their own names. */
  cloudEnv(): Record<string, string>;
  /** Access tokens handed out by the token endpoint, oldest first. */
  issuedAccessTokens: string[];
  tokenRequests: TokenRequestRecord[];
  /** Every request that reached the issuer ("GET /path -> 200"). */
  requests: string[];
  close(): Promise<void>;
}

export interface IssuerOptions {
  /** client id -> secret accepted by the token endpoint. Default: TEST_BOT_ID -> TEST_BOT_PASSWORD. */
  clients?: Record<string, string>;
  /** Endorsements on published channel keys; default ['msteams']. */
  endorsements?: string[];
}

const CHANNEL_METADATA_PATH = '/v1/.well-known/openidconfiguration';
const CHANNEL_KEYS_PATH = '/v1/.well-known/keys';
const EMULATOR_METADATA_PATH = '/emulator/v2.0/.well-known/openid-configuration';
const EMULATOR_KEYS_PATH = '/emulator/discovery/v2.0/keys';
const LOGIN_TENANT = 'botframework.com';

export function newSigningKey(kid: string = randomBytes(9).toString('base64url')): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

/** Compact JWS: base64url(header).base64url(payload).signature, RS256 unless the header says otherwise. */
export function encodeJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key?: KeyObject | Buffer): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  if (header.alg === 'none' || !key) return `${input}.`;
  if (header.alg === 'HS256') return `${input}.${createHmac('sha256', key as Buffer).update(input).digest('base64url')}`;
  return `${input}.${rsaSign('sha256', Buffer.from(input), key as KeyObject).toString('base64url')}`;
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function jwkOf(key: SigningKey, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { n, e } = key.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return { kty: 'RSA', use: 'sig', kid: key.kid, n, e, ...extra };
}

export async function startBotFrameworkIssuer(options: IssuerOptions = {}): Promise<BotFrameworkIssuer> {
  const clients = options.clients ?? { [TEST_BOT_ID]: TEST_BOT_PASSWORD };
  const endorsements = options.endorsements ?? ['msteams'];
  let published: SigningKey[] = [newSigningKey()];
  let current = published[0]!;
  const emulatorKey = newSigningKey();
  const loginSigningKey = newSigningKey();
  const issuedAccessTokens: string[] = [];
  const tokenRequests: TokenRequestRecord[] = [];
  const requests: string[] = [];

  let origin = '';
  const loginUrl = () => `${origin}/${LOGIN_TENANT}`;
  const loginIssuer = () => `${loginUrl()}/v2.0`;

  const sign = (claims: Record<string, unknown>, opts: SignOptions = {}): string => {
    const signing = opts.key ?? current;
    const privateKey = signing instanceof KeyObject ? signing : signing.privateKey;
    const kid = opts.kid ?? (signing instanceof KeyObject ? current.kid : signing.kid);
    const now = Math.floor(Date.now() / 1000);
    const payload = { iss: BOT_FRAMEWORK_TOKEN_ISSUER, iat: now, nbf: now, exp: now + (opts.expiresIn ?? 3600), ...claims };
    return encodeJwt({ alg: 'RS256', typ: 'JWT', kid, ...opts.header }, payload, privateKey);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): number => {
    const url = new URL(req.url ?? '/', origin);
    const json = (status: number, value: unknown): number => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(value));
      return status;
    };
    if (req.method === 'GET' && url.pathname === CHANNEL_METADATA_PATH) {
      return json(200, {
        issuer: BOT_FRAMEWORK_TOKEN_ISSUER,
        authorization_endpoint: `${origin}/v1/botframework.com/oauth2/authorize`,
        jwks_uri: `${origin}${CHANNEL_KEYS_PATH}`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (req.method === 'GET' && url.pathname === CHANNEL_KEYS_PATH) {
      return json(200, { keys: published.map((k) => jwkOf(k, { endorsements })) });
    }
    if (req.method === 'GET' && url.pathname === EMULATOR_METADATA_PATH) {
      return json(200, { issuer: EMULATOR_TOKEN_ISSUER, jwks_uri: `${origin}${EMULATOR_KEYS_PATH}` });
    }
    if (req.method === 'GET' && url.pathname === EMULATOR_KEYS_PATH) {
      return json(200, { keys: [jwkOf(emulatorKey)] });
    }
    if (req.method === 'GET' && url.pathname === `/${LOGIN_TENANT}/v2.0/.well-known/openid-configuration`) {
      return json(200, {
        issuer: loginIssuer(),
        token_endpoint: `${loginUrl()}/oauth2/v2.0/token`,
        authorization_endpoint: `${loginUrl()}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${loginUrl()}/oauth2/v2.0/logout`,
        jwks_uri: `${loginUrl()}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'token'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic', 'private_key_jwt'],
      });
    }
    if (req.method === 'POST' && url.pathname === `/${LOGIN_TENANT}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(body);
      const record: TokenRequestRecord = {
        grantType: form.get('grant_type') ?? '',
        clientId: form.get('client_id') ?? '',
        scope: form.get('scope') ?? '',
        clientAuthenticated: false,
        status: 0,
      };
      tokenRequests.push(record);
      const secret = clients[record.clientId];
      record.clientAuthenticated = secret !== undefined && form.get('client_secret') === secret;
      const error = (status: number, code: string, description: string) => {
        record.status = json(status, { error: code, error_description: description, error_codes: [status === 401 ? 7000215 : 70011] });
        return record.status;
      };
      if (record.grantType !== 'client_credentials') return error(400, 'unsupported_grant_type', 'only client_credentials');
      if (!record.clientAuthenticated) return error(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
      // Client credentials ask for exactly one `/.default` scope: the Bot Framework's.
      const scopes = record.scope.split(' ').filter(Boolean);
      if (scopes.length !== 1 || scopes[0] !== BOT_FRAMEWORK_SCOPE) return error(400, 'invalid_scope', `AADSTS70011: unexpected scope ${record.scope}`);
      const now = Math.floor(Date.now() / 1000);
      const accessToken = encodeJwt(
        { alg: 'RS256', typ: 'JWT', kid: loginSigningKey.kid },
        { iss: loginIssuer(), aud: BOT_FRAMEWORK_TOKEN_ISSUER, appid: record.clientId, iat: now, nbf: now, exp: now + 3600, jti: randomUUID() },
        loginSigningKey.privateKey,
      );
      issuedAccessTokens.push(accessToken);
      record.status = json(200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: accessToken });
      return record.status;
    }
    return json(404, { error: 'not_found', path: url.pathname });
  };

  const tls = loadSandboxTls();
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = handle(req, res, Buffer.concat(chunks).toString('utf8'));
      requests.push(`${req.method} ${new URL(req.url ?? '/', origin).pathname} -> ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    metadataUrl: `${origin}${CHANNEL_METADATA_PATH}`,
    emulatorMetadataUrl: `${origin}${EMULATOR_METADATA_PATH}`,
    loginUrl: loginUrl(),
    issuer: BOT_FRAMEWORK_TOKEN_ISSUER,
    currentKey: () => current,
    emulatorKey,
    newKey: (kid) => newSigningKey(kid),
    sign,
    rotate: ({ retireOld = false } = {}) => {
      const next = newSigningKey();
      published = retireOld ? [next] : [...published, next];
      current = next;
      return next;
    },
    cloudEnv: () => ({
      ToBotFromChannelOpenIdMetadataUrl: `${origin}${CHANNEL_METADATA_PATH}`,
      ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_TOKEN_ISSUER,
      ToBotFromEmulatorOpenIdMetadataUrl: `${origin}${EMULATOR_METADATA_PATH}`,
      ToChannelFromBotLoginUrl: loginUrl(),
      ToChannelFromBotOAuthScope: BOT_FRAMEWORK_TOKEN_ISSUER,
      OAuthUrl: `${origin}/oauth-api`,
      CallerId: 'urn:botframework:azure',
    }),
    issuedAccessTokens,
    tokenRequests,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
