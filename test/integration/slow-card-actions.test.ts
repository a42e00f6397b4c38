/**
 * A tap that outlasts CARD_ACTION_DEADLINE_MS is answered at once and finished in the background.
 * What the people in the chat see must stay true: "Working…" only while an approved change is
 * actually running (a slow reject, cancel, reason or refresh says what it is doing, or shows the
 * current card); when the background work fails, the tapped card shows the request as it really
 * is (or says it could not finish and what to try) and the chat is told; and the card update that
 * everyone sees is the shared view, never the tapper's own.
 */
import { SANDBOX_USERS } from '../../src/sandbox';
import { MemoryStore } from '../../src/storage/memory-store';
import type { StoredItem, WriteCondition } from '../../src/storage/key-value-store';
import type { ChangeRequest } from '../../src/workflow/types';
import { findActions } from '../cards/card-text';
import { APPROVER, cardOf, Harness, HELPDESK, InvokeBody, useHarness } from '../helpers/bot-harness';
import { cardText, patches, requestClear, sentTexts, sleep, submit, waitUntil } from '../helpers/security-helpers';

/** Memory storage whose request items can be made slow or failing, like a struggling storage account. */
class ScriptedStore extends MemoryStore {
  /** Runs before a request item is written; may wait or throw. */
  beforeRequestWrite: ((next: ChangeRequest) => Promise<void>) | undefined;
  /** Runs before a request item is read; may wait or throw. */
  beforeRequestRead: (() => Promise<void>) | undefined;

  override async write<T>(key: string, value: T, condition?: WriteCondition): Promise<string> {
    if (key.startsWith('request_') && this.beforeRequestWrite) await this.beforeRequestWrite(value as unknown as ChangeRequest);
    return super.write(key, value, condition);
  }

  override async read<T>(key: string): Promise<StoredItem<T> | undefined> {
    if (key.startsWith('request_') && this.beforeRequestRead) await this.beforeRequestRead();
    return super.read<T>(key);
  }
}

const store = new ScriptedStore();
const h = useHarness({ CARD_ACTION_DEADLINE_MS: '300', RATE_LIMIT_PER_MINUTE: '10000' }, { store });
afterEach(async () => {
  store.beforeRequestWrite = undefined;
  store.beforeRequestRead = undefined;
  // A tap finishing in the background (its tips, its card) must not land in the next test.
  await h.app.inFlight.drain(10_000);
});

const WORKING = /Working|Making the change/i;
const outage = () => Object.assign(new Error('storage unavailable (503)'), { statusCode: 503 });

const shown = (body: InvokeBody): string => (body.type === 'application/vnd.microsoft.card.adaptive' ? cardText(body.value) : String(body.value));
const verbsOn = (card: unknown): string[] => findActions(card as Record<string, unknown>).flatMap((a) => (a.type === 'Action.Execute' && typeof a.verb === 'string' ? [a.verb] : []));
/** Every card the chat put on the tapped message, oldest first. */
const updatesOf = (messageId: string, x: Harness = h) => x.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === messageId).map((a) => cardOf(a.activity));
const lastUpdateOf = (messageId: string, x: Harness = h) => updatesOf(messageId, x).at(-1);

async function finalUpdate(messageId: string, what: string, accept: (text: string) => boolean = () => true, x: Harness = h): Promise<Record<string, unknown>> {
  await waitUntil(() => updatesOf(messageId, x).some((c) => accept(cardText(c))), 10_000, what);
  return lastUpdateOf(messageId, x)!;
}

describe('a slow tap that is not an approval says what it is doing, never "Working…"', () => {
  it.each([
    {
      verb: 'request.reject',
      by: APPROVER,
      data: { rejectReason: 'wrong user' },
      slowWhen: (r: ChangeRequest) => r.state === 'rejected',
      interim: /Recording your rejection/,
      final: /rejected/i,
    },
    {
      verb: 'request.cancel',
      by: HELPDESK,
      data: {},
      slowWhen: (r: ChangeRequest) => r.state === 'cancelled',
      interim: /Cancelling the request/,
      final: /cancelled/i,
    },
    {
      verb: 'request.reason',
      by: HELPDESK,
      data: { reason: 'INC0012345' },
      slowWhen: (r: ChangeRequest) => r.reason === 'INC0012345',
      interim: /Saving your reason/,
      final: /INC0012345/,
    },
  ])('$verb', async ({ verb, by, data, slowWhen, interim, final }) => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    store.beforeRequestWrite = async (next) => {
      if (slowWhen(next)) await sleep(1200);
    };
    const { status, body } = await h.tap(verb, { requestId, ...data }, { from: by, conversation: 'groupChat', replyToId: cardMessageId });
    expect(status).toBe(200);
    expect(shown(body)).toMatch(interim);
    expect(shown(body)).not.toMatch(WORKING);
    const card = await finalUpdate(cardMessageId, 'the card update', (t) => final.test(t));
    expect(cardText(card)).not.toMatch(WORKING);
    expect(cardText(card)).not.toMatch(interim);
    expect(patches(h.sandbox)).toHaveLength(0);
  });

  it('request.refresh answers with the current card', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    let slowReads = 1;
    store.beforeRequestRead = async () => {
      if (slowReads-- > 0) await sleep(1200);
    };
    const { body } = await h.tap('request.refresh', { requestId }, { from: APPROVER, conversation: 'groupChat', replyToId: cardMessageId });
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(shown(body)).not.toMatch(WORKING);
    expect(shown(body)).toContain('alice@contoso.com');
    expect(verbsOn(body.value)).toContain('request.approve');
  });
});

describe('when the background work fails, the card shows the request as it really is', () => {
  it('a rejection that could not be saved puts the waiting request back on the card and says so in the chat', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    store.beforeRequestWrite = async (next) => {
      if (next.state !== 'rejected') return;
      await sleep(800);
      throw outage();
    };
    const { body } = await h.tap('request.reject', { requestId, rejectReason: 'wrong user' }, { conversation: 'groupChat', replyToId: cardMessageId });
    expect(shown(body)).toMatch(/Recording your rejection/);

    const card = await finalUpdate(cardMessageId, 'the card put back', (t) => !/Recording your rejection/.test(t));
    expect(cardText(card)).not.toMatch(WORKING);
    expect(cardText(card)).toContain('alice@contoso.com');
    // The request still waits, so its buttons are back.
    expect(verbsOn(card)).toEqual(expect.arrayContaining(['request.approve', 'request.reject']));
    expect((await h.app.deps.requests.get(requestId))?.state).toBe('awaiting-approval');
    await waitUntil(() => sentTexts(h).some((t) => /couldn't finish/i.test(t)), 5000, 'the chat message');
    const told = sentTexts(h).find((t) => /couldn't finish/i.test(t))!;
    expect(told).toMatch(/rejecting the request to clear the immutable ID of \*\*alice@contoso\.com/);
    expect(told).toMatch(/still waits for approval/);
    expect(told).toMatch(/try again/i);
    expect(told).toMatch(/ref [0-9a-f]{8}/);
    expect(told).not.toMatch(/storage unavailable|Error|at .*\.ts/);
  });

  it('when even the request cannot be read again, the card says it could not finish and what to try', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    let down = false;
    store.beforeRequestWrite = async (next) => {
      if (next.state !== 'rejected') return;
      await sleep(800);
      down = true;
      throw outage();
    };
    store.beforeRequestRead = async () => {
      if (down) throw outage();
    };
    await h.tap('request.reject', { requestId, rejectReason: 'wrong user' }, { conversation: 'groupChat', replyToId: cardMessageId });
    const card = await finalUpdate(cardMessageId, 'the could-not-finish card', (t) => /Could not finish/i.test(t));
    const text = cardText(card);
    expect(text).not.toMatch(WORKING);
    expect(text).toContain('alice@contoso.com');
    expect(text).toMatch(/history alice@contoso\.com/);
    expect(verbsOn(card)).toEqual(['request.refresh']);
    await waitUntil(() => sentTexts(h).some((t) => /couldn't finish/i.test(t)), 5000, 'the chat message');
    down = false;
  });

  it('an approved change whose outcome could not be saved shows the change on the card, not "Working…"', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    h.sandbox.addFault({ method: 'PATCH', pathIncludes: SANDBOX_USERS.alice, delayMs: 800, times: 1 });
    store.beforeRequestWrite = async (next) => {
      if (next.state === 'completed' || next.state === 'failed') throw outage();
    };
    const { body } = await h.tap('request.approve', { requestId }, { conversation: 'groupChat', replyToId: cardMessageId });
    expect(shown(body)).toMatch(/Working/);
    const card = await finalUpdate(cardMessageId, 'the card after the change', (t) => !WORKING.test(t));
    expect(cardText(card)).toMatch(/cleared/i);
    expect(patches(h.sandbox)).toHaveLength(1);
  });

  it('a storage read failing after a successful change does not turn it into a failure', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    h.sandbox.addFault({ method: 'PATCH', pathIncludes: SANDBOX_USERS.alice, delayMs: 800, times: 1 });
    let failNextRead = false;
    store.beforeRequestWrite = async (next) => {
      if (next.state === 'completed') failNextRead = true;
    };
    store.beforeRequestRead = async () => {
      if (!failNextRead) return;
      failNextRead = false;
      throw outage();
    };
    await h.tap('request.approve', { requestId }, { conversation: 'groupChat', replyToId: cardMessageId });
    const card = await finalUpdate(cardMessageId, 'the outcome card', (t) => !WORKING.test(t));
    expect(cardText(card)).toMatch(/Immutable ID cleared/i);
    expect(cardText(card)).not.toMatch(/Could not finish/i);
    expect(sentTexts(h).join('\n')).not.toMatch(/couldn't finish/i);
    expect((await h.app.deps.requests.get(requestId))?.state).toBe('completed');
  });

});

describe('"Working…" is shown only while the change really runs', () => {
  it('an approved change whose lease ran out (its process stopped) is shown as being checked, with Refresh and history', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    await h.app.deps.requests.update(requestId, (r) => ({
      ...r,
      state: 'executing',
      approvedBy: { aadObjectId: APPROVER.aadObjectId, name: APPROVER.name },
      lease: { owner: 'a-stopped-process', expiresAt: new Date(Date.now() - 60_000).toISOString() },
    }));
    const { body } = await h.tap('request.refresh', { requestId }, { conversation: 'groupChat', replyToId: cardMessageId });
    expect(shown(body)).not.toMatch(WORKING);
    expect(shown(body)).toMatch(/Checking what happened/);
    expect(shown(body)).toMatch(/history alice@contoso\.com/);
    expect(verbsOn(body.value)).toEqual(['request.refresh']);
  });

  it('while its lease holds, an approved change is "Working on it…"', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    await h.app.deps.requests.update(requestId, (r) => ({
      ...r,
      state: 'executing',
      lease: { owner: 'another-instance', expiresAt: new Date(Date.now() + 60_000).toISOString() },
    }));
    const { body } = await h.tap('request.refresh', { requestId }, { conversation: 'groupChat', replyToId: cardMessageId });
    expect(shown(body)).toMatch(/Working on it/);
    expect(verbsOn(body.value)).toEqual([]);
  });
});

describe('the card everyone sees is the shared view, never the tapper’s own', () => {
  it('a slow "Add reason" by the requester updates the group chat card with the shared view', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    store.beforeRequestWrite = async (next) => {
      if (next.reason === 'INC0099') await sleep(1200);
    };
    await h.tap('request.reason', { requestId, reason: 'INC0099' }, { from: HELPDESK, conversation: 'groupChat', replyToId: cardMessageId });
    const card = await finalUpdate(cardMessageId, 'the card with the reason', (t) => t.includes('INC0099'));
    // The requester's own view has only Cancel and Add reason; everyone else must see the approval buttons.
    expect(verbsOn(card)).toEqual(expect.arrayContaining(['request.approve', 'request.reject', 'request.cancel']));
    expect(verbsOn(card)).not.toContain('request.reason');
  });

  it('a slow refresh by an approver does not write the approver’s view over the group chat card', async () => {
    const { requestId, cardMessageId } = await requestClear(h, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    let slowReads = 1;
    store.beforeRequestRead = async () => {
      if (slowReads-- > 0) await sleep(1200);
    };
    await h.tap('request.refresh', { requestId }, { from: APPROVER, conversation: 'groupChat', replyToId: cardMessageId });
    await sleep(1500);
    for (const card of updatesOf(cardMessageId)) {
      // The approver's own view lacks Cancel and titles the button "Approve & clear".
      expect(verbsOn(card)).toContain('request.cancel');
      expect(cardText(card)).not.toMatch(/Approve & clear/);
    }
  });

});

describe('taps answered within the deadline', () => {
  // A deadline no loaded test machine reaches: these taps must take the immediate path.
  const quickStore = new ScriptedStore();
  const q = useHarness({ CARD_ACTION_DEADLINE_MS: '10000', RATE_LIMIT_PER_MINUTE: '10000' }, { store: quickStore });
  afterEach(async () => {
    quickStore.beforeRequestWrite = undefined;
    await q.app.inFlight.drain(10_000);
  });

  it('a tap whose work fails before the deadline gets the same clear answer, not "something went wrong"', async () => {
    const { requestId, cardMessageId } = await requestClear(q, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    quickStore.beforeRequestWrite = async (next) => {
      if (next.state === 'cancelled') throw outage();
    };
    const { status, body } = await q.tap('request.cancel', { requestId }, { from: HELPDESK, conversation: 'groupChat', replyToId: cardMessageId });
    expect(status).toBe(200);
    expect(body.statusCode).toBe(200);
    expect(shown(body)).not.toMatch(/Something went wrong/i);
    await waitUntil(() => sentTexts(q).some((t) => /couldn't finish/i.test(t)), 5000, 'the chat message');
    expect(sentTexts(q).find((t) => /couldn't finish/i.test(t))).toMatch(/cancelling the request/);
    expect((await q.app.deps.requests.get(requestId))?.state).toBe('awaiting-approval');
  });

  it('an Action.Submit "Add reason" (clients without Universal Actions) updates the message with the shared view', async () => {
    const { requestId, cardMessageId } = await requestClear(q, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    const { status } = await submit(q, { verb: 'request.reason', requestId, reason: 'INC0077' }, { from: HELPDESK, conversation: 'groupChat', replyToId: cardMessageId });
    expect(status).toBe(200);
    const card = await finalUpdate(cardMessageId, 'the card with the reason', (t) => t.includes('INC0077'), q);
    expect(verbsOn(card)).toEqual(expect.arrayContaining(['request.approve', 'request.reject', 'request.cancel']));
    expect(verbsOn(card)).not.toContain('request.reason');
  });

  it('a tap answered at once in a group chat also turns the message into the shared view, for everyone else', async () => {
    const { requestId, cardMessageId } = await requestClear(q, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    const { body } = await q.tap('request.reject', { requestId, rejectReason: 'wrong user' }, { conversation: 'groupChat', replyToId: cardMessageId });
    expect(shown(body)).toMatch(/rejected/i);
    // Without the edit, the requester and everyone else in the chat would still see Confirm and Reject.
    const card = lastUpdateOf(cardMessageId, q);
    expect(card && cardText(card)).toMatch(/rejected/i);
    expect(verbsOn(card)).not.toContain('request.approve');
  });

  it('in a personal chat the invoke response is enough: the message is not edited', async () => {
    const { requestId, cardMessageId } = await requestClear(q, 'alice@contoso.com', { from: HELPDESK });
    await q.tap('request.cancel', { requestId }, { from: HELPDESK, replyToId: cardMessageId });
    expect(updatesOf(cardMessageId, q)).toHaveLength(0);
  });

  it('a refresh does not edit the message (an edit makes every client refresh again)', async () => {
    const { requestId, cardMessageId } = await requestClear(q, 'alice@contoso.com', { from: HELPDESK, conversation: 'groupChat' });
    const { body } = await q.tap('request.refresh', { requestId }, { conversation: 'groupChat', replyToId: cardMessageId });
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(updatesOf(cardMessageId, q)).toHaveLength(0);
  });
});
