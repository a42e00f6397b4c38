/** Pending requests, card copies and the audit trail survive a restart (embedded file storage). */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../../src/sandbox';
import { collectCardText, findActions } from '../cards/card-text';
import { cardOf, HELPDESK, startHarness } from '../helpers/bot-harness';
import { startRecordingConnector } from '../helpers/recording-connector';

it('approves after a restart a request made before it, with one PATCH, and keeps the audit', async () => {
  const sandbox = await startSandbox();
  const connector = await startRecordingConnector();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'iid-restart-'));
  try {
    const first = await startHarness({ DATA_DIR: dataDir }, { persistent: true, sandbox, connector });
    await first.say('clear immutable id for alice@contoso.com', { from: HELPDESK });
    const card = cardOf(connector.messages().find((m) => cardOf(m.activity))!.activity)!;
    const cardMessageId = connector.messages().find((m) => cardOf(m.activity))!.id;
    const requestId = (findActions(card).find((a) => a.verb === 'request.approve')!.data as { requestId: string }).requestId;
    const personal = first.conversationIdFor('personal');
    await first.close();

    const second = await startHarness({ DATA_DIR: dataDir }, { persistent: true, sandbox, connector });
    const { body } = await second.tap('clear.confirm', { requestId }, { replyToId: cardMessageId, conversationId: personal });
    expect(collectCardText(body.value as Record<string, unknown>).join('\n')).toMatch(/cleared/i);
    expect(sandbox.requests().filter((r) => r.method === 'PATCH')).toHaveLength(1);
    await second.close();

    const audit = readFileSync(path.join(dataDir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; requestId: string });
    expect(audit.filter((e) => e.requestId === requestId).map((e) => e.event)).toEqual(['request.created', 'request.approved', 'change.intent', 'change.succeeded']);
  } finally {
    await connector.close();
    await sandbox.close();
  }
});
