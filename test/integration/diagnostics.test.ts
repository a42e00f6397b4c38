/** `show` says what decides the next sync match, in one Graph round trip once the tenant facts are cached. */
import { SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText } from '../cards/card-text';
import { cardOf, Harness, useHarness } from '../helpers/bot-harness';

/** Top-level Graph calls (a $batch counts once), and the sub-requests that asked for the tenant sync settings. */
const roundTrips = (h: Harness) => h.sandbox.requests().filter((r) => /^\/(v1\.0|beta)\//.test(r.path) && !r.viaBatch);
const syncReads = (h: Harness) => h.sandbox.requests().filter((r) => r.path === '/v1.0/directory/onPremisesSynchronization');
const lastCardText = (h: Harness) => {
  const cards = h.connector.messages().map((m) => cardOf(m.activity)).filter(Boolean);
  return collectCardText(cards[cards.length - 1] as Record<string, unknown>).join('\n');
};

describe('a tenant with the default matching flags', () => {
  const h = useHarness();

  it('shows the flags in plain words, the UPN and primary SMTP to carry, the domain type; one round trip, then the flags come from the cache', async () => {
    await h.say('show alice@contoso.com');
    const text = lastCardText(h);
    expect(text).toMatch(/What decides the next sync match/);
    expect(text).toMatch(/Soft match is allowed in this tenant: on the primary SMTP address, then on the UPN/);
    expect(text).toMatch(/must carry the UPN alice@contoso\.com and the primary SMTP address alice@contoso\.com/);
    expect(text).toMatch(/contoso\.com is Managed/);
    expect(text).toMatch(/No active admin roles/);
    expect(roundTrips(h)).toHaveLength(1);
    expect(syncReads(h)).toHaveLength(1);
    expect(syncReads(h)[0]?.viaBatch).toBe(true);

    h.sandbox.clearRequests();
    await h.say('show alice@contoso.com');
    expect(lastCardText(h)).toMatch(/Soft match is allowed/);
    expect(roundTrips(h)).toHaveLength(1);
    expect(syncReads(h)).toHaveLength(0);
  });

  it("lists the user's sync errors: the property and the value in conflict", async () => {
    const alice = h.sandbox.getUser(SANDBOX_USERS.alice);
    if (!alice) throw new Error('no alice');
    alice.onPremisesProvisioningErrors = [{ category: 'PropertyConflict', occurredDateTime: '2026-03-01T10:00:00Z', propertyCausingError: 'ProxyAddress', value: 'SMTP:alice@contoso.com' }];
    await h.say('show alice@contoso.com');
    expect(lastCardText(h)).toMatch(/Sync error PropertyConflict on ProxyAddress: the value SMTP:alice@contoso\.com is in conflict/);
  });

  it('names the admin roles that block soft matching, and the federated domain', async () => {
    await h.say('show dave@contoso.com');
    expect(lastCardText(h)).toMatch(/Admin roles block soft matching/i);
    await h.say('show carol@fabrikam.com');
    expect(lastCardText(h)).toMatch(/fabrikam\.com is Federated/);
  });
});

describe('a tenant that blocks soft match and hard-match takeover', () => {
  const h = useHarness();

  it('says only a hard match will work', async () => {
    h.sandbox.setSyncSettings({ features: { blockSoftMatchEnabled: true, blockCloudObjectTakeoverThroughHardMatchEnabled: true } });
    await h.say('show alice@contoso.com');
    const text = lastCardText(h);
    expect(text).toMatch(/Soft match is blocked in this tenant: only a hard match will work/);
    expect(text).toMatch(/Hard-match takeover of cloud objects is blocked/);
  });
});

describe('an app that may not read the tenant sync settings', () => {
  const h = useHarness();

  it('names the permission that would show them, never an error', async () => {
    h.sandbox.setSyncSettings({ forbidden: true });
    await h.say('show alice@contoso.com');
    const text = lastCardText(h);
    expect(text).toMatch(/needs the Graph permission OnPremDirectorySynchronization\.Read\.All/);
    expect(text).toMatch(/alice@contoso\.com/);
    expect(syncReads(h)).toEqual([expect.objectContaining({ status: 403 })]);
  });
});
