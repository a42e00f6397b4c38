/**
 * Inbound authentication that fails closed: whatever goes wrong while checking a request's
 * Bot Framework token, the request is refused with 401 and a body that says nothing else.
 *
 * Why: botbuilder's CloudAdapter answers 401 only for its own AuthenticationError. jsonwebtoken's
 * errors (a token signed by another key under a published kid, a token not valid yet, alg
 * none/HS256, a tampered payload…) escape as JsonWebTokenError/NotBeforeError and become a 500
 * whose body is the error message. A forged request is not a server error.
 *
 * Only authentication is wrapped: errors thrown by the bot during a turn never pass through here,
 * so they still reach onTurnError as before.
 */
import type { Activity } from 'botbuilder';
import {
  AuthenticateRequestResult,
  AuthenticationError,
  BotFrameworkAuthentication,
  BotFrameworkClient,
  ClaimsIdentity,
  ConnectorFactory,
  UserTokenClient,
} from 'botframework-connector';
import type { Logger } from '../../log';

/** The only body a refused request gets. */
export const UNAUTHORIZED_MESSAGE = 'Unauthorized';

export interface FailClosedOptions {
  /**
   * Refuse activities without a serviceUrl (set when inbound auth is on). botbuilder checks the
   * token's serviceurl claim only when the activity names one, and replies go to that URL.
   */
  requireServiceUrl: boolean;
}

export class FailClosedAuthentication extends BotFrameworkAuthentication {
  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly log: Logger,
    private readonly options: FailClosedOptions,
  ) {
    super();
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    try {
      if (this.options.requireServiceUrl && !activity?.serviceUrl) {
        throw new AuthenticationError('The activity has no serviceUrl to check the token against.', 401);
      }
      return await this.inner.authenticateRequest(activity, authHeader);
    } catch (error) {
      throw this.refuse(error, authHeader, {
        activityType: activity?.type,
        channelId: activity?.channelId,
        serviceUrl: activity?.serviceUrl,
      });
    }
  }

  override async authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
    } catch (error) {
      throw this.refuse(error, authHeader, { channelId: channelIdHeader, streaming: true });
    }
  }

  override async authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    try {
      return await this.inner.authenticateChannelRequest(authHeader);
    } catch (error) {
      throw this.refuse(error, authHeader, { channelRequest: true });
    }
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.inner.createConnectorFactory(claimsIdentity);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.inner.createUserTokenClient(claimsIdentity);
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  /** Logs why (without the token) and returns the error the adapter turns into a bare 401. */
  private refuse(error: unknown, authHeader: string, context: Record<string, unknown>): AuthenticationError {
    const failure = describeAuthFailure(error, authHeader);
    // Keys or metadata that could not be loaded are our problem, not the caller's: log it louder.
    const log = failure.unavailable ? this.log.error.bind(this.log) : this.log.warn.bind(this.log);
    log('auth.refused', { ...context, ...failure, credential: describeCredential(authHeader) });
    return new AuthenticationError(UNAUTHORIZED_MESSAGE, 401);
  }
}

export interface AuthFailure {
  /** e.g. AuthenticationError, JsonWebTokenError, TokenExpiredError, NotBeforeError. */
  reason: string;
  /** The library's message with anything token-like removed, at most 200 characters. */
  detail: string;
  /** True when the signing keys could not be loaded (a server-side problem). */
  unavailable: boolean;
}

const JWT_LIKE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const LONG_OPAQUE = /[A-Za-z0-9+/_=-]{40,}/g;

/** What went wrong, safe to log: never the token or anything shaped like one. */
export function describeAuthFailure(error: unknown, authHeader = ''): AuthFailure {
  const e = error as { name?: unknown; message?: unknown; statusCode?: unknown; code?: unknown } | undefined;
  const reason = typeof e?.name === 'string' ? e.name : 'Error';
  let detail = typeof e?.message === 'string' ? e.message : String(error);
  const credential = authHeader.trim().split(/\s+/).slice(1).join(' ');
  if (credential) detail = detail.split(credential).join('[credential]');
  detail = detail.replace(JWT_LIKE, '[jwt]').replace(LONG_OPAQUE, '[redacted]').slice(0, 200);
  const unavailable =
    (reason === 'AuthenticationError' && typeof e?.statusCode === 'number' && e.statusCode >= 500) ||
    reason === 'FetchError' ||
    (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code));
  return { reason, detail, unavailable };
}

/** The shape of the credential (scheme, unverified header fields), never its value. */
export function describeCredential(authHeader: string): Record<string, unknown> {
  const [scheme = '', value = ''] = authHeader.trim().split(/\s+/, 2);
  if (!scheme) return { present: false };
  const described: Record<string, unknown> = { present: true, scheme: /^[A-Za-z]{1,20}$/.test(scheme) ? scheme : '(invalid)' };
  const parts = value.split('.');
  if (parts.length !== 3) return { ...described, format: 'not a JWT' };
  try {
    const header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    return { ...described, format: 'JWT', alg: shortString(header.alg), kid: shortString(header.kid) };
  } catch {
    return { ...described, format: 'not a JWT' };
  }
}

function shortString(value: unknown): string | undefined {
  return typeof value === 'string' ? value.replace(/[^\x20-\x7e]/g, '?').slice(0, 64) : undefined;
}
