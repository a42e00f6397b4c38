/**
 * The Graph token is asked of the credential once and reused until it is due for refresh; callers
 * that arrive while it is being asked share the answer; a failure is not cached.
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import { cachedTokenProvider } from '../../src/directory/token-cache';

function countingCredential(tokens: Array<AccessToken | Error | null>): TokenCredential & { calls: number } {
  const credential = {
    calls: 0,
    getToken: async () => {
      const next = tokens[credential.calls++];
      await new Promise((resolve) => setImmediate(resolve));
      if (next instanceof Error) throw next;
      return next ?? null;
    },
  };
  return credential;
}

const HOUR = 3_600_000;

it('asks the credential once and reuses the token until it is due, then asks again', async () => {
  let now = 1_000_000;
  const credential = countingCredential([
    { token: 'first', expiresOnTimestamp: now + HOUR },
    { token: 'second', expiresOnTimestamp: now + 2 * HOUR },
  ]);
  const getToken = cachedTokenProvider(credential, 'scope', () => now);
  expect(await getToken()).toBe('first');
  now += 30 * 60_000;
  expect(await getToken()).toBe('first');
  expect(credential.calls).toBe(1);
  // Five minutes before expiry (identity's margin) it is asked again.
  now += 26 * 60_000;
  expect(await getToken()).toBe('second');
  expect(credential.calls).toBe(2);
});

it('honours refreshAfterTimestamp when the credential gives one', async () => {
  let now = 0;
  const credential = countingCredential([
    { token: 'first', expiresOnTimestamp: now + HOUR, refreshAfterTimestamp: now + 10 * 60_000 },
    { token: 'second', expiresOnTimestamp: now + 2 * HOUR },
  ]);
  const getToken = cachedTokenProvider(credential, 'scope', () => now);
  expect(await getToken()).toBe('first');
  now += 10 * 60_000;
  expect(await getToken()).toBe('second');
});

it('shares one credential call among concurrent callers', async () => {
  const credential = countingCredential([{ token: 'only', expiresOnTimestamp: Date.now() + HOUR }]);
  const getToken = cachedTokenProvider(credential, 'scope');
  expect(await Promise.all([getToken(), getToken(), getToken()])).toEqual(['only', 'only', 'only']);
  expect(credential.calls).toBe(1);
});

it('does not keep a failure: the next call asks again', async () => {
  const credential = countingCredential([new Error('AADSTS7000215: invalid client secret'), null, { token: 'later', expiresOnTimestamp: Date.now() + HOUR }]);
  const getToken = cachedTokenProvider(credential, 'scope');
  await expect(getToken()).rejects.toThrow(/AADSTS7000215/);
  await expect(getToken()).rejects.toMatchObject({ name: 'AuthenticationError' });
  expect(await getToken()).toBe('later');
  expect(credential.calls).toBe(3);
});
