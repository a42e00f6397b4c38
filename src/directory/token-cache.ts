/**
 * A Graph access token kept in memory until it is due for refresh. @azure/identity caches tokens
 * too (in MSAL), but finding one there costs about as much CPU as the rest of a lookup's Graph
 * call; this keeps the token at hand and asks the credential again only near its expiry.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';

/** Asked again this long before expiry when the credential gives no refresh time (identity's own margin). */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

export function cachedTokenProvider(credential: TokenCredential, scope: string, now: () => number = Date.now): () => Promise<string> {
  let current: AccessToken | undefined;
  let pending: Promise<AccessToken> | undefined;
  const due = (token: AccessToken): boolean =>
    now() >= Math.min(token.refreshAfterTimestamp ?? Infinity, token.expiresOnTimestamp - REFRESH_BEFORE_EXPIRY_MS);
  return async () => {
    if (current && !due(current)) return current.token;
    // Callers that arrive while the credential is asked share its answer.
    pending ??= credential
      .getToken(scope)
      .then((token) => {
        if (!token) throw Object.assign(new Error('no token'), { name: 'AuthenticationError' });
        current = token;
        return token;
      })
      .finally(() => {
        pending = undefined;
      });
    return (await pending).token;
  };
}
