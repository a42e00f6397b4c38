/**
 * Hard match, convert and undo over HTTP: the real bot, the real Graph client against the
 * sandbox directory, replies into the recording connector. Asserts what reached Graph.
 */
import { SANDBOX_IMMUTABLE_IDS, SANDBOX_ON_PREM_GUIDS, SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, HELPDESK, useHarness } from '../helpers/bot-harness';

const h = useHarness();

const GUID = '35918bc9-196d-40ea-9779-889d79b753f0';
const ANCHOR = 'yYuRNW0Z6kCXeYidebdT8A==';
const IVAN = SANDBOX_USERS.ivan;

/** Graph calls (not token requests), with $batch sub-requests, oldest first. */
const graph = () => h.sandbox.requests().filter((r) => /^\/(v1\.0|beta)\//.test(r.path) && !r.path.endsWith('/$batch'));
const patches = () => h.sandbox.requests().filter((r) => r.method === 'PATCH');
const byAnchor = (value: string) => graph().filter((r) => r.method === 'GET' && r.path === '/v1.0/users' && r.query.$filter === `onPremisesImmutableId eq '${value}'`);
const cards = () => h.connector.messages().map((m) => cardOf(m.activity)).filter((c): c is Record<string, unknown> => c !== undefined);
const lastCard = () => cards().pop() ?? {};
const texts = () => h.connector.messages().map((m) => m.activity.text ?? '').filter(Boolean);
const text = (card: unknown) => collectCardText(card as Record<string, unknown>).join('\n');
const requestIdOn = (card: Record<string, unknown>, verb = 'request.approve'): string => {
  const action = findActions(card).find((a) => a.verb === verb && a.type === 'Action.Execute');
  if (!action) throw new Error(`no ${verb} on: ${text(card)}`);
  return (action.data as { requestId: string }).requestId;
};

describe('convert', () => {
  it.each([GUID, `{${GUID}}`, ANCHOR, 'C9 8B 91 35 6D 19 EA 40 97 79 88 9D 79 B7 53 F0'])('shows %s in all three forms, without Graph', async (anchor) => {
    expect(await h.say(`convert ${anchor}`)).toBe(200);
    const reply = texts().pop() ?? '';
    expect(reply).toContain(GUID);
    expect(reply).toContain(ANCHOR);
    expect(reply).toContain('C9 8B 91 35 6D 19 EA 40 97 79 88 9D 79 B7 53 F0');
    expect(graph()).toHaveLength(0);
  });

  it('refuses what is not an anchor, naming the accepted forms', async () => {
    await h.say('convert 12345');
    expect(texts().pop()).toMatch(/not an anchor[\s\S]*ObjectGUID[\s\S]*base64[\s\S]*32 hex digits/);
    expect(graph()).toHaveLength(0);
  });
});

describe('match <user> to <anchor>', () => {
  it('refuses a bad anchor before any Graph call', async () => {
    await h.say('match ivan@contoso.com to not-a-guid');
    expect(texts().pop()).toMatch(/ObjectGUID[\s\S]*base64[\s\S]*32 hex digits/);
    await h.say('match ivan@contoso.com');
    expect(texts().pop()).toMatch(/anchor/);
    expect(graph()).toHaveLength(0);
  });

  it('shows the current and new value as immutable ID and GUID, after looking up who holds the value; writes nothing', async () => {
    await h.say(`match ivan@contoso.com to ${GUID}`);
    const card = lastCard();
    const shown = text(card);
    expect(shown).toMatch(/Hard match/);
    expect(shown).toContain(ANCHOR);
    expect(shown).toContain(GUID);
    expect(shown).toContain('(empty)');
    expect(findActions(card).some((a) => a.verb === 'request.approve')).toBe(true);
    expect(byAnchor(ANCHOR)).toHaveLength(1);
    expect(patches()).toHaveLength(0);
  });

  it('on approval: looks the value up again, PATCHes it once, reads it back, offers Undo, and posts hard-match tips', async () => {
    await h.say(`match ivan@contoso.com to ${GUID} because INC0042`);
    const requestId = requestIdOn(lastCard());
    h.sandbox.clearRequests();
    const { body } = await h.tap('request.approve', { requestId });
    const outcome = body.value as Record<string, unknown>;
    expect(text(outcome)).toMatch(/Immutable ID set \(hard match\)/);
    expect(findActions(outcome).some((a) => a.verb === 'request.undo')).toBe(true);

    const calls = graph().map((r) => `${r.method} ${r.path}${r.query.$filter ? ` ${r.query.$filter}` : ''}`);
    const lookup = calls.indexOf(`GET /v1.0/users onPremisesImmutableId eq '${ANCHOR}'`);
    const patch = calls.indexOf(`PATCH /v1.0/users/${IVAN}`);
    expect(lookup).toBeGreaterThanOrEqual(0);
    expect(patch).toBeGreaterThan(lookup);
    expect(patches()).toEqual([expect.objectContaining({ path: `/v1.0/users/${IVAN}`, body: { onPremisesImmutableId: ANCHOR }, status: 204 })]);
    expect(calls.slice(patch + 1).some((c) => c === `GET /v1.0/users/${IVAN}`)).toBe(true);
    expect(h.sandbox.getUser(IVAN)?.onPremisesImmutableId).toBe(ANCHOR);
    const tips = texts().join('\n');
    expect(tips).toMatch(/Start-ADSyncSyncCycle -PolicyType Delta/);
    expect(tips).toMatch(/sync scope/);
    expect(tips).toContain(GUID);
    const audit = h.audit.entries.filter((e) => e.requestId === requestId).map((e) => e.event);
    expect(audit).toEqual(expect.arrayContaining(['request.created', 'change.intent', 'change.succeeded']));
    expect(audit.indexOf('change.intent')).toBeLessThan(audit.indexOf('change.succeeded'));
  });

  it('refuses a value another user holds, naming that user, without a PATCH', async () => {
    await h.say(`match ivan@contoso.com to ${SANDBOX_ON_PREM_GUIDS.alice}`);
    const shown = text(lastCard());
    expect(shown).toMatch(/Alice Smith[\s\S]*alice@contoso.com[\s\S]*already holds/);
    expect(findActions(lastCard()).some((a) => a.verb === 'request.approve')).toBe(false);
    expect(byAnchor(SANDBOX_IMMUTABLE_IDS.alice)).toHaveLength(1);
    expect(patches()).toHaveLength(0);
  });

  it('refuses at approval when another user took the value since the card was shown', async () => {
    await h.say(`match ivan@contoso.com to ${GUID}`);
    const requestId = requestIdOn(lastCard());
    const frank = h.sandbox.getUser(SANDBOX_USERS.frank);
    if (!frank) throw new Error('no frank');
    frank.onPremisesImmutableId = ANCHOR;
    const { body } = await h.tap('request.approve', { requestId });
    expect(text(body.value)).toMatch(/Frank Dollar[\s\S]*already holds/);
    expect(patches()).toHaveLength(0);
  });

  it('refuses a still-synced user', async () => {
    await h.say(`match bob@contoso.com to ${GUID}`);
    expect(text(lastCard())).toMatch(/still synced/);
    expect(patches()).toHaveLength(0);
  });
});

describe('undo', () => {
  it('the Undo button on the outcome of a clear opens a request that writes the old value back, through approval', async () => {
    await h.say('clear immutable id for alice@contoso.com');
    const clearId = requestIdOn(lastCard());
    const { body } = await h.tap('request.approve', { requestId: clearId });
    expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBeNull();
    h.connector.clear();
    h.sandbox.clearRequests();

    const undoTap = await h.tap('request.undo', { requestId: requestIdOn(body.value as Record<string, unknown>, 'request.undo') });
    expect(text(undoTap.body.value)).toMatch(/Immutable ID cleared/);
    const undoCard = lastCard();
    expect(text(undoCard)).toMatch(/Undo the change/);
    expect(text(undoCard)).toContain(SANDBOX_IMMUTABLE_IDS.alice);
    expect(text(undoCard)).toContain(SANDBOX_ON_PREM_GUIDS.alice);
    expect(patches()).toHaveLength(0);

    await h.tap('request.approve', { requestId: requestIdOn(undoCard) });
    expect(patches()).toEqual([expect.objectContaining({ path: `/v1.0/users/${SANDBOX_USERS.alice}`, body: { onPremisesImmutableId: SANDBOX_IMMUTABLE_IDS.alice } })]);
    expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  });

  it('`undo <request id>` reverses a hard match', async () => {
    await h.say(`match ivan@contoso.com to ${GUID}`, { from: HELPDESK });
    const matchId = requestIdOn(lastCard());
    await h.tap('request.approve', { requestId: matchId }, { from: APPROVER });
    await h.say(`undo ${matchId}`);
    const undoId = requestIdOn(lastCard());
    await h.tap('request.approve', { requestId: undoId });
    expect(patches().map((p) => p.body)).toEqual([{ onPremisesImmutableId: ANCHOR }, { onPremisesImmutableId: null }]);
    expect(h.sandbox.getUser(IVAN)?.onPremisesImmutableId).toBeNull();
  });

  it('is refused when the value is no longer what the change wrote', async () => {
    await h.say('clear immutable id for alice@contoso.com');
    const clearId = requestIdOn(lastCard());
    await h.tap('request.approve', { requestId: clearId });
    const alice = h.sandbox.getUser(SANDBOX_USERS.alice);
    if (!alice) throw new Error('no alice');
    alice.onPremisesImmutableId = ANCHOR;
    await h.say(`undo ${clearId}`);
    expect(text(lastCard())).toMatch(/can't be undone[\s\S]*not \(empty\)/);
    expect(patches()).toHaveLength(1);
  });

  it('is refused when another user now holds the value to restore, naming that user', async () => {
    await h.say('clear immutable id for alice@contoso.com');
    const clearId = requestIdOn(lastCard());
    await h.tap('request.approve', { requestId: clearId });
    const ivan = h.sandbox.getUser(IVAN);
    if (!ivan) throw new Error('no ivan');
    ivan.onPremisesImmutableId = SANDBOX_IMMUTABLE_IDS.alice;
    await h.say(`undo ${clearId}`);
    expect(text(lastCard())).toMatch(/Ivan Empty[\s\S]*already holds/);
    expect(patches()).toHaveLength(1);
  });

  it('says why when there is nothing to undo', async () => {
    await h.say('undo 0123456789abcdef0123456789abcdef');
    expect(texts().pop()).toMatch(/can't find request/);
    await h.say('clear immutable id for alice@contoso.com');
    const pending = requestIdOn(lastCard());
    await h.say(`undo ${pending}`);
    expect(texts().pop()).toMatch(/did not change anything/);
    await h.say('undo');
    expect(texts().pop()).toMatch(/`undo` and the request id/);
    expect(patches()).toHaveLength(0);
  });
});
