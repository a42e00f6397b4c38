/**
 * With BOT_ID set, only activities carrying a valid Bot Framework JWT reach the bot. The bot runs
 * over HTTP with botbuilder's cloud settings pointing at a local issuer (OpenID metadata + JWKS +
 * signed tokens); every forged request must answer 401 (never 500), reach nobody (no reply at
 * the connector) and cause no Graph call, and neither the 401 body nor any log line may echo the
 * token.
 */
import { JsonWebTokenError } from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { describeAuthFailure, describeCredential } from '../../src/transport/auth';
import { ImmutableIdBot } from '../../src/transport/bot';
import { SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS } from '../../src/sandbox';
import { APPROVER, BOT, cardOf, Harness, HELPDESK, Person, startHarness } from '../helpers/bot-harness';
import {
  BotFrameworkIssuer,
  encodeJwt,
  EMULATOR_TOKEN_ISSUER,
  startBotFrameworkIssuer,
  TEST_BOT_ID,
  TEST_BOT_PASSWORD,
  TEST_BOT_TENANT_ID,
} from '../helpers/bot-framework-issuer';

// Everything the app logs through the harness's logger, so tests can check no line echoes a token.
const mockLogLines: string[] = [];
jest.mock('../../src/log', () => {
  const actual = jest.requireActual<typeof import('../../src/log')>('../../src/log');
  return { ...actual, silentLogger: actual.createLogger({ level: 'debug', write: (line: string) => mockLogLines.push(line) }) };
});

let issuer: BotFrameworkIssuer;
let h: Harness;
let consoleLines: string[];

beforeAll(async () => {
  issuer = await startBotFrameworkIssuer();
  h = await startHarness({ BOT_ID: TEST_BOT_ID, BOT_PASSWORD: TEST_BOT_PASSWORD, BOT_TENANT_ID: TEST_BOT_TENANT_ID, ...issuer.cloudEnv() });
});
afterAll(async () => {
  await h?.close();
  await issuer?.close();
});
beforeEach(() => {
  h.sandbox.reset();
  h.connector.clear();
  mockLogLines.length = 0;
  consoleLines = [];
  // botbuilder writes to the console itself (CloudAdapter.process, JwtTokenExtractor): capture that too.
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleLines.push(format(...args));
    });
  }
});
afterEach(() => {
  jest.restoreAllMocks();
});

const conversationId = `a:personal-${randomUUID()}`;

function activity(overrides: Record<string, unknown> = {}, from: Person = HELPDESK): Record<string, unknown> {
  return {
    id: randomUUID(),
    type: 'message',
    channelId: 'msteams',
    serviceUrl: h.connector.url,
    timestamp: new Date().toISOString(),
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: BOT,
    conversation: { id: conversationId, tenantId: h.tenantId, conversationType: 'personal' },
    channelData: { tenant: { id: h.tenantId } },
    locale: 'en-US',
    text: 'show alice@contoso.com',
    textFormat: 'plain',
    ...overrides,
  };
}

/** The token Teams would send for this activity. */
function teamsToken(claims: Record<string, unknown> = {}, options: Parameters<BotFrameworkIssuer['sign']>[1] = {}): string {
  return issuer.sign({ aud: TEST_BOT_ID, serviceurl: h.connector.url, ...claims }, options);
}

async function send(body: Record<string, unknown>, authorization?: string) {
  return h.post(body, authorization === undefined ? {} : { authorization });
}

/** Everything a refused request must (not) have caused. */
function expectRefused(response: { status: number; text: string }, token?: string): void {
  expect(response.status).toBe(401);
  expect(JSON.parse(response.text)).toBe('Unauthorized');
  expect(h.connector.activities).toHaveLength(0);
  expect(h.sandbox.requests()).toHaveLength(0);
  if (token) {
    const signature = token.split('.')[2] ?? '';
    for (const text of [response.text, ...mockLogLines, ...consoleLines]) {
      expect(text).not.toContain(token);
      if (signature.length > 20) expect(text).not.toContain(signature);
    }
  }
}

describe('a valid Bot Framework token', () => {
  it('is accepted: 200, the user gets the card, the lookup reaches Graph', async () => {
    const token = teamsToken();
    const response = await send(activity(), `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect([...mockLogLines, ...consoleLines].filter((l) => l.includes(token.split('.')[2] ?? '-'))).toEqual([]);
    const card = h.connector.messages().map((m) => cardOf(m.activity)).find(Boolean);
    expect(JSON.stringify(card)).toContain('Alice Smith');
    expect(h.sandbox.requests().some((r) => r.path.startsWith('/v1.0'))).toBe(true);
  });
});

describe('what a refusal logs', () => {
  it('never the credential, even when a library message quotes it', () => {
    const token = teamsToken();
    const failure = describeAuthFailure(new Error(`bad token ${token} and again ${token.split('.')[2]}`), `Bearer ${token}`);
    expect(failure.detail).not.toContain(token);
    expect(failure.detail).not.toContain(token.split('.')[2]);
    expect(failure).toMatchObject({ reason: 'Error', unavailable: false });
    expect(describeCredential(`Bearer ${token}`)).toEqual({ present: true, scheme: 'Bearer', format: 'JWT', alg: 'RS256', kid: issuer.currentKey().kid });
    expect(describeCredential('')).toEqual({ present: false });
    expect(JSON.stringify(describeCredential(`Basic ${Buffer.from('id:secret').toString('base64')}`))).not.toContain('aWQ6c2VjcmV0');
  });

  it('flags keys that could not be loaded as unavailable (our problem, logged as an error)', () => {
    expect(describeAuthFailure(Object.assign(new Error('Failed to load openID config: 503'), { name: 'AuthenticationError', statusCode: 500 })).unavailable).toBe(true);
    expect(describeAuthFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).unavailable).toBe(true);
    expect(describeAuthFailure(new JsonWebTokenError('invalid signature')).unavailable).toBe(false);
  });
});

describe('forged or broken tokens are refused with 401, reach no one and call no Graph', () => {
  const otherApp = '0dd0dd0d-0000-4000-8000-000000000bad';
  const cases: Array<[string, () => string | undefined]> = [
    ['no Authorization header', () => undefined],
    ['an empty bearer', () => 'Bearer '],
    ['a Basic credential', () => `Basic ${Buffer.from(`${TEST_BOT_ID}:${TEST_BOT_PASSWORD}`).toString('base64')}`],
    ['something that is not a JWT', () => 'Bearer not-a-jwt'],
    ['a key that is not published (unknown kid)', () => `Bearer ${teamsToken({}, { key: issuer.newKey() })}`],
    ['another key with the same kid', () => `Bearer ${teamsToken({}, { key: issuer.newKey().privateKey })}`],
    ['the wrong audience (another bot)', () => `Bearer ${teamsToken({ aud: otherApp })}`],
    ['no audience', () => `Bearer ${teamsToken({ aud: undefined })}`],
    ['the wrong issuer', () => `Bearer ${teamsToken({ iss: 'https://api.botframework.example' })}`],
    ['an expired token (beyond the 5 minutes of clock skew)', () => `Bearer ${teamsToken({}, { expiresIn: -10 * 60 })}`],
    ['a token not valid yet', () => `Bearer ${teamsToken({ nbf: Math.floor(Date.now() / 1000) + 3600 })}`],
    ['a serviceurl claim for another service', () => `Bearer ${teamsToken({ serviceurl: 'https://smba.trafficmanager.net/evil/' })}`],
    ['no serviceurl claim', () => `Bearer ${teamsToken({ serviceurl: undefined })}`],
    [
      'a valid signature on edited claims',
      () => {
        const [header, , signature] = teamsToken({ aud: otherApp }).split('.');
        const payload = Buffer.from(JSON.stringify({ iss: issuer.issuer, aud: TEST_BOT_ID, serviceurl: h.connector.url, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
        return `Bearer ${header}.${payload}.${signature}`;
      },
    ],
    [
      'alg "none"',
      () => `Bearer ${encodeJwt({ alg: 'none', typ: 'JWT', kid: issuer.currentKey().kid }, { iss: issuer.issuer, aud: TEST_BOT_ID, serviceurl: h.connector.url, exp: Math.floor(Date.now() / 1000) + 600 })}`,
    ],
    [
      'HS256 with the public key as the HMAC secret',
      () => {
        const pem = Buffer.from(issuer.currentKey().publicKey.export({ type: 'spki', format: 'pem' }) as string);
        return `Bearer ${encodeJwt({ alg: 'HS256', typ: 'JWT', kid: issuer.currentKey().kid }, { iss: issuer.issuer, aud: TEST_BOT_ID, serviceurl: h.connector.url, exp: Math.floor(Date.now() / 1000) + 600 }, pem)}`;
      },
    ],
    [
      'an emulator-style token signed with a channel key',
      () => `Bearer ${teamsToken({ iss: EMULATOR_TOKEN_ISSUER, ver: '1.0', appid: TEST_BOT_ID })}`,
    ],
    [
      'a validly signed skill (bot-to-bot) token',
      () => `Bearer ${issuer.sign({ iss: EMULATOR_TOKEN_ISSUER, ver: '1.0', aud: TEST_BOT_ID, appid: otherApp }, { key: issuer.emulatorKey })}`,
    ],
  ];

  it.each(cases)('%s', async (_name, makeAuthorization) => {
    const authorization = makeAuthorization();
    const response = await send(activity(), authorization);
    expectRefused(response, authorization?.split(' ')[1]);
  });

  it('a Teams token replayed for another channel (key endorsed for msteams only)', async () => {
    const token = teamsToken();
    expectRefused(await send(activity({ channelId: 'directline' }), `Bearer ${token}`), token);
  });

  it('a Teams token replayed with the activity pointed at another service URL', async () => {
    const token = teamsToken();
    expectRefused(await send(activity({ serviceUrl: 'https://smba.trafficmanager.net/evil/' }), `Bearer ${token}`), token);
  });

  it('a valid Teams token on an activity that names no service URL (so botbuilder would skip the serviceurl check)', async () => {
    const token = teamsToken();
    const invoke = activity({ serviceUrl: undefined, type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'clear.confirm', data: { requestId: 'AAAAAAAAAAAAAAAAAAAAAA' } } } });
    expectRefused(await send(invoke, `Bearer ${token}`), token);
  });

  it('no mangling of a valid token ever answers 500', async () => {
    const token = teamsToken();
    const [header = '', payload = '', signature = ''] = token.split('.');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const mangled = [
      `${flip(header, 5)}.${payload}.${signature}`,
      `${header}.${flip(payload, 10)}.${signature}`,
      `${header}.${payload}.${flip(signature, 30)}`,
      `${header}.${payload}.${signature.slice(0, -10)}`,
      `${header}.${payload}.`,
      `${header}.${payload}`,
      `${header}..${signature}`,
      `.${payload}.${signature}`,
      `${payload}.${header}.${signature}`,
      `${header}.${payload}.${signature}.${signature}`,
      `${header}.${Buffer.from('{"iss":').toString('base64url')}.${signature}`,
      `${Buffer.from('{"alg":"RS256","kid":{"$ne":1}}').toString('base64url')}.${payload}.${signature}`,
      `${Buffer.from('{"alg":"RS512","kid":"' + issuer.currentKey().kid + '"}').toString('base64url')}.${payload}.${signature}`,
      `${header}.${payload}.${signature}`.toLowerCase(),
    ];
    for (const candidate of mangled) {
      const response = await send(activity(), `Bearer ${candidate}`);
      expect({ candidate, status: response.status }).toEqual({ candidate, status: 401 });
    }
    expect(h.connector.activities).toHaveLength(0);
    expect(h.sandbox.requests()).toHaveLength(0);
  });

  it('logs a refusal without the token, so an operator can see why', async () => {
    const token = teamsToken({}, { key: issuer.newKey().privateKey });
    expectRefused(await send(activity(), `Bearer ${token}`), token);
    const refusals = mockLogLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'auth.refused');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 'warn', channelId: 'msteams', activityType: 'message' });
  });
});

describe('a forged card tap', () => {
  it('cannot confirm a clear: 401, no PATCH, the value stays; the same tap with a valid token works', async () => {
    // A real request, made by the helpdesk with a valid token.
    expect((await send(activity({ text: 'clear immutable id for alice@contoso.com' }), `Bearer ${teamsToken()}`)).status).toBe(200);
    const card = h.connector.messages().map((m) => cardOf(m.activity)).find(Boolean);
    const requestId = /"requestId":"([A-Za-z0-9_-]+)"/.exec(JSON.stringify(card))?.[1];
    expect(requestId).toBeDefined();
    h.sandbox.clearRequests();
    h.connector.clear();

    const tap = activity(
      {
        type: 'invoke',
        name: 'adaptiveCard/action',
        text: undefined,
        replyToId: 'card-activity-1',
        value: { action: { type: 'Action.Execute', verb: 'clear.confirm', data: { requestId } }, trigger: 'manual' },
      },
      APPROVER,
    );
    const forged = teamsToken({}, { key: issuer.newKey().privateKey });
    expectRefused(await send(tap, `Bearer ${forged}`), forged);
    expectRefused(await send(tap));
    expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);

    const genuine = await send({ ...tap, id: randomUUID() }, `Bearer ${teamsToken()}`);
    expect(genuine.status).toBe(200);
    expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });
});

describe('errors inside the bot are not authentication errors', () => {
  it('a JsonWebTokenError thrown by bot code is handled by onTurnError: 200 and an apology, not 401', async () => {
    jest.spyOn(ImmutableIdBot.prototype, 'run').mockRejectedValueOnce(new JsonWebTokenError('invalid signature'));
    const response = await send(activity({ text: 'help' }), `Bearer ${teamsToken()}`);
    expect(response.status).toBe(200);
    await h.connector.waitFor((a) => a.some((r) => /something went wrong on my side/.test(r.activity.text ?? '')));
    const failures = mockLogLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'turn.failed');
    expect(failures).toHaveLength(1);
    expect(mockLogLines.some((l) => l.includes('auth.refused'))).toBe(false);
  });
});

describe('key rotation', () => {
  it('a newly published key is refused (401) until botbuilder refreshes keys, at most hourly; then accepted', async () => {
    // botbuilder has the current keys (fetched on first use).
    expect((await send(activity({ text: 'help' }), `Bearer ${teamsToken()}`)).status).toBe(200);
    h.connector.clear();

    issuer.rotate();
    expectRefused(await send(activity({ text: 'help' }), `Bearer ${teamsToken()}`));

    const later = Date.now() + 61 * 60_000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    const response = await send(activity({ text: 'help' }), `Bearer ${teamsToken()}`);
    expect(response.status).toBe(200);
    expect(h.connector.messages().length).toBeGreaterThan(0);
  });
});
