/**
 * Threat: text from the chat steers a Graph request somewhere else (path traversal, extra query
 * options, an OData filter that matches other users) or floods the parser.
 *
 * Targets are validated and encoded; OData literals are quoted correctly (o'brien@contoso.com);
 * nothing from the chat reaches a Graph path or query unescaped; refused input makes no request
 * at all; messages over 16 KB are refused with a chat message that says so. Asserted on what
 * reached the sandbox on the wire (rawUrl and decoded query), including a fast-check fuzz
 * through the whole bot.
 */
import fc from 'fast-check';
import { parseCommand } from '../../src/conversation/parse-command';
import type { RecordedRequest } from '../../src/sandbox';
import { SANDBOX_USERS } from '../../src/sandbox';
import { Harness, HELPDESK, startHarness , useHarness } from '../helpers/bot-harness';
import { cardText, graphRequests, lastCard, lastText, sentCards, sentTexts } from '../helpers/security-helpers';

const h = useHarness({ RATE_LIMIT_PER_MINUTE: '10000' });

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const subRequests = () => h.sandbox.requests().filter((r) => r.viaBatch);
const topLevel = () => graphRequests(h.sandbox).filter((r) => !r.viaBatch);

/** The exact $filter the bot must send for an address: each literal quoted, quotes doubled. */
function expectedFilter(address: string, kind: string): string {
  const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;
  if (kind === 'displayName') return ['displayName', 'givenName', 'surname'].map((p) => `startswith(${p},${lit(address)})`).join(' or ');
  return `mail eq ${lit(address)} or proxyAddresses/any(p:p eq ${lit(`SMTP:${address}`)}) or proxyAddresses/any(p:p eq ${lit(`smtp:${address}`)})`;
}

/** The user key a sub-request's raw URL addresses (decoded), or undefined when it addresses no single user. */
function userKeyOf(rawUrl: string): string | undefined {
  const path = rawUrl.split('?')[0] ?? '';
  const plain = /^\/users\/([^/?#]+)(?:\/transitiveMemberOf\/microsoft\.graph\.directoryRole)?$/.exec(path);
  if (plain?.[1]) return decodeURIComponent(plain[1]);
  const quoted = /^\/users\('((?:[^'/]|'')*)'\)(?:\/transitiveMemberOf\/microsoft\.graph\.directoryRole)?$/.exec(path);
  if (quoted?.[1] !== undefined) return decodeURIComponent(quoted[1]).replace(/''/g, "'");
  return undefined;
}

/**
 * Every request that reached the sandbox stays inside the allowed shapes: top level only
 * POST /v1.0/$batch (plus the token endpoint), sub-requests only GETs of /users/{key},
 * /users/{key}/transitiveMemberOf/microsoft.graph.directoryRole, /users?$filter=…, /domains/{name},
 * /roleManagement/directory/roleEligibilitySchedules (by object id), /directory/onPremisesSynchronization (fixed, no input),
 * /directory/deletedItems/microsoft.graph.user?$filter=… (a user not found among live users);
 * every user key is the target itself or an object id the directory returned.
 */
function expectOnlyAllowedRequests(requests: RecordedRequest[], target: string | undefined, kind = 'address'): void {
  for (const r of requests) {
    const where = `${r.method} ${r.rawUrl}`;
    if (!r.path.startsWith('/v1.0')) {
      expect([where, /\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration)$/.test(r.path)]).toEqual([where, true]);
      continue;
    }
    expect([where, /^\/v1\.0\/(users|\$batch|domains|roleManagement\/directory\/roleEligibilitySchedules|directory\/onPremisesSynchronization|directory\/deletedItems\/microsoft\.graph\.user)(\/|\(|$)/.test(r.path)]).toEqual([where, true]);
    if (!r.viaBatch && r.method === 'GET' && r.path === '/v1.0/directory/deletedItems/microsoft.graph.user') {
      // A user not found among live users is looked for among deleted ones (a top-level advanced query):
      // nothing raw, and every OData literal is exactly the target with its apostrophes doubled.
      expect([where, /[\s"<>\\^`{|}#]/.test(r.rawUrl)]).toEqual([where, false]);
      const literals = [...String(r.query.$filter ?? '').matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'"));
      expect([where, literals.length > 0]).toEqual([where, true]);
      if (target !== undefined) for (const literal of literals) expect([where, literal]).toEqual([where, target]);
      continue;
    }
    if (!r.viaBatch && r.method === 'GET' && r.path === '/v1.0/domains') {
      // The tenant's domain list (for the initial .onmicrosoft.com domain of a federated user): a fixed query, no input.
      expect([where, r.rawUrl]).toEqual([where, '/v1.0/domains?$select=id,authenticationType,isInitial']);
      continue;
    }
    if (!r.viaBatch) {
      expect([where, r.method === 'POST' && r.path === '/v1.0/$batch' && r.rawUrl === '/v1.0/$batch']).toEqual([where, true]);
      continue;
    }
    // Nothing a URL parser treats as structure may come through raw.
    expect([where, /[\s"<>\\^`{|}#]/.test(r.rawUrl)]).toEqual([where, false]);
    const path = r.rawUrl.split('?')[0] ?? '';
    if (r.method === 'POST') {
      // The protected-group check read with the user (checkMemberGroups is a read, though a POST): the target's key or an id the directory returned.
      expect([where, /\/checkMemberGroups$/.test(path)]).toEqual([where, true]);
      const key = userKeyOf(path.replace(/\/checkMemberGroups$/, ''));
      expect([where, key === target || GUID.test(key ?? '')]).toEqual([where, true]);
      continue;
    }
    expect([where, r.method]).toEqual([where, 'GET']);
    if (path === '/domains') {
      // The tenant's domain list read with a user found by object id: a fixed query, no input.
      expect([where, r.rawUrl]).toEqual([where, '/domains?$select=id,authenticationType,isInitial']);
      continue;
    }
    if (path === '/directory/onPremisesSynchronization') {
      expect([where, r.rawUrl]).toEqual([where, '/directory/onPremisesSynchronization']);
      continue;
    }
    if (path === '/users') {
      expect(Object.keys(r.query).sort()).toEqual(['$filter', '$select', '$top']);
      if (target !== undefined) expect([where, r.query.$filter]).toEqual([where, expectedFilter(target, kind)]);
      continue;
    }
    if (path === '/roleManagement/directory/roleEligibilitySchedules') {
      // The tenant's list, or one user's by an object id the directory returned (never chat text).
      expect([where, r.query.$expand]).toEqual([where, 'roleDefinition']);
      if (r.query.$filter !== undefined) expect([where, /^principalId eq '[0-9a-f-]{36}'$/.test(r.query.$filter)]).toEqual([where, true]);
      continue;
    }
    if (path.startsWith('/domains/')) {
      expect([where, /^\/domains\/[A-Za-z0-9.-]+$/.test(path)]).toEqual([where, true]);
      continue;
    }
    const key = userKeyOf(r.rawUrl);
    expect([where, key !== undefined]).toEqual([where, true]);
    expect([where, key === target || GUID.test(key ?? '')]).toEqual([where, true]);
    for (const name of Object.keys(r.query)) expect([where, name]).toEqual([where, '$select']);
  }
}

describe('targets are encoded and OData literals quoted', () => {
  it("doubles the apostrophe of o'brien inside every OData literal, and finds exactly him", async () => {
    await h.say("show o'brien@contoso.com");
    expect(cardText(lastCard(h))).toContain("O'Brien");
    const filters = subRequests().filter((r) => r.query.$filter);
    expect(filters).toHaveLength(1);
    expect(filters[0]?.query.$filter).toBe(expectedFilter("o'brien@contoso.com", 'address'));
    expectOnlyAllowedRequests(h.sandbox.requests(), "o'brien@contoso.com");
  });

  it('cannot break out of the OData literal with quotes: an injected "or" matches nobody', async () => {
    const injected = "x'or'1'eq'1@contoso.com";
    await h.say(`show ${injected}`);
    const filter = subRequests().find((r) => r.query.$filter)?.query.$filter;
    expect(filter).toBe(expectedFilter(injected, 'address'));
    // Had the quote broken out, the filter would match every user ("More than one user matches").
    expect(lastText(h)).toMatch(/couldn't find/);
    expect(lastText(h)).not.toMatch(/More than one user/);
  });

  it('cannot break out of a display-name search either: the quotes are doubled and nobody matches', async () => {
    const injected = "Sean' or surname eq 'Smith";
    await h.say(`show ${injected}`);
    const filter = subRequests().find((r) => r.query.$filter)?.query.$filter;
    expect(filter).toBe(expectedFilter(injected, 'displayName'));
    expect(lastText(h)).toMatch(/no user whose name starts with/);
    expectOnlyAllowedRequests(h.sandbox.requests(), injected, 'displayName');
  });

  it('addresses a UPN starting with $ in the key form users(\'…\'), never as a system segment', async () => {
    await h.say('show $frank@contoso.com');
    expect(cardText(lastCard(h))).toContain('Frank');
    const userReads = subRequests().filter((r) => r.rawUrl.startsWith('/users('));
    expect(userReads.length).toBeGreaterThan(0);
    for (const r of userReads) expect(r.rawUrl).toMatch(/^\/users\('%24frank%40contoso\.com'\)/);
    expect(subRequests().some((r) => /^\/users\/\$/.test(r.rawUrl))).toBe(false);
    expectOnlyAllowedRequests(h.sandbox.requests(), '$frank@contoso.com');
  });

  it("percent-encodes a guest's #EXT# so it never becomes a URL fragment", async () => {
    const guest = 'erin_outlook.com#EXT#@contoso.onmicrosoft.com';
    await h.say(`show ${guest}`);
    expect(cardText(lastCard(h))).toContain('Erin');
    const users = subRequests().filter((r) => r.rawUrl.startsWith('/users/'));
    expect(users.length).toBeGreaterThan(0);
    for (const r of users) expect(r.rawUrl).toContain('erin_outlook.com%23EXT%23%40contoso.onmicrosoft.com');
    expectOnlyAllowedRequests(h.sandbox.requests(), guest);
  });

  it("percent-encodes '+' so a query parser cannot read it as a space", async () => {
    const plus = 'alice+tag@contoso.com';
    await h.say(`show ${plus}`);
    const filter = subRequests().find((r) => r.query.$filter);
    expect(filter?.rawUrl).toContain('alice%2Btag%40contoso.com');
    expect(filter?.query.$filter).toBe(expectedFilter(plus, 'address'));
    expectOnlyAllowedRequests(h.sandbox.requests(), plus);
  });

  it('reads an object id target by id only', async () => {
    await h.say(`show ${SANDBOX_USERS.alice.toUpperCase()}`);
    expect(cardText(lastCard(h))).toContain('Alice Smith');
    expect(subRequests().filter((r) => r.query.$filter)).toHaveLength(0);
    expectOnlyAllowedRequests(h.sandbox.requests(), SANDBOX_USERS.alice);
  });
});

describe('refused input makes no request at all', () => {
  it.each([
    'show alice@contoso.com/../../groups',
    'show alice@contoso.com/../../../v1.0/directoryRoles',
    'show ..%2F..%2Fgroups@contoso.com',
    'show alice%40contoso.com',
    'show alice@contoso.com?$select=passwordProfile',
    'show alice@contoso.com&$filter=startswith(displayName,\'a\')',
    'show alice@contoso.com#fragment',
    'show alice@contoso.com;x=1',
    "show ') or (1 eq 1",
    'show * ',
    'show alice@contoso.com%00',
    'show alice@contoso.com\u0000',
    'show alice@con\u202etoso.com',
    'show álice@contoso.com',
    'show .alice@contoso.com',
    'show a..b@contoso.com',
    'show @contoso.com',
    'show alice@localhost',
    'show alice@127.0.0.1',
    'show alice@[127.0.0.1]',
    'show https://graph.microsoft.com/v1.0/users',
    'clear immutable id for alice@contoso.com/../bob@contoso.com',
    'clear immutable id for alice@contoso.com, bob/../x@contoso.com',
    'history alice@contoso.com/../../auditLogs',
    'cancel ../../users/alice',
    `show ${'a'.repeat(250)}@contoso.com`,
  ])('%j', async (text) => {
    await h.say(text);
    expect(h.sandbox.requests()).toEqual([]);
    // Always answered, never silently dropped, never an internal error.
    expect(sentTexts(h).length + sentCards(h).length).toBeGreaterThan(0);
    expect(sentTexts(h).join('\n')).not.toMatch(/something went wrong/i);
  });
});

describe('fuzz through the bot (fast-check)', () => {
  const LOCAL = "abcXYZ019!'^~._+-".split('');
  const HOSTILE = [
    ...LOCAL, '$', '#EXT#', '#', '/', '\\', '?', '%', '%2F', '%27', '%00', '&', '=', '*', '(', ')', ',', ';', ':', '<', '>', '"', '[', ']',
    '{', '}', '|', '`', ' ', '\t', '\u00a0', '\u0000', '\u202e', 'é', '..', "'", "''", 'users', '$batch', '$filter=', '$select=', 'or',
    ' eq ', '@', '@contoso.com', 'contoso.com', '.onmicrosoft.com', '\n',
  ];
  const target = fc.oneof(
    fc.array(fc.constantFrom(...HOSTILE), { maxLength: 16 }).map((parts) => parts.join('')),
    fc.string({ maxLength: 40 }),
    // Valid-looking addresses with every character the validator lets through.
    fc
      .tuple(
        fc.option(fc.constant('$'), { nil: '' }),
        fc.string({ unit: fc.constantFrom(...LOCAL), minLength: 1, maxLength: 14 }),
        fc.option(fc.constant('#EXT#'), { nil: '' }),
        fc.constantFrom('contoso.com', 'contoso.onmicrosoft.com', 'fabrikam.com', 'evil.example', 'x-y.co'),
      )
      .map(([dollar, local, ext, domain]) => `${dollar}${local}${ext}@${domain}`),
  );

  it('every Graph request stays in /users, /$batch and /domains, encoded; refused input reaches nothing', async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom('show ', 'check ', 'clear immutable id for ', 'history '), async (x, verb) => {
        h.sandbox.reset();
        h.connector.clear();
        const text = verb + x;
        const command = parseCommand(text);
        await h.say(text, { from: HELPDESK });
        const requests = h.sandbox.requests();
        const commandTarget = command.kind === 'show' || command.kind === 'clear' || command.kind === 'history' ? command.target : undefined;
        if (!commandTarget) {
          refused++;
          expect(requests).toEqual([]);
        } else {
          accepted++;
          expectOnlyAllowedRequests(requests, commandTarget.value, commandTarget.kind);
          expect(topLevel().every((r) => r.method !== 'PATCH')).toBe(true);
        }
        expect(sentTexts(h).length + sentCards(h).length).toBeGreaterThan(0);
        expect(sentTexts(h).join('\n')).not.toMatch(/something went wrong/i);
      }),
      { numRuns: 60, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    // Both sides were exercised (the generator is biased so this holds for any seed in practice).
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});

describe('messages over 16 KB', () => {
  it('refuses 16 KB + 1 byte with a message that says so, even when it holds a valid command', async () => {
    const text = 'show alice@contoso.com' + ' '.repeat(16 * 1024 + 1 - 'show alice@contoso.com'.length);
    expect(Buffer.byteLength(text)).toBe(16385);
    await h.say(text);
    expect(h.sandbox.requests()).toEqual([]);
    expect(lastText(h)).toMatch(/16 KB/);
    expect(sentCards(h)).toHaveLength(0);
  });

  it('counts bytes, not characters (8193 × "é" is 16386 bytes)', async () => {
    await h.say('é'.repeat(8193));
    expect(lastText(h)).toMatch(/only read messages up to 16 KB/);
    expect(h.sandbox.requests()).toEqual([]);
  });

  it('still reads a command of exactly 16 KB', async () => {
    const text = 'show alice@contoso.com' + ' '.repeat(16 * 1024 - 'show alice@contoso.com'.length);
    expect(Buffer.byteLength(text)).toBe(16384);
    await h.say(text);
    expect(cardText(lastCard(h))).toContain('Alice Smith');
  });

  it('refuses a huge body at the HTTP edge without a Graph call', async () => {
    const status = await h.say('show alice@contoso.com ' + 'x'.repeat(300 * 1024));
    expect(status).toBeGreaterThanOrEqual(400);
    expect(h.sandbox.requests()).toEqual([]);
  });
});
