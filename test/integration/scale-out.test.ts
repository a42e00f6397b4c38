/**
 * Scale-out: two bot instances share Azure Blob Storage (Azurite). Approvers tap Approve in both
 * at once; eTag concurrency lets exactly one PATCH through, and both instances see the outcome.
 */
import { startSandbox } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { startAzurite } from '../helpers/azurite';
import { APPROVER, APPROVER_2, cardOf, Harness, HELPDESK, startHarness } from '../helpers/bot-harness';
import { startRecordingConnector } from '../helpers/recording-connector';

it('lets exactly one PATCH through when approvers tap Approve on two instances at once', async () => {
  const azurite = await startAzurite();
  const sandbox = await startSandbox();
  const connector = await startRecordingConnector();
  const instances: Harness[] = [];
  try {
    const env = { STORAGE_CONNECTION_STRING: azurite.connectionString, STORAGE_CONTAINER_NAME: 'scale-out-test' };
    const a = await startHarness(env, { persistent: true, sandbox, connector });
    instances.push(a);
    const b = await startHarness(env, { persistent: true, sandbox, connector, conversations: { personal: a.conversationIdFor('personal'), groupChat: a.conversationIdFor('groupChat'), channel: a.conversationIdFor('channel') } });
    instances.push(b);

    for (const upn of ['alice@contoso.com', 'judy@contoso.onmicrosoft.com', '$frank@contoso.com']) {
      connector.clear();
      sandbox.clearRequests();
      await a.say(`clear immutable id for ${upn}`, { from: HELPDESK });
      const cardMessage = connector.messages().find((m) => cardOf(m.activity))!;
      const requestId = (findActions(cardOf(cardMessage.activity)!).find((x) => x.verb === 'request.approve')!.data as { requestId: string }).requestId;
      const taps = await Promise.all([
        a.tap('clear.confirm', { requestId }, { from: APPROVER, replyToId: cardMessage.id }),
        b.tap('clear.confirm', { requestId }, { from: APPROVER_2, replyToId: cardMessage.id }),
        b.tap('clear.confirm', { requestId }, { from: APPROVER, replyToId: cardMessage.id }),
        a.tap('clear.confirm', { requestId }, { from: APPROVER_2, replyToId: cardMessage.id }),
      ]);
      expect(sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(1);
      const outcomes = taps.filter((t) => t.body.type === 'application/vnd.microsoft.card.adaptive' && /cleared/i.test(collectCardText(t.body.value as Record<string, unknown>).join('\n')));
      expect(outcomes).toHaveLength(1);
      const others = taps.filter((t) => t.body.type === 'application/vnd.microsoft.activity.message');
      for (const other of others) expect(String(other.body.value)).toMatch(/already approved by/);
      // Both instances read the same state afterwards.
      expect((await b.app.deps.requests.get(requestId))?.state).toBe('completed');
      expect((await a.app.deps.requests.get(requestId))?.state).toBe('completed');
    }
  } finally {
    for (const h of instances) await h.close();
    await connector.close();
    await sandbox.close();
    await azurite.stop();
  }
});
