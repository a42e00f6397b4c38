/**
 * Seed data for bulk changes and the sync-error watch: a "Forest move" group of mixed users
 * (clearable, still synced, federated, protected, already empty; one nested group) and two
 * on-premises objects that failed to provision because a cloud user already holds their UPN or
 * proxy address (`onPremisesProvisioningErrors`, category PropertyConflict).
 */
import { guidToImmutableId } from '../directory/immutable-id';
import type { SeedGroup, SeedUser } from './seed';

export const BULK_USERS = {
  nora: 'b0140000-0000-4000-8000-000000000301',
  omar: 'b0140000-0000-4000-8000-000000000302',
  pia: 'b0140000-0000-4000-8000-000000000303',
  quinn: 'b0140000-0000-4000-8000-000000000304',
  rosa: 'b0140000-0000-4000-8000-000000000305',
} as const;

export const BULK_UPNS: Record<keyof typeof BULK_USERS, string> = {
  nora: 'nora.north@contoso.com',
  omar: 'omar.oak@contoso.com',
  pia: 'pia.pine@contoso.com',
  quinn: 'quinn.quay@contoso.com',
  rosa: 'rosa.reed@contoso.com',
};

/** Cloud users holding a value an on-prem object needs, and the duplicates sync created. */
export const SYNC_ERROR_USERS = {
  kim: '5e2201d0-0000-4000-8000-000000000401',
  kimDuplicate: '5e2201d0-0000-4000-8000-000000000402',
  luis: '5e2201d0-0000-4000-8000-000000000403',
  luisDuplicate: '5e2201d0-0000-4000-8000-000000000404',
} as const;

export const SYNC_ERROR_UPNS: Record<keyof typeof SYNC_ERROR_USERS, string> = {
  kim: 'kim.lee@contoso.com',
  kimDuplicate: 'kim.lee4821@contoso.onmicrosoft.com',
  luis: 'luis.ortiz@contoso.com',
  luisDuplicate: 'lortiz7302@contoso.onmicrosoft.com',
};

export const BULK_GROUPS = {
  forestMove: 'f02e5700-0000-4000-8000-000000000111',
  forestMoveSales: 'f02e5700-0000-4000-8000-000000000112',
} as const;

export const FOREST_MOVE_GROUP = { displayName: 'Forest move wave 1', mail: 'forest-move-wave1@contoso.com' } as const;

const ON_PREM_GUIDS: Record<string, string> = {
  nora: '3f1a7c52-8d0e-4b6a-9c31-0a7e5d2b9f41',
  omar: '7b2e9d14-1c3f-4e8a-b5d6-2f9a0c8e7d13',
  pia: 'c4d8e2a6-5b7f-4a1c-8e3d-9b0f6a2c4e58',
  quinn: '1e9c3b7a-4f2d-4c8e-a6b1-7d5f3e9a2c06',
  rosa: '9a6f2d8c-3e1b-4d7a-bc45-8e2a6f0d1b97',
  kim: '2d7b5e1f-9c3a-4e6d-8b2f-5a1c7e9d3b64',
  kimOnPrem: '6c3e9a1d-7b5f-4d2e-9a8c-1f4b6d2e8a35',
  luis: '8e1d4b7c-2a6f-4c9e-b3d5-7f2a9c1e6b48',
  luisOnPrem: '4b8f2c6e-1d9a-4e3b-a7c5-3e6d8b2f9a71',
};

export const SYNC_ERROR_ANCHORS = {
  kimOnPrem: guidToImmutableId(ON_PREM_GUIDS.kimOnPrem ?? ''),
  luisOnPrem: guidToImmutableId(ON_PREM_GUIDS.luisOnPrem ?? ''),
};

interface Person {
  id: string;
  upn: string;
  displayName: string;
  mail: string;
  secondary?: string[];
  immutableIdGuid?: string;
  /** true: still synced; false: synced once, no longer; undefined: cloud-only. */
  syncEnabled?: boolean;
  lastSync?: string;
}

function person(p: Person, createdDateTime: string): SeedUser {
  const [givenName = null, surname = null] = p.displayName.split(' ');
  const synced = p.syncEnabled !== undefined;
  const sam = p.upn.split('@')[0] ?? null;
  return {
    id: p.id,
    displayName: p.displayName,
    givenName,
    surname,
    userPrincipalName: p.upn,
    mail: p.mail,
    mailNickname: p.mail.split('@')[0] ?? null,
    otherMails: [],
    proxyAddresses: [`SMTP:${p.mail}`, ...(p.secondary ?? []).map((a) => `smtp:${a}`)],
    jobTitle: 'Staff',
    department: 'Operations',
    businessPhones: [],
    mobilePhone: null,
    officeLocation: 'Redmond',
    preferredLanguage: 'en-US',
    usageLocation: 'US',
    accountEnabled: true,
    userType: 'Member',
    creationType: null,
    externalUserState: null,
    createdDateTime,
    onPremisesImmutableId: p.immutableIdGuid ? guidToImmutableId(p.immutableIdGuid) : null,
    onPremisesSyncEnabled: synced ? (p.syncEnabled ?? null) : null,
    onPremisesLastSyncDateTime: synced ? (p.lastSync ?? null) : null,
    onPremisesDistinguishedName: synced ? `CN=${p.displayName},OU=Staff,DC=corp,DC=contoso,DC=com` : null,
    onPremisesSamAccountName: synced ? sam : null,
    onPremisesUserPrincipalName: synced ? p.upn : null,
    onPremisesDomainName: synced ? 'corp.contoso.com' : null,
    onPremisesSecurityIdentifier: null,
    onPremisesProvisioningErrors: [],
    onPremisesObjectIdentifier: synced ? (p.immutableIdGuid ?? null) : null,
    deletedDateTime: null,
    roleTemplateIds: [],
    history: [],
  };
}

/**
 * Users and groups to add to the default seed. `members`: ids of seed users to put in the
 * forest-move group next to the bulk users (still synced, federated, protected, empty).
 */
export function bulkSeed(now: Date, members: { synced: string; federated: string; protectedAdmin: string; empty: string }): { users: SeedUser[]; groups: SeedGroup[] } {
  const ago = (days: number): string => new Date(now.getTime() - days * 86_400_000).toISOString();
  const stale = ago(120);
  const movers = (Object.keys(BULK_USERS) as (keyof typeof BULK_USERS)[]).map((name) => {
    const upn = BULK_UPNS[name];
    const first = name[0]?.toUpperCase() + name.slice(1);
    const last = (upn.split('@')[0] ?? '').split('.')[1] ?? '';
    return person(
      { id: BULK_USERS[name], upn, displayName: `${first} ${last[0]?.toUpperCase() ?? ''}${last.slice(1)}`, mail: upn, immutableIdGuid: ON_PREM_GUIDS[name], syncEnabled: false, lastSync: stale },
      '2020-09-01T09:00:00Z',
    );
  });
  const occurred = ago(2);
  const kim = person({ id: SYNC_ERROR_USERS.kim, upn: SYNC_ERROR_UPNS.kim, displayName: 'Kim Lee', mail: SYNC_ERROR_UPNS.kim, immutableIdGuid: ON_PREM_GUIDS.kim, syncEnabled: false, lastSync: stale }, '2019-06-01T09:00:00Z');
  const kimDuplicate = {
    ...person({ id: SYNC_ERROR_USERS.kimDuplicate, upn: SYNC_ERROR_UPNS.kimDuplicate, displayName: 'Kim Lee', mail: SYNC_ERROR_UPNS.kimDuplicate, immutableIdGuid: ON_PREM_GUIDS.kimOnPrem, syncEnabled: true, lastSync: occurred }, occurred),
    onPremisesUserPrincipalName: SYNC_ERROR_UPNS.kim,
    onPremisesProvisioningErrors: [{ category: 'PropertyConflict', occurredDateTime: occurred, propertyCausingError: 'UserPrincipalName', value: SYNC_ERROR_UPNS.kim }],
  };
  const luis = person({ id: SYNC_ERROR_USERS.luis, upn: SYNC_ERROR_UPNS.luis, displayName: 'Luis Ortiz', mail: SYNC_ERROR_UPNS.luis, secondary: ['lortiz@contoso.com'] }, '2022-01-10T09:00:00Z');
  const luisDuplicate = {
    ...person({ id: SYNC_ERROR_USERS.luisDuplicate, upn: SYNC_ERROR_UPNS.luisDuplicate, displayName: 'Luis Ortiz', mail: SYNC_ERROR_UPNS.luisDuplicate, immutableIdGuid: ON_PREM_GUIDS.luisOnPrem, syncEnabled: true, lastSync: occurred }, occurred),
    onPremisesProvisioningErrors: [{ category: 'PropertyConflict', occurredDateTime: occurred, propertyCausingError: 'ProxyAddress', value: 'SMTP:lortiz@contoso.com' }],
  };
  const groups: SeedGroup[] = [
    {
      id: BULK_GROUPS.forestMove,
      displayName: FOREST_MOVE_GROUP.displayName,
      description: 'Users moving to the new forest (bulk clear demo).',
      mailNickname: 'forest-move-wave1',
      mail: FOREST_MOVE_GROUP.mail,
      securityEnabled: true,
      mailEnabled: true,
      memberIds: [BULK_USERS.nora, BULK_USERS.omar, BULK_USERS.pia, members.synced, members.federated, members.protectedAdmin, members.empty, BULK_GROUPS.forestMoveSales],
    },
    {
      id: BULK_GROUPS.forestMoveSales,
      displayName: 'Forest move wave 1 - Sales',
      description: 'Nested in Forest move wave 1: transitive members count.',
      mailNickname: 'forest-move-wave1-sales',
      securityEnabled: true,
      mailEnabled: false,
      memberIds: [BULK_USERS.quinn, BULK_USERS.rosa],
    },
  ];
  return { users: [...movers, kim, kimDuplicate, luis, luisDuplicate], groups };
}

/** Clearable users made on demand (`POST /_sandbox/generated-users`): for throttling tests and the benchmark. */
export function generateUsers(prefix: string, count: number, startAt: number, now: Date): SeedUser[] {
  const users: SeedUser[] = [];
  for (let i = 0; i < count; i += 1) {
    const n = startAt + i;
    const tail = n.toString(16).padStart(12, '0');
    const id = `9e4e0000-0000-4000-8000-${tail}`;
    const guid = `0aa00000-0000-4000-8000-${tail}`;
    const upn = `${prefix}${String(n).padStart(4, '0')}@contoso.com`;
    users.push(person({ id, upn, displayName: `Generated ${prefix}${n}`, mail: upn, immutableIdGuid: guid, syncEnabled: false, lastSync: new Date(now.getTime() - 120 * 86_400_000).toISOString() }, now.toISOString()));
  }
  return users;
}
