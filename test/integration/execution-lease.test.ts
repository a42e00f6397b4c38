/**
 * No request left "executing": the lease. Two instances share one store (as with Blob state); one
 * stalls mid-change past its lease, the other's sweep takes over, reads the user back and settles
 * the request once; the stalled one writes nothing after losing the lease. A new instance started
 * while a lease is still valid leaves the request alone until it runs out.
 */
import { SANDBOX_IMMUTABLE_IDS, SANDBOX_USERS, startSandbox, type RunningSandbox } from '../../src/sandbox';
import { MemoryStore } from '../../src/storage/memory-store';
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, Harness, HELPDESK, startHarness } from '../helpers/bot-harness';
import { RecordingConnector, startRecordingConnector } from '../helpers/recording-connector';

const LEASE_MS = 1000;
const env = { EXECUTION_LEASE: '1s', CARD_ACTION_DEADLINE_MS: '300', VERIFY_MAX_WAIT_MS: '600' };

let sandbox: RunningSandbox;
let connector: RecordingConnector;
const open: Harness[] = [];

beforeAll(async () => {
  sandbox = await startSandbox();
  connector = await startRecordingConnector();
});
afterAll(async () => {
  for (const h of open) await h.close();
  await connector.close();
  await sandbox.close();
});
beforeEach(() => {
  sandbox.reset();
  connector.clear();
});

async function twoInstances(): Promise<[Harness, Harness, MemoryStore]> {
  const store = new MemoryStore();
  const a = await startHarness(env, { sandbox, connector, store });
  const conversations = { personal: a.conversationIdFor('personal'), groupChat: a.conversationIdFor('groupChat'), channel: a.conversationIdFor('channel') };
  const b = await startHarness(env, { sandbox, connector, store, conversations });
  open.push(a, b);
  return [a, b, store];
}

async function requestClear(h: Harness, upn: string): Promise<{ requestId: string; cardId: string }> {
  await h.say(`clear immutable id for ${upn}`, { from: HELPDESK });
  const cardMessage = connector.messages().find((m) => cardOf(m.activity))!;
  const requestId = (findActions(cardOf(cardMessage.activity)!).find((x) => x.verb === 'request.approve')!.data as { requestId: string }).requestId;
  return { requestId, cardId: cardMessage.id };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const patches = () => sandbox.requests().filter((r) => r.method === 'PATCH');
const eventsOf = (requestId: string, ...hs: Harness[]) => hs.flatMap((h) => h.audit.entries.filter((e) => e.requestId === requestId).map((e) => e.event));
const cardUpdateText = (cardId: string) =>
  connector.activities
    .filter((a) => a.method === 'PUT' && a.activityId === cardId)
    .map((a) => collectCardText(cardOf(a.activity)!).join('\n'));
const chatTexts = () => connector.messages().map((m) => String(m.activity.text ?? ''));

it('a stalled instance loses its lease before the PATCH: the other settles the request once and nothing is written', async () => {
  const [a, b] = await twoInstances();
  const { requestId, cardId } = await requestClear(a, 'alice@contoso.com');
  // The re-read before the PATCH stalls well past the lease.
  sandbox.addFault({ method: 'POST', pathIncludes: '$batch', delayMs: LEASE_MS * 3, times: 1 });
  const tap = a.tap('clear.confirm', { requestId }, { from: APPROVER, replyToId: cardId });
  await sleep(LEASE_MS + 400);
  expect((await b.app.deps.requests.get(requestId))?.state).toBe('executing');

  connector.clear();
  await b.app.sweep();
  const settled = await b.app.deps.requests.get(requestId);
  expect(settled?.state).toBe('failed');
  expect(settled?.outcome?.message).toMatch(/nothing was changed/i);
  expect(settled?.lease).toBeUndefined();
  // Every copy of the card is updated and the requester is told.
  expect(cardUpdateText(cardId).join('\n')).toMatch(/nothing was changed/i);
  expect(chatTexts().join('\n')).toMatch(/nothing was changed/i);

  await tap;
  await a.app.inFlight.drain(10_000);
  // The stalled instance came back after losing its lease: no intent, no PATCH, no second outcome.
  expect(patches()).toHaveLength(0);
  expect(sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.alice);
  expect(eventsOf(requestId, a, b)).toEqual(['request.created', 'request.approved', 'change.reconciled']);
  expect((await a.app.deps.requests.get(requestId))?.state).toBe('failed');
  // A later sweep on either instance has nothing left to settle.
  connector.clear();
  await a.app.sweep();
  await b.app.sweep();
  expect(cardUpdateText(cardId)).toHaveLength(0);
});

it('a stalled instance loses its lease while verifying: the other finds the change made, records it once, no second PATCH', async () => {
  const [a, b] = await twoInstances();
  const { requestId, cardId } = await requestClear(a, 'alice@contoso.com');
  // The PATCH goes through (answered after 300 ms); the read-back after it stalls past the lease.
  sandbox.addFault({ method: 'PATCH', pathIncludes: SANDBOX_USERS.alice, delayMs: 300, times: 1 });
  const tap = a.tap('clear.confirm', { requestId }, { from: APPROVER, replyToId: cardId });
  while (patches().length === 0) await sleep(20);
  sandbox.addFault({ method: 'GET', pathIncludes: SANDBOX_USERS.alice, delayMs: LEASE_MS * 3, times: 1 });
  await sleep(LEASE_MS + 600);
  expect(patches()).toHaveLength(1);

  connector.clear();
  await b.app.sweep();
  const settled = await b.app.deps.requests.get(requestId);
  expect(settled?.state).toBe('completed');
  expect(settled?.outcome?.after).toBeNull();
  expect(cardUpdateText(cardId).join('\n')).toMatch(/cleared/i);

  await tap;
  await a.app.inFlight.drain(10_000);
  expect(patches()).toHaveLength(1);
  expect(sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBeNull();
  // Recorded once: the intent by the instance that wrote, the outcome by the one that took over.
  expect(eventsOf(requestId, a, b)).toEqual(['request.created', 'request.approved', 'change.intent', 'change.reconciled']);
  expect((await a.app.deps.requests.get(requestId))?.outcome?.message).toMatch(/recorded later/i);
});

it('a new instance started while the lease is still valid does not settle the request early; after expiry its sweep does', async () => {
  const store = new MemoryStore();
  const first = await startHarness(env, { sandbox, connector, store });
  open.push(first);
  const { requestId, cardId } = await requestClear(first, 'alice@contoso.com');
  // The first process claimed the request and died before its re-read answered.
  sandbox.addFault({ method: 'POST', pathIncludes: '$batch', delayMs: LEASE_MS * 4, times: 1 });
  void first.tap('clear.confirm', { requestId }, { from: APPROVER, replyToId: cardId });
  await sleep(200);
  const claimed = await first.app.deps.requests.get(requestId);
  expect(claimed?.state).toBe('executing');
  expect(Date.parse(claimed!.lease!.expiresAt)).toBeGreaterThan(Date.now());

  connector.clear();
  const conversations = { personal: first.conversationIdFor('personal'), groupChat: first.conversationIdFor('groupChat'), channel: first.conversationIdFor('channel') };
  const restarted = await startHarness(env, { sandbox, connector, store, conversations });
  open.push(restarted);
  // Start-up ran its check: the lease is valid, so the request is left to its owner.
  expect((await restarted.app.deps.requests.get(requestId))?.state).toBe('executing');
  expect(cardUpdateText(cardId)).toHaveLength(0);

  await sleep(LEASE_MS + 200);
  await restarted.app.sweep();
  expect((await restarted.app.deps.requests.get(requestId))?.state).toBe('failed');
  expect(cardUpdateText(cardId).join('\n')).toMatch(/nothing was changed/i);
  await first.app.inFlight.drain(10_000);
  expect(patches()).toHaveLength(0);
});
