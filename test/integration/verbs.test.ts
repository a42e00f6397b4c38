/** The kind-neutral verbs drive a request, and the verbs of cards already posted in Teams still work. */
import { SANDBOX_USERS } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { cardOf, Harness, startHarness } from '../helpers/bot-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  h.sandbox.reset();
  h.connector.clear();
});

const patches = () => h.sandbox.requests().filter((r) => r.method === 'PATCH');
const text = (card: unknown) => collectCardText(card as Record<string, unknown>).join('\n');

/** Asks for a clear and returns the card's request id and the verbs of its Action.Execute buttons. */
async function requestClear(): Promise<{ requestId: string; verbs: string[] }> {
  expect(await h.say('clear immutable id for alice@contoso.com')).toBe(200);
  const card = h.connector.messages().map((m) => cardOf(m.activity)).filter(Boolean).pop()!;
  const actions = findActions(card).filter((a) => a.type === 'Action.Execute');
  const requestId = (actions.find((a) => a.verb === 'request.approve')!.data as { requestId: string }).requestId;
  return { requestId, verbs: actions.map((a) => String(a.verb)) };
}

describe.each([
  ['kind-neutral', { approve: 'request.approve', reject: 'request.reject', cancel: 'request.cancel' }],
  ['legacy (cards already posted in Teams)', { approve: 'clear.confirm', reject: 'clear.reject', cancel: 'clear.cancel' }],
])('%s verbs', (_name, verbs) => {
  it('approve clears with one PATCH', async () => {
    const { requestId } = await requestClear();
    const { body } = await h.tap(verbs.approve, { requestId });
    expect(text(body.value)).toMatch(/Immutable ID cleared/);
    expect(patches()).toEqual([expect.objectContaining({ path: `/v1.0/users/${SANDBOX_USERS.alice}`, body: { onPremisesImmutableId: null } })]);
  });

  it('reject with a reason writes nothing and says who rejected why', async () => {
    const { requestId } = await requestClear();
    const { body } = await h.tap(verbs.reject, { requestId, rejectReason: 'Wrong user' });
    expect(text(body.value)).toMatch(/Request for Alice Smith rejected by[\s\S]*Wrong user/);
    expect(patches()).toHaveLength(0);
  });

  it('cancel withdraws the request and writes nothing', async () => {
    const { requestId } = await requestClear();
    const { body } = await h.tap(verbs.cancel, { requestId });
    expect(text(body.value)).toMatch(/cancelled/i);
    expect(patches()).toHaveLength(0);
  });
});

it('new cards carry only the kind-neutral verbs', async () => {
  const { verbs } = await requestClear();
  expect(verbs).toEqual(expect.arrayContaining(['request.approve', 'request.reject', 'request.cancel']));
  expect(verbs.filter((v) => v.startsWith('clear.'))).toEqual([]);
});
