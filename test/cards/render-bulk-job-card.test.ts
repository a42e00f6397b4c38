import { cardSizeBytes, MAX_CARD_BYTES, renderBulkJobCard } from '../../src/cards';
import type { BulkItemRecord, BulkJob, ExclusionReason } from '../../src/workflow/bulk/types';
import { cardTextJoined, findActions } from './card-text';
import { expectValidCard } from './official-parser';

const ID = '0123456789abcdef0123456789abcdef';

function job(overrides: Partial<BulkJob> = {}, users = 3, excludedPer = 2): BulkJob {
  const reasons: ExclusionReason[] = ['not-found', 'synced', 'federated', 'protected', 'already-empty', 'other'];
  return {
    id: ID,
    kind: 'clear-immutable-id',
    state: 'awaiting-approval',
    source: { type: 'group', id: 'g', name: 'Forest move wave 1' },
    requester: { aadObjectId: 'a', name: 'Helen Helpdesk' },
    conversationId: 'c',
    tenantId: 't',
    createdAt: '2026-03-02T14:00:00Z',
    updatedAt: '2026-03-02T14:00:00Z',
    expiresAt: '2026-03-03T14:00:00Z',
    items: Array.from({ length: users }, (_, i) => ({ userId: `u${i}`, upn: `user${String(i).padStart(4, '0')}@contoso.com`, displayName: null, changes: [{ attribute: 'onPremisesImmutableId', before: 'abc', after: null }] })),
    excluded: reasons.flatMap((reason) => Array.from({ length: excludedPer }, (_, i) => ({ reason, name: `${reason}${i}@contoso.com` }))),
    approvals: [],
    requiredApprovals: 1,
    cards: [],
    progress: { done: 0, failed: 0, unchanged: 0 },
    ...overrides,
  };
}

const render = (j: BulkJob, records?: BulkItemRecord[]) => renderBulkJobCard({ job: j, sandbox: false, action: 'Clear the immutable ID', ...(records ? { records } : {}) });
const titles = (card: Record<string, unknown>) => [...new Set(findActions(card).map((a) => a.title))];

describe('renderBulkJobCard', () => {
  it('previews how many will change and why the others cannot, grouped, with the first 25 names of each group', () => {
    const card = render(job({}, 1000, 200));
    expectValidCard(card);
    expect(cardSizeBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    const text = cardTextJoined(card);
    expect(text).toMatch(/Will be changed \(1000\)/);
    expect(text).toContain('user0024@contoso.com, and 975 more');
    expect(text).not.toContain('user0025@contoso.com');
    for (const heading of ['Not found (200)', 'Still synced (200)', 'Federated domain (200)', 'Protected account (200)', 'Already empty (200)', 'Could not be checked (200)']) expect(text).toContain(heading);
    expect(text).toContain('and 175 more');
    expect(titles(card)).toEqual(['Approve', 'Reject', 'Cancel']);
  });

  it('shows progress with Stop, and Resume once stopped', () => {
    const running = render(job({ state: 'running', progress: { done: 1, failed: 0, unchanged: 0 }, approvals: [{ actor: { aadObjectId: 'b', name: 'Adele Approver' }, at: '2026-03-02T14:01:00Z' }] }));
    expectValidCard(running);
    expect(cardTextJoined(running)).toMatch(/Running: 1 done, 0 failed, 2 left/);
    expect(titles(running)).toEqual(['Stop']);
    const stopped = render(job({ state: 'stopped', stoppedBy: { aadObjectId: 'b', name: 'Adele Approver' }, progress: { done: 1, failed: 0, unchanged: 0 } }));
    expect(cardTextJoined(stopped)).toMatch(/Stopped by Adele Approver/);
    expect(titles(stopped)).toEqual(['Resume', 'Cancel']);
  });

  it('ends with the counts and every failure with its reason, escaped, within the size budget', () => {
    const records: BulkItemRecord[] = Array.from({ length: 120 }, (_, i) => ({ userId: `u${i}`, upn: `user${i}@contoso.com`, status: 'failed', at: '2026-03-02T14:05:00Z', before: [], detail: 'Graph refused: **insufficient** privileges' }));
    const card = render(job({ state: 'completed', finishedAt: '2026-03-02T14:05:00Z', progress: { done: 0, failed: 120, unchanged: 0 } }, 120), records);
    expectValidCard(card);
    expect(cardSizeBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    const text = cardTextJoined(card);
    expect(text).toMatch(/0 changed, 120 failed/);
    expect(text).toMatch(/Failures \(120\)/);
    expect(text).toMatch(/user0@contoso\.com: Graph refused/);
    expect(text).toMatch(/and 80 more failures/);
    expect(findActions(card)).toHaveLength(0);
  });
});
