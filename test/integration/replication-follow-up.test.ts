/**
 * "Waiting for directory replication" is not the end: background reads (bounded, with backoff)
 * turn every copy of the card into "cleared" once the directory shows the change.
 */
import { collectCardText, findActions } from '../cards/card-text';
import { APPROVER, cardOf, useHarness } from '../helpers/bot-harness';
import { SANDBOX_USERS } from '../../src/sandbox';

const h = useHarness();

const cardText = (card: Record<string, unknown> | undefined) => collectCardText(card ?? {}).join('\n');
const updatesOf = (activityId: string) => h.connector.activities.filter((a) => a.method === 'PUT' && a.activityId === activityId);

async function requestAliceClear(): Promise<{ requestId: string; cardIds: string[] }> {
  await h.say('clear immutable id for alice@contoso.com', { from: APPROVER });
  const posted = h.connector.activities.filter((a) => a.method === 'POST' && cardOf(a.activity));
  const card = cardOf(posted[0]!.activity)!;
  const approve = findActions(card).find((a) => a.verb === 'request.approve' && a.type === 'Action.Execute');
  return { requestId: (approve!.data as { requestId: string }).requestId, cardIds: posted.map((p) => p.id) };
}

it('updates every copy of the card to "cleared" when a later read shows the immutable ID empty, and audits it', async () => {
  h.sandbox.setReplicationLag(2000);
  const { requestId, cardIds } = await requestAliceClear();
  expect(cardIds.length).toBeGreaterThanOrEqual(1);
  const { body } = await h.tap('request.approve', { requestId }, { from: APPROVER, replyToId: cardIds[0] });
  expect(cardText(body.value as Record<string, unknown>)).toMatch(/waiting for directory replication/);

  await h.connector.waitFor(() => cardIds.every((id) => updatesOf(id).some((u) => /Immutable ID cleared for Alice Smith/.test(cardText(cardOf(u.activity))))), 30_000);
  for (const id of cardIds) {
    const last = updatesOf(id).pop()!;
    const text = cardText(cardOf(last.activity));
    expect(text).toMatch(/Immutable ID cleared for Alice Smith/);
    expect(text).not.toMatch(/waiting for directory replication/);
  }
  expect(h.audit.entries.some((e) => e.requestId === requestId && /replication caught up/.test(e.detail ?? ''))).toBe(true);
  // One PATCH only: the follow-up only reads.
  expect(h.sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(1);
}, 45_000);

it('stops after a bounded number of reads when replication never catches up, leaving "waiting"', async () => {
  h.sandbox.setReplicationLag(10 * 60_000);
  const { requestId, cardIds } = await requestAliceClear();
  await h.tap('request.approve', { requestId }, { from: APPROVER, replyToId: cardIds[0] });
  const reads = () => h.sandbox.requests().filter((r) => r.method === 'GET' && r.path.includes(SANDBOX_USERS.alice)).length;
  const before = reads();
  await new Promise((resolve) => setTimeout(resolve, 4000));
  // Backoff: within 4 s only the first two re-reads (after 1.2 s, then 2.4 s more), each one GET.
  expect(reads() - before).toBeGreaterThanOrEqual(1);
  expect(reads() - before).toBeLessThanOrEqual(2);
  expect(updatesOf(cardIds[0]!).some((u) => /Immutable ID cleared for/.test(cardText(cardOf(u.activity))))).toBe(false);
}, 20_000);
