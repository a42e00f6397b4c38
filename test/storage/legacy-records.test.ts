/** Requests and audit records stored before the change model had a list of changes still read. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileAuditLog } from '../../src/storage/audit-log';
import { MemoryStore } from '../../src/storage/memory-store';
import { RequestStore } from '../../src/storage/request-store';

const ANCHOR = 'yYuRNW0Z6kCXeYidebdT8A==';

/** A request exactly as an earlier version stored it. */
function legacyRequest(id: string, state: string, outcome?: Record<string, unknown>): Record<string, unknown> {
  return {
    id,
    kind: 'clear-immutable-id',
    state,
    targetId: 'a11ce000-0000-4000-8000-000000000001',
    targetUpn: 'alice@contoso.com',
    targetDisplayName: 'Alice Smith',
    shownValue: ANCHOR,
    newValue: null,
    requester: { aadObjectId: 'h', name: 'Helen Helpdesk' },
    conversationId: '19:abc@thread.tacv2',
    tenantId: 't',
    createdAt: '2026-03-02T15:00:00Z',
    updatedAt: '2026-03-02T15:00:00Z',
    expiresAt: '2026-03-03T15:00:00Z',
    approvals: [],
    requiredApprovals: 1,
    ...(outcome ? { outcome } : {}),
  };
}

describe('old stored requests', () => {
  it('read with changes and steps instead of shownValue/newValue, and "cleared" as "completed"', async () => {
    const kv = new MemoryStore();
    await kv.write('request_old-completed-0001', legacyRequest('old-completed-0001', 'completed', { status: 'cleared', before: ANCHOR, after: null, at: '2026-03-02T15:01:00Z' }), { kind: 'absent' });
    await kv.write('request_old-pending-00001', legacyRequest('old-pending-00001', 'awaiting-approval'), { kind: 'absent' });
    await kv.write('request_old-lagging-00001', legacyRequest('old-lagging-00001', 'completed', { status: 'cleared-pending-replication', before: ANCHOR, after: ANCHOR, at: '2026-03-02T15:01:00Z' }), { kind: 'absent' });
    const requests = new RequestStore(kv);

    const completed = await requests.get('old-completed-0001');
    expect(completed).not.toHaveProperty('shownValue');
    expect(completed).not.toHaveProperty('newValue');
    expect(completed?.changes).toEqual([{ attribute: 'onPremisesImmutableId', before: ANCHOR, after: null }]);
    expect(completed?.outcome?.status).toBe('completed');
    expect(completed?.steps.map((s) => [s.name, s.status])).toEqual([['patch', 'done'], ['verify', 'done']]);
    expect((await requests.get('old-lagging-00001'))?.outcome?.status).toBe('completed-pending-replication');

    // A pending old request can still be approved: its transition sees the new shape and keeps it.
    const won = await requests.transition('old-pending-00001', ['awaiting-approval'], (r) => ({ ...r, state: 'executing' }));
    expect('won' in won && won.won.changes).toEqual([{ attribute: 'onPremisesImmutableId', before: ANCHOR, after: null }]);
    expect((await kv.read<Record<string, unknown>>('request_old-pending-00001'))?.value).not.toHaveProperty('shownValue');
    expect((await requests.listByState(['completed'])).map((r) => r.outcome?.status).sort()).toEqual(['completed', 'completed-pending-replication']);
  });
});

describe('old audit records', () => {
  it('read with the immutable-id change their before/after describe', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'legacy-audit-'));
    const file = path.join(dir, 'audit.jsonl');
    const old = { id: 'e1', at: '2026-03-02T15:01:00Z', event: 'change.succeeded', requestId: 'r1', actor: { aadObjectId: 'a', name: 'Anna' }, target: { id: 'u1', upn: 'alice@contoso.com' }, before: ANCHOR, after: null };
    await fs.writeFile(file, JSON.stringify(old) + '\n');
    const [entry] = await new FileAuditLog(file).list();
    expect(entry).toEqual({ ...old, changes: [{ attribute: 'onPremisesImmutableId', before: ANCHOR, after: null }] });
    await fs.rm(dir, { recursive: true, force: true });
  });
});
