/**
 * The sandbox directory: a local, faithful stand-in for Microsoft Graph + the Entra ID token
 * endpoint over HTTPS, for tests and the offline playground. See startSandbox().
 */
export { startSandbox } from './sandbox-server';
export type { RunningSandbox, SandboxOptions } from './types';
export type { FaultRule } from './faults';
export type { RecordedRequest } from './request-log';
export { REDACTED } from './request-log';
export { loadSandboxTls, type SandboxTls, type SandboxTlsPaths } from './tls';
export {
  CLEARABLE_ON_PREM_ATTRIBUTES,
  defaultSeed,
  deletedUserPrincipalName,
  DIRECTORY_ROLES,
  GRACE_THROTTLE_RULE,
  HEIDI_REPLICATION_LAG_MS,
  KATE_DELETED_AGO_MS,
  PRIVILEGED_ROLE_TEMPLATE_IDS,
  ROLE_TEMPLATES,
  SANDBOX_CLIENT_ID,
  SANDBOX_CLIENT_SECRET,
  SANDBOX_DOMAINS,
  SANDBOX_GROUPS,
  SANDBOX_IMMUTABLE_IDS,
  SANDBOX_ON_PREM_GUIDS,
  SANDBOX_SERVICE_PRINCIPAL_ID,
  SANDBOX_TENANT_ID,
  SANDBOX_TENANT_NAME,
  SANDBOX_UPNS,
  SANDBOX_USERS,
} from './seed';
export { BULK_GROUPS, BULK_UPNS, BULK_USERS, FOREST_MOVE_GROUP, SYNC_ERROR_ANCHORS, SYNC_ERROR_UPNS, SYNC_ERROR_USERS } from './seed-bulk';
export { GRAPH_IDENTITY_WRITE_LIMIT, type WriteLimit } from './write-limit';
export type {
  ClearableOnPremAttribute,
  DirectoryRoleDefinition,
  SandboxUserName,
  SeedApp,
  SeedData,
  SeedDomain,
  SeedGroup,
  SeedOrganization,
  SeedUser,
  UserChange,
} from './seed';
