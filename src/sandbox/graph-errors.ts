/**
 * Graph's error body shape and the exact codes/messages the bot may meet
 * (see /work/shared/notes/graph.md). ⚠ marks texts not confirmed against real Graph: the bot
 * must branch on status and code, never on message text.
 */

/** One answer of the emulated Graph, before it is written to the wire or into a $batch response. */
export interface GraphResult {
  status: number;
  headers: Record<string, string>;
  /** undefined: no body (204). */
  body?: unknown;
}

/** Ids of one request: request-id is ours, client-request-id echoes the caller's (or ours). */
export interface RequestIds {
  requestId: string;
  clientRequestId: string;
}

export const JSON_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export const MESSAGES = {
  syncedObject: 'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.',
  insufficientPrivileges: 'Insufficient privileges to complete the operation.',
  // ⚠ Real text unknown (graph.md: "no exact text found"); plausible stand-in.
  federatedAnchorRequired: 'Property SourceAnchor is required for federated users.',
  duplicateImmutableId: 'Another object with the same value for property onPremisesImmutableId already exists.',
  duplicateUpn: 'Another object with the same value for property userPrincipalName already exists.',
  // ⚠ Format of Graph's invalid-value errors; exact wording for this property unconfirmed.
  invalidImmutableId: "Invalid value specified for property 'onPremisesImmutableId' of resource 'User'.",
  invalidUpnDomain: 'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
  // ⚠ wording of Graph's read-only property error.
  readOnlyProperty: (name: string): string => `Property '${name}' is read-only and cannot be set.`,
  emptyToken: 'Access token is empty.',
  invalidToken: 'Access token validation failure.',
  invalidAudience: 'Access token validation failure. Invalid audience.',
  expiredToken: 'Lifetime validation failed, the token is expired.',
  badJson: 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
  throttled: 'Too many requests. Please try again later.', // ⚠ wording varies by workload
  unavailable: 'The service is temporarily unavailable. Please try again later.', // ⚠
  gatewayTimeout: 'The gateway did not receive a response in time.', // ⚠
  internalError: 'An internal server error occurred.', // ⚠
  meNeedsDelegated: '/me request is only valid with delegated authentication flow.',
  invalidBatch: 'Invalid batch payload format.',
  failedDependency: 'Failed dependency', // ⚠
} as const;

export const notFoundMessage = (id: string): string =>
  `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`;

export function graphError(
  status: number,
  code: string,
  message: string,
  ids: RequestIds,
  headers: Record<string, string> = {},
): GraphResult {
  return {
    status,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, ...headers },
    body: {
      error: {
        code,
        message,
        innerError: {
          // Graph's own format: no milliseconds.
          date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          'request-id': ids.requestId,
          'client-request-id': ids.clientRequestId,
        },
      },
    },
  };
}

export function notImplemented(method: string, path: string, ids: RequestIds): GraphResult {
  return graphError(501, 'NotImplemented', `The sandbox directory does not emulate ${method} ${path}`, ids);
}

/** Error answers of injected faults (429/500/503/504). */
export function faultError(status: number, retryAfterSeconds: number | undefined, ids: RequestIds): GraphResult {
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined && status !== 500) headers['Retry-After'] = String(retryAfterSeconds);
  switch (status) {
    case 429:
      return graphError(429, 'TooManyRequests', MESSAGES.throttled, ids, headers);
    case 503:
      return graphError(503, 'ServiceUnavailable', MESSAGES.unavailable, ids, headers);
    case 504:
      return graphError(504, 'GatewayTimeout', MESSAGES.gatewayTimeout, ids, headers);
    default:
      return graphError(status, 'InternalServerError', MESSAGES.internalError, ids, headers);
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): GraphResult {
  return { status, headers: { 'Content-Type': JSON_CONTENT_TYPE, ...headers }, body };
}
