/** Builders for the data the renderers take; override only what a test is about. */
import type { DirectoryUser, UserSnapshot } from '../../src/directory/types';
import type { AuditEntry } from '../../src/storage/audit-log';
import type { ChangeOutcome, ChangeRequest } from '../../src/workflow/types';

/** A request id that parseActionData accepts. */
export const REQUEST_ID = 'req_0123456789abcdef-XYZ';

/** Decodes to 35918bc9-196d-40ea-9779-889d79b753f0 (from the Graph notes). */
export const ANCHOR = 'yYuRNW0Z6kCXeYidebdT8A==';
export const ANCHOR_GUID = '35918bc9-196d-40ea-9779-889d79b753f0';

export function makeUser(overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    id: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
    displayName: 'Alice Smith',
    userPrincipalName: 'alice@contoso.com',
    mail: 'alice@contoso.com',
    onPremisesImmutableId: ANCHOR,
    onPremisesSyncEnabled: false,
    onPremisesLastSyncDateTime: '2026-03-02T14:05:33Z',
    onPremisesUserPrincipalName: 'alice@contoso.local',
    accountEnabled: true,
    userType: 'Member',
    proxyAddresses: ['smtp:a.smith@contoso.com', 'SMTP:alice.smith@contoso.com'],
    ...overrides,
  };
}

export function makeSnapshot(
  overrides: { user?: Partial<DirectoryUser> } & Partial<Omit<UserSnapshot, 'user'>> = {},
): UserSnapshot {
  const { user, ...rest } = overrides;
  return {
    user: makeUser(user),
    domain: { id: 'contoso.com', authenticationType: 'Managed' },
    roles: [],
    readAt: '2026-03-02T15:00:00Z',
    ...rest,
  };
}

export const APPROVER = { aadObjectId: '22222222-2222-2222-2222-222222222222', name: 'Anna Approver' };

export function makeRequest(overrides: Partial<ChangeRequest> = {}): ChangeRequest {
  return {
    id: REQUEST_ID,
    kind: 'clear-immutable-id',
    state: 'completed',
    targetId: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
    targetUpn: 'alice@contoso.com',
    targetDisplayName: 'Alice Smith',
    changes: [{ attribute: 'onPremisesImmutableId', before: ANCHOR, after: null }],
    steps: [
      { name: 'patch', status: 'done' },
      { name: 'verify', status: 'done' },
    ],
    requester: { aadObjectId: '11111111-1111-1111-1111-111111111111', name: 'Harry Helpdesk' },
    conversationId: '19:abc@thread.tacv2',
    tenantId: 'tenant',
    createdAt: '2026-03-02T15:00:00Z',
    updatedAt: '2026-03-02T15:02:00Z',
    expiresAt: '2026-03-03T15:00:00Z',
    approvals: [{ actor: APPROVER, at: '2026-03-02T15:01:00Z' }],
    requiredApprovals: 1,
    approvedBy: APPROVER,
    approvedAt: '2026-03-02T15:01:00Z',
    ...overrides,
  };
}

export function makeOutcome(status: ChangeOutcome['status'], overrides: Partial<ChangeOutcome> = {}): ChangeOutcome {
  const cleared = status === 'completed';
  return {
    status,
    before: ANCHOR,
    after: cleared ? null : ANCHOR,
    at: '2026-03-02T15:01:30Z',
    ...overrides,
  };
}

export function makeAuditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 'e0000000-0000-0000-0000-000000000001',
    at: '2026-03-02T15:01:30Z',
    event: 'change.succeeded',
    requestId: REQUEST_ID,
    actor: { aadObjectId: '22222222-2222-2222-2222-222222222222', name: 'Anna Approver' },
    target: { id: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee', upn: 'alice@contoso.com' },
    ...overrides,
  };
}
