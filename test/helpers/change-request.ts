/** A stored change request as the bot writes it (a clear of Alice's immutable id, asked by Helen), for storage tests. */
import type { ChangeRequest, RequestState } from '../../src/workflow/types';

export const FIXTURE_TENANT = '7e4a0000-0000-4000-8000-000000000000';

/** `at` is when it was created and last updated; it expires a day later. */
export function makeRequest(id: string, state: RequestState = 'awaiting-approval', overrides: Partial<ChangeRequest> = {}, at = new Date()): ChangeRequest {
  const iso = at.toISOString();
  return {
    id,
    kind: 'clear-immutable-id',
    state,
    targetId: 'a11ce000-0000-4000-8000-000000000001',
    targetUpn: 'alice@contoso.com',
    targetDisplayName: 'Alice Smith',
    changes: [{ attribute: 'onPremisesImmutableId', before: 'AAAAAAAAAAAAAAAAAAAAAA==', after: null }],
    steps: [
      { name: 'patch', status: 'pending' },
      { name: 'verify', status: 'pending' },
    ],
    requester: { aadObjectId: '4e1e4000-0000-4000-8000-00000000000c', name: 'Helen Helpdesk' },
    conversationId: 'a:helen',
    tenantId: FIXTURE_TENANT,
    createdAt: iso,
    updatedAt: iso,
    expiresAt: new Date(at.getTime() + 86_400_000).toISOString(),
    approvals: [],
    requiredApprovals: 1,
    ...overrides,
  };
}
