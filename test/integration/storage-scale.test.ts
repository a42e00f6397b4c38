/**
 * State that scales: with 10,000 closed requests, 5,000 conversation references and 10,000 audit
 * records of other users in the store, a sweep, a card update and `history <user>` cost the same
 * storage reads (and listings, and keys listed, and audit bytes read) as with 10 of each.
 * The store is seeded directly, as the bot would have written it, not through the bot.
 */
import { promises as fsp, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { SANDBOX_USERS } from '../../src/sandbox';
import { FileAuditLog } from '../../src/storage/audit-log';
import { ReferenceStore } from '../../src/storage/reference-store';
import { RequestStore } from '../../src/storage/request-store';
import type { ChangeRequest, RequestState } from '../../src/workflow/types';
import { collectCardText } from '../cards/card-text';
import { cardOf, HELPDESK, startHarness } from '../helpers/bot-harness';
import { CountingStore, StoreCounts } from '../helpers/counting-store';
import { makeRequest } from '../helpers/change-request';

const TENANT = '7e4a0000-0000-4000-8000-000000000000';

function request(id: string, state: RequestState, targetId: string): ChangeRequest {
  return makeRequest(
    id,
    state,
    {
      targetId,
      targetUpn: `${targetId}@contoso.com`,
      targetDisplayName: 'Someone',
      steps: [{ name: 'patch', status: state === 'completed' ? 'done' : 'pending' }],
      requester: { aadObjectId: HELPDESK.aadObjectId, name: HELPDESK.name },
      conversationId: `a:seeded-${id}`,
      tenantId: TENANT,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    },
    new Date(Date.now() - 86_400_000),
  );
}

interface Cost {
  sweep: StoreCounts;
  cardUpdate: StoreCounts;
  history: StoreCounts & { auditBytes: number };
}

/** Seeds `closed` closed requests, `references` references and `others` audit records of other users, then measures. */
async function measure(closed: number, references: number, others: number): Promise<Cost> {
  const store = new CountingStore();
  const requests = new RequestStore(store);
  const refs = new ReferenceStore(store);
  for (let i = 0; i < closed; i++) await requests.create(request(`closed${i}`, 'completed', `user-${i}`));
  for (let i = 0; i < 2; i++) await requests.create(request(`open${i}`, 'awaiting-approval', `user-open-${i}`));
  for (let i = 0; i < references; i++) {
    await refs.save({ serviceUrl: 'https://smba.example/', channelId: 'msteams', tenantId: TENANT, conversation: { id: `a:seeded-${i}`, conversationType: 'personal' }, savedAt: new Date().toISOString() });
  }
  // The audit trail: the other users' records and three of Alice's, as an earlier process wrote them.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'iid-scale-'));
  const auditFile = path.join(dir, 'audit.jsonl');
  const line = (n: number, target: { id: string; upn: string }) =>
    JSON.stringify({ id: `e${String(n).padStart(6, '0')}`, at: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(), event: 'request.created', requestId: `r${String(n).padStart(6, '0')}`, actor: { aadObjectId: HELPDESK.aadObjectId, name: HELPDESK.name }, target });
  const lines = Array.from({ length: others }, (_, n) => line(n, { id: `user-${n}`, upn: `user${n}@contoso.com` }));
  for (let n = 0; n < 3; n++) lines.push(line(20_000 + n, { id: SANDBOX_USERS.alice, upn: 'alice@contoso.com' }));
  writeFileSync(auditFile, lines.join('\n') + '\n');
  const audit = new FileAuditLog(auditFile);

  const h = await startHarness({}, { store, auditLog: audit });
  try {
    await h.say('help', { from: HELPDESK }); // saves this chat's reference
    await h.app.sweep(); // the first pass after start (index checks, archive cursor) is not the steady state
    await audit.list({ targetId: 'warm-up' }); // an old trail is split once per store, not per history

    store.reset();
    await h.app.sweep();
    const sweep = { ...store.counts };

    store.reset();
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'updated' }] };
    expect(await h.app.deps.chat!.updateCard({ conversationId: h.conversationIdFor('personal'), activityId: 'activity-1', role: 'requester' }, card)).toBe(true);
    const cardUpdate = { ...store.counts };

    h.connector.clear();
    store.reset();
    const readFile = jest.spyOn(fsp, 'readFile');
    let auditBytes = 0;
    try {
      await h.say('history alice@contoso.com', { from: HELPDESK });
      for (const result of readFile.mock.results) auditBytes += String(await (result.value as Promise<string>)).length;
    } finally {
      readFile.mockRestore();
    }
    const history = { ...store.counts, auditBytes };
    const shown = h.connector.messages().map((m) => cardOf(m.activity)).find(Boolean);
    expect(collectCardText(shown as Record<string, unknown>).join('\n')).toMatch(/alice@contoso\.com/);
    return { sweep, cardUpdate, history };
  } finally {
    await h.close();
  }
}

it('a sweep, a card update and history <user> cost the same with 10,000 closed requests and 5,000 references as with 10', async () => {
  const small = await measure(10, 10, 10);
  const large = await measure(10_000, 5_000, 10_000);
  expect(large).toEqual(small);
  // And small in absolute terms: the sweep lists the two open requests and a few bookkeeping keys (recent deliveries…), not the history.
  expect(large.sweep.listed).toBeLessThan(20);
  expect(large.sweep.reads).toBeLessThan(20);
  expect(large.cardUpdate.lists).toBe(0);
  expect(large.cardUpdate.reads).toBeLessThanOrEqual(2);
  expect(large.history.lists).toBe(0);
});
