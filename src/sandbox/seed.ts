/**
 * Seed data of the sandbox directory: the "Contoso (sandbox)" tenant with one user per case
 * the bot must handle. All ids are fixed so tests and the playground config can name them.
 * Object ids are deliberately fake-looking (hex-speak prefix, sequential tail) but valid GUIDs.
 */
import { guidToImmutableId } from '../directory/immutable-id';
import type { FaultRule } from './faults';
import { bulkSeed } from './seed-bulk';

/**
 * The on-premises attributes Microsoft documents as clearable on cloud-only users, through the
 * beta endpoint only (v1.0 serves them read-only, and has no onPremisesObjectIdentifier).
 */
export const CLEARABLE_ON_PREM_ATTRIBUTES = [
  'onPremisesDistinguishedName', 'onPremisesDomainName', 'onPremisesImmutableId', 'onPremisesObjectIdentifier',
  'onPremisesSamAccountName', 'onPremisesSecurityIdentifier', 'onPremisesUserPrincipalName',
] as const;
export type ClearableOnPremAttribute = (typeof CLEARABLE_ON_PREM_ATTRIBUTES)[number];

/** Properties a PATCH may change; history keeps their previous values. */
export type PatchableProperty = ClearableOnPremAttribute | 'userPrincipalName' | 'accountEnabled';
export type PatchableValues = Partial<Pick<SeedUser, PatchableProperty>>;

/** One successful PATCH, kept on the user (Microsoft: back up old values before clearing). */
export interface UserChange {
  at: string;
  requestId: string;
  previous: PatchableValues;
  next: PatchableValues;
}

export interface ProvisioningError {
  category: string;
  occurredDateTime: string;
  propertyCausingError: string;
  value: string;
}

/** A user as stored in the sandbox: Graph properties plus a few sandbox-only fields (last block). */
export interface SeedUser {
  id: string;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  userPrincipalName: string;
  mail: string | null;
  mailNickname: string | null;
  otherMails: string[];
  proxyAddresses: string[];
  jobTitle: string | null;
  department: string | null;
  businessPhones: string[];
  mobilePhone: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
  usageLocation: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  creationType: string | null;
  externalUserState: string | null;
  createdDateTime: string;
  onPremisesImmutableId: string | null;
  onPremisesSyncEnabled: boolean | null;
  onPremisesLastSyncDateTime: string | null;
  onPremisesDistinguishedName: string | null;
  onPremisesSamAccountName: string | null;
  onPremisesUserPrincipalName: string | null;
  onPremisesDomainName: string | null;
  onPremisesSecurityIdentifier: string | null;
  onPremisesProvisioningErrors: ProvisioningError[];
  /** beta only: the on-premises objectGUID (clearing it needs User-OnPremisesSyncBehavior.ReadWrite.All too). */
  onPremisesObjectIdentifier: string | null;
  /** Set while the user is in deleted items (soft-deleted, restorable for 30 days). */
  deletedDateTime: string | null;
  // --- sandbox-only, never served by the Graph routes ---
  /** Active directory roles (role template ids). */
  roleTemplateIds: string[];
  /** Per-user replication lag (ms): reads after a write show the old value this long. */
  replicationLagMs?: number;
  /** Successful writes, oldest first. */
  history: UserChange[];
}

export interface SeedDomain {
  id: string;
  authenticationType: 'Managed' | 'Federated';
  isVerified: boolean;
  isDefault: boolean;
  isInitial: boolean;
  isRoot: boolean;
  supportedServices: string[];
}

export interface SeedGroup {
  id: string;
  displayName: string;
  description: string;
  mailNickname: string;
  securityEnabled: boolean;
  mailEnabled: boolean;
  /** SMTP address of a mail-enabled group. */
  mail?: string;
  /** Direct members: user ids or (nested) group ids. */
  memberIds: string[];
}

export interface SeedOrganization {
  id: string;
  displayName: string;
  onPremisesSyncEnabled: boolean | null;
  onPremisesLastSyncDateTime: string | null;
}

/** The app registration the bot signs in as. */
export interface SeedApp {
  displayName: string;
  clientId: string;
  /** Not a secret: a fixed value for a local emulator. */
  clientSecret: string;
  servicePrincipalId: string;
  /** Whether the app's service principal holds Privileged Authentication Administrator. */
  privilegedRoleGranted: boolean;
}

export interface SeedData {
  tenantId: string;
  organization: SeedOrganization;
  app: SeedApp;
  domains: SeedDomain[];
  users: SeedUser[];
  /** Soft-deleted users (GET /directory/deletedItems/microsoft.graph.user), UPN already prefixed. */
  deletedUsers: SeedUser[];
  groups: SeedGroup[];
  /** Fault rules active after start and after every reset (their counters restart). */
  faults: FaultRule[];
}

export const SANDBOX_TENANT_ID = '6b1c8d8e-5f2a-4c3b-9a1e-5b7c2d3e4f50';
export const SANDBOX_TENANT_NAME = 'Contoso (sandbox)';
export const SANDBOX_CLIENT_ID = 'b07c11e0-0000-4000-8000-000000000001';
/**
 * NOT A SECRET. The sandbox is a local emulator; this well-known value is its app's "secret" so
 * tests and the playground can sign in. Real secrets never belong in this repository.
 */
export const SANDBOX_CLIENT_SECRET = 'sandbox-only-secret';
export const SANDBOX_SERVICE_PRINCIPAL_ID = 'b075e2f0-0000-4000-8000-000000000002';

/** Real directory role template ids (the same in every tenant). */
export const ROLE_TEMPLATES = {
  globalAdministrator: '62e90394-69f5-4237-9190-012177145e10',
  userAdministrator: 'fe930be7-5e62-47db-91af-98c3a49a38b1',
  privilegedAuthenticationAdministrator: '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
  helpdeskAdministrator: '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  authenticationAdministrator: 'c4e39bd9-1100-46d3-8c65-fb160da0071f',
  privilegedRoleAdministrator: 'e8611ab8-c189-46e8-94e1-60213ab1f814',
} as const;

export interface DirectoryRoleDefinition {
  /** Object id of the activated role in this tenant (differs from the template id, as in Graph). */
  id: string;
  roleTemplateId: string;
  displayName: string;
  description: string;
}

export const DIRECTORY_ROLES: readonly DirectoryRoleDefinition[] = [
  { id: 'd12e0000-0000-4000-8000-000000000201', roleTemplateId: ROLE_TEMPLATES.globalAdministrator, displayName: 'Global Administrator', description: 'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.' },
  { id: 'd12e0000-0000-4000-8000-000000000202', roleTemplateId: ROLE_TEMPLATES.userAdministrator, displayName: 'User Administrator', description: 'Can manage all aspects of users and groups, including resetting passwords for limited admins.' },
  { id: 'd12e0000-0000-4000-8000-000000000203', roleTemplateId: ROLE_TEMPLATES.privilegedAuthenticationAdministrator, displayName: 'Privileged Authentication Administrator', description: 'Can access to view, set and reset authentication method information for any user (admin or non-admin).' },
  { id: 'd12e0000-0000-4000-8000-000000000204', roleTemplateId: ROLE_TEMPLATES.helpdeskAdministrator, displayName: 'Helpdesk Administrator', description: 'Can reset passwords for non-administrators and Helpdesk Administrators.' },
  { id: 'd12e0000-0000-4000-8000-000000000205', roleTemplateId: ROLE_TEMPLATES.authenticationAdministrator, displayName: 'Authentication Administrator', description: 'Can access to view, set and reset authentication method information for any non-admin user.' },
  { id: 'd12e0000-0000-4000-8000-000000000206', roleTemplateId: ROLE_TEMPLATES.privilegedRoleAdministrator, displayName: 'Privileged Role Administrator', description: 'Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.' },
];

/** Holders of these need Privileged Authentication Administrator (or Global Admin) to be edited. */
export const PRIVILEGED_ROLE_TEMPLATE_IDS: readonly string[] = [
  ROLE_TEMPLATES.globalAdministrator,
  ROLE_TEMPLATES.privilegedAuthenticationAdministrator,
  ROLE_TEMPLATES.privilegedRoleAdministrator,
  ROLE_TEMPLATES.authenticationAdministrator,
];

export const SANDBOX_USERS = {
  alice: 'a11ce000-0000-4000-8000-000000000001',
  bob: 'b0b00000-0000-4000-8000-000000000002',
  carol: 'ca201000-0000-4000-8000-000000000003',
  dave: 'da7e0000-0000-4000-8000-000000000004',
  erin: 'e2120000-0000-4000-8000-000000000005',
  frank: 'f2a4c000-0000-4000-8000-000000000006',
  grace: '92ace000-0000-4000-8000-000000000007',
  heidi: '4e1d1000-0000-4000-8000-000000000008',
  ivan: '1fa40000-0000-4000-8000-000000000009',
  judy: '10d70000-0000-4000-8000-00000000000a',
  obrien: '0b21e400-0000-4000-8000-00000000000b',
  helen: '4e1e4000-0000-4000-8000-00000000000c',
  adele: 'ade1e000-0000-4000-8000-00000000000d',
  aaron: 'aa204000-0000-4000-8000-00000000000e',
  kate: 'ca7e0000-0000-4000-8000-00000000000f',
  liam: '11a40000-0000-4000-8000-000000000010',
} as const;
export type SandboxUserName = keyof typeof SANDBOX_USERS;

export const SANDBOX_UPNS: Record<SandboxUserName, string> = {
  alice: 'alice@contoso.com',
  bob: 'bob@contoso.com',
  carol: 'carol@fabrikam.com',
  dave: 'dave@contoso.com',
  erin: 'erin_outlook.com#EXT#@contoso.onmicrosoft.com',
  frank: '$frank@contoso.com',
  grace: 'grace@contoso.com',
  heidi: 'heidi@contoso.com',
  ivan: 'ivan@contoso.com',
  judy: 'judy@contoso.onmicrosoft.com',
  obrien: "o'brien@contoso.com",
  helen: 'helen.helpdesk@contoso.com',
  adele: 'adele.approver@contoso.com',
  aaron: 'aaron.approver@contoso.com',
  /** Her UPN before she was deleted; in deleted items it reads deletedUserPrincipalName(...). */
  kate: 'kate@contoso.com',
  liam: 'liam@contoso.com',
};

/** On-premises objectGUIDs the seeded immutable ids were computed from (Entra Connect's anchor). */
export const SANDBOX_ON_PREM_GUIDS = {
  alice: 'edfa2c32-f282-4b96-aef9-655ffd40a1da', // -> Miz67YLylkuu+WVf/UCh2g== (has + and /: URL-encode it)
  bob: '3be72ba2-e696-41ec-a034-a5222f1dd396',
  carol: '6de5a882-b8ea-43bf-b496-a772128a9f0a',
  dave: 'c5cd78c8-5b09-4c8d-906a-c93370f352d8',
  frank: 'aa0c7f25-9d1a-4d8c-9fd2-698bc2e33633',
  grace: '98cc767a-163a-4968-aea1-699121eee5a6',
  heidi: 'c712de4a-3480-44e1-8493-15ee8b0d2d23',
  judy: '8d1d6646-3293-439b-98d9-7c777784013a',
  obrien: 'c586460f-d722-4936-b1e0-241b6b022e7c',
  kate: '5b0e7d2c-1f4a-4e8b-9c3d-2a6f8e1b7c40',
  liam: '7e3a9c51-8b2d-4f60-a1e4-c5d7b9f02a13',
} as const;

/** The seeded onPremisesImmutableId values (users not listed have none). */
export const SANDBOX_IMMUTABLE_IDS: Record<keyof typeof SANDBOX_ON_PREM_GUIDS, string> = Object.fromEntries(
  Object.entries(SANDBOX_ON_PREM_GUIDS).map(([name, guid]) => [name, guidToImmutableId(guid)]),
) as Record<keyof typeof SANDBOX_ON_PREM_GUIDS, string>;

export const SANDBOX_GROUPS = {
  helpdesk: '4e1bde5c-0000-4000-8000-000000000101',
  identityApprovers: '1de47177-0000-4000-8000-000000000102',
  protectedAccounts: 'b207ec7e-0000-4000-8000-000000000103',
} as const;

export const SANDBOX_DOMAINS = {
  managed: 'contoso.com',
  initial: 'contoso.onmicrosoft.com',
  federated: 'fabrikam.com',
} as const;

/** Seeded throttling of Grace: the first 2 requests naming her id or UPN get 429, Retry-After 1. */
export const GRACE_THROTTLE_RULE: FaultRule = {
  pathIncludes: [SANDBOX_USERS.grace, SANDBOX_UPNS.grace],
  status: 429,
  retryAfterSeconds: 1,
  times: 2,
};

/** Graph prefixes a deleted user's UPN with its object id without dashes. */
export const deletedUserPrincipalName = (id: string, upn: string): string => `${id.replace(/-/g, '')}${upn}`;

/** Kate was deleted (out of sync scope) this long before the sandbox started. */
export const KATE_DELETED_AGO_MS = 3 * 24 * 60 * 60 * 1000;

/** Seeded replication lag of Heidi. */
export const HEIDI_REPLICATION_LAG_MS = 60_000;

const DAY_MS = 24 * 60 * 60 * 1000;

interface UserInput {
  name: SandboxUserName;
  displayName: string;
  givenName: string;
  surname: string;
  mail: string;
  /** Secondary addresses (lower-case smtp:). */
  secondary?: string[];
  jobTitle: string;
  department: string;
  createdDateTime: string;
  /** undefined: never synced (no on-premises attributes at all). */
  onPrem?: { syncEnabled: boolean; lastSync: string; sam: string; rid: number; ou: string };
  roles?: string[];
}

/** Builds a realistic member user from a few facts. */
function member(input: UserInput): SeedUser {
  const upn = SANDBOX_UPNS[input.name];
  const guid = (SANDBOX_ON_PREM_GUIDS as Record<string, string>)[input.name];
  const onPrem = input.onPrem;
  return {
    id: SANDBOX_USERS[input.name],
    displayName: input.displayName,
    givenName: input.givenName,
    surname: input.surname,
    userPrincipalName: upn,
    mail: input.mail,
    mailNickname: input.mail.split('@')[0] ?? null,
    otherMails: [],
    proxyAddresses: [`SMTP:${input.mail}`, ...(input.secondary ?? []).map((a) => `smtp:${a}`)],
    jobTitle: input.jobTitle,
    department: input.department,
    businessPhones: ['+1 425 555 0100'],
    mobilePhone: null,
    officeLocation: 'Redmond',
    preferredLanguage: 'en-US',
    usageLocation: 'US',
    accountEnabled: true,
    userType: 'Member',
    creationType: null,
    externalUserState: null,
    createdDateTime: input.createdDateTime,
    onPremisesImmutableId: onPrem && guid ? guidToImmutableId(guid) : null,
    onPremisesSyncEnabled: onPrem ? onPrem.syncEnabled : null,
    onPremisesLastSyncDateTime: onPrem ? onPrem.lastSync : null,
    onPremisesDistinguishedName: onPrem ? `CN=${input.displayName},OU=${onPrem.ou},DC=corp,DC=contoso,DC=com` : null,
    onPremisesSamAccountName: onPrem ? onPrem.sam : null,
    onPremisesUserPrincipalName: onPrem ? upn : null,
    onPremisesDomainName: onPrem ? 'corp.contoso.com' : null,
    onPremisesSecurityIdentifier: onPrem ? `S-1-5-21-1004336348-1177238915-682003330-${onPrem.rid}` : null,
    onPremisesProvisioningErrors: [],
    onPremisesObjectIdentifier: onPrem && guid ? guid : null,
    deletedDateTime: null,
    roleTemplateIds: input.roles ?? [],
    history: [],
  };
}

/**
 * The default tenant. Times are relative to `now` (e.g. Bob synced minutes ago), so the
 * sandbox computes the seed once at start and resets to that snapshot.
 */
export function defaultSeed(now: Date = new Date()): SeedData {
  const ago = (ms: number): string => new Date(now.getTime() - ms).toISOString();
  const syncStopped = ago(120 * DAY_MS); // the day the tenant's old forest stopped syncing these users
  const stale = (sam: string, rid: number): UserInput['onPrem'] => ({ syncEnabled: false, lastSync: syncStopped, sam, rid, ou: 'Staff' });

  const users: SeedUser[] = [
    member({ name: 'alice', displayName: 'Alice Smith', givenName: 'Alice', surname: 'Smith', mail: 'alice@contoso.com', secondary: ['alice.smith@contoso.com'], jobTitle: 'Accountant', department: 'Finance', createdDateTime: '2019-03-14T09:21:07Z', onPrem: stale('alice', 1105) }),
    member({ name: 'bob', displayName: 'Bob Jones', givenName: 'Bob', surname: 'Jones', mail: 'bob@contoso.com', secondary: ['bob.jones@contoso.com'], jobTitle: 'Sales Manager', department: 'Sales', createdDateTime: '2018-11-02T14:03:55Z', onPrem: { syncEnabled: true, lastSync: ago(7 * 60 * 1000), sam: 'bob', rid: 1106, ou: 'Staff' } }),
    member({ name: 'carol', displayName: 'Carol Diaz', givenName: 'Carol', surname: 'Diaz', mail: 'carol@fabrikam.com', secondary: ['carol.diaz@fabrikam.com'], jobTitle: 'Buyer', department: 'Procurement', createdDateTime: '2020-06-22T08:45:12Z', onPrem: stale('carol', 1107) }),
    member({ name: 'dave', displayName: 'Dave Admin', givenName: 'Dave', surname: 'Admin', mail: 'dave@contoso.com', secondary: ['dave.admin@contoso.com'], jobTitle: 'IT Director', department: 'IT', createdDateTime: '2017-09-01T10:00:00Z', onPrem: stale('dave', 1108), roles: [ROLE_TEMPLATES.globalAdministrator] }),
    {
      ...member({ name: 'erin', displayName: 'Erin (Guest)', givenName: 'Erin', surname: 'Miller', mail: 'erin@outlook.com', jobTitle: 'Consultant', department: 'External', createdDateTime: '2023-02-10T16:30:00Z' }),
      mailNickname: 'erin_outlook.com#EXT#',
      otherMails: ['erin@outlook.com'],
      businessPhones: [],
      officeLocation: null,
      userType: 'Guest',
      creationType: 'Invitation',
      externalUserState: 'Accepted',
    },
    member({ name: 'frank', displayName: 'Frank Dollar', givenName: 'Frank', surname: 'Dollar', mail: 'frank.dollar@contoso.com', secondary: ['$frank@contoso.com'], jobTitle: 'Treasurer', department: 'Finance', createdDateTime: '2019-05-05T12:12:12Z', onPrem: stale('frank', 1109) }),
    member({ name: 'grace', displayName: 'Grace Throttle', givenName: 'Grace', surname: 'Throttle', mail: 'grace@contoso.com', secondary: ['grace.throttle@contoso.com'], jobTitle: 'Analyst', department: 'Operations', createdDateTime: '2021-01-18T07:40:00Z', onPrem: stale('grace', 1110) }),
    { ...member({ name: 'heidi', displayName: 'Heidi Lag', givenName: 'Heidi', surname: 'Lag', mail: 'heidi@contoso.com', secondary: ['heidi.lag@contoso.com'], jobTitle: 'Planner', department: 'Logistics', createdDateTime: '2021-04-01T09:00:00Z', onPrem: stale('heidi', 1111) }), replicationLagMs: HEIDI_REPLICATION_LAG_MS },
    member({ name: 'ivan', displayName: 'Ivan Empty', givenName: 'Ivan', surname: 'Empty', mail: 'ivan@contoso.com', secondary: ['ivan.empty@contoso.com'], jobTitle: 'Designer', department: 'Marketing', createdDateTime: '2024-08-12T11:20:00Z' }),
    member({ name: 'judy', displayName: 'Judy Lee', givenName: 'Judy', surname: 'Lee', mail: 'judy.lee@contoso.com', secondary: ['judy@contoso.onmicrosoft.com', 'jlee@contoso.com'], jobTitle: 'Engineer', department: 'R&D', createdDateTime: '2020-02-29T15:15:15Z', onPrem: stale('judy', 1112) }),
    member({ name: 'obrien', displayName: "Sean O'Brien", givenName: 'Sean', surname: "O'Brien", mail: "o'brien@contoso.com", secondary: ['sean.obrien@contoso.com'], jobTitle: 'Counsel', department: 'Legal', createdDateTime: '2019-10-31T18:00:00Z', onPrem: stale('obrien', 1113) }),
    member({ name: 'helen', displayName: 'Helen Helpdesk', givenName: 'Helen', surname: 'Helpdesk', mail: 'helen.helpdesk@contoso.com', jobTitle: 'Service Desk Agent', department: 'IT', createdDateTime: '2022-03-07T08:00:00Z', roles: [ROLE_TEMPLATES.helpdeskAdministrator] }),
    member({ name: 'adele', displayName: 'Adele Approver', givenName: 'Adele', surname: 'Approver', mail: 'adele.approver@contoso.com', jobTitle: 'Identity Lead', department: 'IT', createdDateTime: '2022-03-07T08:05:00Z' }),
    member({ name: 'aaron', displayName: 'Aaron Approver', givenName: 'Aaron', surname: 'Approver', mail: 'aaron.approver@contoso.com', jobTitle: 'Security Officer', department: 'IT', createdDateTime: '2022-03-07T08:10:00Z' }),
    // Converted to cloud-only and anchor cleared long ago, but the other on-prem attributes linger.
    { ...member({ name: 'liam', displayName: 'Liam Leftover', givenName: 'Liam', surname: 'Leftover', mail: 'liam@contoso.com', secondary: ['liam.leftover@contoso.com'], jobTitle: 'Technician', department: 'Facilities', createdDateTime: '2019-07-08T10:30:00Z', onPrem: stale('liam', 1115) }), onPremisesImmutableId: null },
  ];
  const bulk = bulkSeed(now, { synced: SANDBOX_USERS.bob, federated: SANDBOX_USERS.carol, protectedAdmin: SANDBOX_USERS.dave, empty: SANDBOX_USERS.ivan });

  // Taken out of sync scope three days ago: Entra Connect deleted her, she waits in deleted items
  // with her anchor and on-prem attributes (restore, then clear, to make her cloud-only).
  const kate = member({ name: 'kate', displayName: 'Kate Deleted', givenName: 'Kate', surname: 'Deleted', mail: 'kate@contoso.com', secondary: ['kate.deleted@contoso.com'], jobTitle: 'Recruiter', department: 'HR', createdDateTime: '2018-05-02T09:00:00Z', onPrem: { syncEnabled: true, lastSync: ago(KATE_DELETED_AGO_MS + 20 * 60 * 1000), sam: 'kate', rid: 1114, ou: 'Staff' } });
  const deletedUsers: SeedUser[] = [{ ...kate, userPrincipalName: deletedUserPrincipalName(kate.id, kate.userPrincipalName), deletedDateTime: ago(KATE_DELETED_AGO_MS) }];

  return {
    tenantId: SANDBOX_TENANT_ID,
    organization: {
      id: SANDBOX_TENANT_ID,
      displayName: SANDBOX_TENANT_NAME,
      // The tenant still syncs (Bob); the other stale users were moved out of sync scope.
      onPremisesSyncEnabled: true,
      onPremisesLastSyncDateTime: ago(7 * 60 * 1000),
    },
    app: {
      displayName: 'Immutable ID helpdesk bot (sandbox)',
      clientId: SANDBOX_CLIENT_ID,
      clientSecret: SANDBOX_CLIENT_SECRET,
      servicePrincipalId: SANDBOX_SERVICE_PRINCIPAL_ID,
      privilegedRoleGranted: false,
    },
    domains: [
      { id: 'contoso.com', authenticationType: 'Managed', isVerified: true, isDefault: true, isInitial: false, isRoot: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
      { id: 'contoso.onmicrosoft.com', authenticationType: 'Managed', isVerified: true, isDefault: false, isInitial: true, isRoot: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
      { id: 'fabrikam.com', authenticationType: 'Federated', isVerified: true, isDefault: false, isInitial: false, isRoot: true, supportedServices: ['Email', 'OfficeCommunicationsOnline'] },
    ],
    users: [...users, ...bulk.users],
    deletedUsers,
    groups: [
      { id: SANDBOX_GROUPS.helpdesk, displayName: 'Helpdesk', description: 'May request immutable id changes through the bot.', mailNickname: 'helpdesk', securityEnabled: true, mailEnabled: false, memberIds: [SANDBOX_USERS.helen] },
      { id: SANDBOX_GROUPS.identityApprovers, displayName: 'Identity Approvers', description: 'May approve immutable id changes.', mailNickname: 'identity-approvers', securityEnabled: true, mailEnabled: false, memberIds: [SANDBOX_USERS.adele, SANDBOX_USERS.aaron] },
      // Nested group on purpose: transitive membership must see the approvers through it.
      { id: SANDBOX_GROUPS.protectedAccounts, displayName: 'Protected accounts', description: 'Accounts the bot must never change.', mailNickname: 'protected-accounts', securityEnabled: true, mailEnabled: false, memberIds: [SANDBOX_USERS.dave, SANDBOX_GROUPS.identityApprovers] },
      ...bulk.groups,
    ],
    faults: [GRACE_THROTTLE_RULE],
  };
}
