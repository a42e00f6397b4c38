/**
 * Threat: protection of admin accounts fails open. When the app may not read directory roles
 * (no RoleManagement.Read.Directory), Graph lists the user's role objects with only an id; and a
 * PIM-eligible Global Administrator holds no active role at all. Either way the admin must be
 * refused, the card must say why and name the missing permission, and nothing is written.
 * The sandbox switches: POST /_sandbox/roles {"idOnly": true} and {"eligibleOnly": true}.
 */
import { findActions } from '../cards/card-text';
import { Harness, HELPDESK, startHarness } from '../helpers/bot-harness';
import { cardText, lastCard, patches, requestClear, writes } from '../helpers/security-helpers';

const hasConfirm = (card: Record<string, unknown>) => findActions(card).some((a) => a.verb === 'request.approve');

async function control(h: Harness, body: unknown): Promise<number> {
  const response = await fetch(`${h.sandbox.url}/_sandbox/roles`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ RATE_LIMIT_PER_MINUTE: '10000' });
});
afterAll(() => h.close());
beforeEach(() => {
  h.sandbox.reset();
  h.connector.clear();
  h.audit.entries.length = 0;
});

describe('role objects without details (the app may not read roles)', () => {
  beforeEach(async () => {
    expect(await control(h, { idOnly: true })).toBe(204);
  });

  it('refuses a Global Administrator whose role came back id-only, naming RoleManagement.Read.Directory', async () => {
    await h.say('clear immutable id for dave@contoso.com', { from: HELPDESK });
    const card = lastCard(h);
    expect(hasConfirm(card)).toBe(false);
    expect(cardText(card)).toMatch(/RoleManagement\.Read\.Directory/);
    expect(writes(h.sandbox)).toHaveLength(0);
    expect(h.audit.entries.filter((e) => e.event === 'request.created')).toHaveLength(0);
  });

  it('refuses everyone while eligibility cannot be read (it cannot tell an eligible admin from a user), saying which permission is missing', async () => {
    await h.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    const card = lastCard(h);
    expect(hasConfirm(card)).toBe(false);
    expect(cardText(card)).toMatch(/RoleManagement\.Read\.Directory/);
  });

  it('does not write when roles turn unreadable between the request and the confirm', async () => {
    expect(await control(h, { idOnly: false })).toBe(204);
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com');
    expect(await control(h, { idOnly: true })).toBe(204);
    h.sandbox.clearRequests();
    const { body } = await h.tap('request.approve', { requestId }, { replyToId: cardMessageId });
    expect(patches(h.sandbox)).toHaveLength(0);
    expect(cardText(body.value)).toMatch(/RoleManagement\.Read\.Directory/);
  });
});

describe('an eligible-only Global Administrator (PIM)', () => {
  beforeEach(async () => {
    expect(await control(h, { eligibleOnly: true })).toBe(204);
  });

  it('is refused as privileged, and the card says the role is eligible', async () => {
    await h.say('clear immutable id for dave@contoso.com', { from: HELPDESK });
    const card = lastCard(h);
    expect(hasConfirm(card)).toBe(false);
    expect(cardText(card)).toMatch(/Global Administrator \\?\(eligible/);
    expect(writes(h.sandbox)).toHaveLength(0);
    // Asked Graph for the user's eligibility by object id.
    const asked = h.sandbox.requests().some((r) => JSON.stringify(r).includes('roleEligibilitySchedules'));
    expect(asked).toBe(true);
  });

  it('still lets an ordinary user through', async () => {
    await requestClear(h, 'alice@contoso.com');
    expect(hasConfirm(lastCard(h))).toBe(true);
  });
});

it('the sandbox control refuses a malformed switch', async () => {
  expect(await control(h, { idOnly: 'yes' })).toBe(400);
  expect(await control(h, {})).toBe(400);
});
