/** Move UPN and clear (federated) with Restore UPN, clear on-prem attributes, and Clear when unsynced, over HTTP. */
import { CLEARABLE_ON_PREM_ATTRIBUTES, SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, HELPDESK, useHarness } from '../helpers/bot-harness';

const h = useHarness({ UNSYNC_CHECK_INTERVAL: '1s' });
const cardText = (card: Record<string, unknown>) => collectCardText(card).join('\n');
const lastCard = (): Record<string, unknown> => {
  const found = h.connector.messages().map((m) => cardOf(m.activity)).filter((c): c is Record<string, unknown> => c !== undefined);
  const last = found.at(-1);
  if (!last) throw new Error('no card was sent');
  return last;
};
const actionOf = (card: Record<string, unknown>, verb: string) => findActions(card).find((a) => a.verb === verb && a.type === 'Action.Execute');
const writes = () => h.sandbox.requests().filter((r) => r.method === 'PATCH' || r.method === 'POST' && r.path.includes('/restore'));

describe('federated: move UPN and clear, then Restore UPN', () => {
  it('one PATCH moves the UPN to the initial domain and clears; Restore UPN waits for an anchor, then moves it back', async () => {
    await h.say('clear immutable id for carol@fabrikam.com', { from: HELPDESK });
    const approve = actionOf(lastCard(), 'request.approve');
    expect(approve?.title).toBe('Move UPN and clear');
    const { body } = await h.tap('request.approve', approve?.data as Record<string, unknown>, { from: APPROVER });
    const outcome = body.value as Record<string, unknown>;
    expect(writes().map((r) => [r.path, r.body])).toEqual([[`/v1.0/users/${SANDBOX_USERS.carol}`, { onPremisesImmutableId: null, userPrincipalName: 'carol@contoso.onmicrosoft.com' }]]);
    expect(cardText(outcome)).toMatch(/Before the UPN goes back to the federated domain/);
    const intent = h.audit.entries.find((e) => e.event === 'change.intent');
    expect(JSON.stringify(intent?.changes)).toContain('carol@fabrikam.com');

    // No anchor yet: Restore UPN is refused with the reason, nothing written.
    const restore = actionOf(outcome, 'request.restore-upn');
    h.sandbox.clearRequests();
    const refused = await h.tap('request.restore-upn', restore?.data as Record<string, unknown>, { from: HELPDESK });
    expect(refused.status).toBe(200);
    expect(cardText(lastCard())).toMatch(/no anchor yet/i);
    expect(writes()).toHaveLength(0);

    // The sync matched her (wrote an anchor): Restore UPN opens a request; approval moves the UPN back.
    const carol = h.sandbox.getUser(SANDBOX_USERS.carol);
    if (carol) carol.onPremisesImmutableId = SANDBOX_IMMUTABLE_IDS.carol;
    await h.tap('request.restore-upn', restore?.data as Record<string, unknown>, { from: HELPDESK });
    const restoreCard = h.connector.messages().map((m) => cardOf(m.activity)).filter(Boolean).at(-1) as Record<string, unknown>;
    const approveRestore = actionOf(restoreCard, 'request.approve');
    expect(approveRestore?.title).toBe('Restore UPN');
    await h.tap('request.approve', approveRestore?.data as Record<string, unknown>, { from: APPROVER });
    expect(writes().map((r) => r.body)).toEqual([{ userPrincipalName: 'carol@fabrikam.com' }]);
    expect(h.sandbox.getUser(SANDBOX_USERS.carol)?.userPrincipalName).toBe('carol@fabrikam.com');
  });
});

describe('clear on-prem attributes', () => {
  it('clears every attribute that holds a value in one beta PATCH after approval; history shows the old values', async () => {
    await h.say('clear on-prem attributes for alice@contoso.com', { from: HELPDESK });
    const card = lastCard();
    expect(cardText(card)).toContain('onPremisesSamAccountName');
    const approve = actionOf(card, 'request.approve');
    expect(approve?.title).toBe('Clear attributes');
    expect(writes()).toHaveLength(0);
    await h.tap('request.approve', approve?.data as Record<string, unknown>, { from: APPROVER });
    const patch = writes();
    expect(patch).toHaveLength(1);
    expect(patch[0]?.path).toBe(`/beta/users/${SANDBOX_USERS.alice}`);
    expect(patch[0]?.body).toEqual(Object.fromEntries(CLEARABLE_ON_PREM_ATTRIBUTES.map((a) => [a, null])));
    for (const a of CLEARABLE_ON_PREM_ATTRIBUTES) expect(h.sandbox.getUser(SANDBOX_USERS.alice)?.[a]).toBeNull();
    await h.say('history alice@contoso.com', { from: HELPDESK });
    expect(cardText(lastCard())).toContain(SANDBOX_IMMUTABLE_IDS.alice);
  });

  it('refuses a synced user before any write', async () => {
    await h.say('clear on-prem attributes for bob@contoso.com', { from: HELPDESK });
    expect(actionOf(lastCard(), 'request.approve')).toBeUndefined();
    expect(writes()).toHaveLength(0);
  });
});

describe('Clear when unsynced', () => {
  it('waits while the user syncs, then becomes a restore-and-clear awaiting approval when the sync soft-deletes him', async () => {
    await h.say('clear immutable id for bob@contoso.com', { from: HELPDESK });
    const wait = actionOf(lastCard(), 'request.when-unsynced');
    expect(wait?.title).toBe('Clear when unsynced');
    const tapped = await h.tap('request.when-unsynced', wait?.data as Record<string, unknown>, { from: HELPDESK });
    expect(cardText(tapped.body.value as Record<string, unknown>)).toMatch(/Clear when unsynced: waiting/);
    await h.app.sweep();
    expect(writes()).toHaveLength(0);

    h.sandbox.stopSync('bob@contoso.com', { softDelete: true });
    await new Promise((r) => setTimeout(r, 1100));
    h.connector.clear();
    await h.app.sweep();
    expect(h.connector.messages().some((m) => /no longer syncs: the request to restore and clear/.test(m.activity.text ?? ''))).toBe(true);
    const ready = h.audit.entries.find((e) => e.event === 'request.ready');
    expect(ready?.detail).toMatch(/soft-deleted/);
    expect(writes()).toHaveLength(0);
    await h.tap('request.approve', { requestId: ready?.requestId }, { from: APPROVER });
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([`POST /v1.0/directory/deletedItems/${SANDBOX_USERS.bob}/restore`, `PATCH /v1.0/users/${SANDBOX_USERS.bob}`]);
  });
});
