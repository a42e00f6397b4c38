/** Public types of the sandbox directory (the local Microsoft Graph + Entra emulator). */
import type { SyncFeatures } from './directory-state';
import type { FaultRule } from './faults';
import type { RecordedRequest } from './request-log';
import type { SeedData, SeedGroup, SeedUser } from './seed';
import type { WriteLimit } from './write-limit';

export interface SandboxOptions {
  /** 0 = a random free port (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: loadSandboxTls() (the CA that with-sandbox-ca.js makes Node trust). */
  tls?: { cert: string; key: string };
  /** Default: defaultSeed(). */
  seed?: SeedData;
  /** Identity write limit; default Graph's 3,000 writes per 150 s. */
  writeLimit?: WriteLimit;
  /** Access token lifetime; default 3600. */
  tokenLifetimeSeconds?: number;
}

export interface RunningSandbox {
  /** https://127.0.0.1:PORT: Graph base URL AND Entra authority host (same server). */
  url: string;
  /** The app registration the bot uses. */
  tenantId: string;
  clientId: string;
  /** Not a secret: the local emulator's fixed value. */
  clientSecret: string;
  /** What reached Graph/Entra on the wire, oldest first. */
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** Back to the seed state: users, faults (seeded ones re-armed), replication lag, privileged role, log. */
  reset(): void;
  addFault(rule: FaultRule): void;
  /** Removes every fault, including the seeded ones (until the next reset). */
  clearFaults(): void;
  /** Global: reads after a write return the old value for `ms`. */
  setReplicationLag(ms: number): void;
  /** Writes past `writes` per `perSeconds` answer 429 + Retry-After (until the next reset). */
  setWriteLimit(limit: WriteLimit): void;
  writeLimit(): WriteLimit;
  /** Server-driven paging: at most `max` items per page whatever $top says; undefined: off. */
  setMaxPageSize(max: number | undefined): void;
  /** Adds `count` clearable users `<prefix>0001@contoso.com`…, optionally to a group (made if missing). */
  addGeneratedUsers(prefix: string, count: number, groupName?: string): { groupId?: string; users: { id: string; userPrincipalName: string }[] };
  /** Whether the app's service principal holds Privileged Authentication Administrator. */
  grantPrivilegedRole(granted: boolean): void;
  /**
   * The current (written, not lagged) state of a user, by object id or UPN, deleted users too
   * (deletedDateTime set; found by their UPN before deletion as well). This is the live
   * object: tests may assign to it to simulate a change made elsewhere (no history, no lag).
   */
  getUser(idOrUpn: string): SeedUser | undefined;
  /**
   * What Entra Connect does when a synced user stops syncing: `softDelete` — the on-prem object
   * left sync scope and the cloud user went to deleted items; otherwise it became cloud-only
   * (onPremisesSyncEnabled false, as after sync is turned off). Returns false for no such user.
   */
  stopSync(idOrUpn: string, options: { softDelete: boolean }): boolean;
  /**
   * Role switches: `idOnly` serves role objects with only an id and refuses PIM eligibility reads
   * (403), as Graph does for an app without RoleManagement.Read.Directory; `eligibleOnly` turns
   * every seeded role assignment into a PIM-eligible one (dave becomes an eligible-only Global
   * Administrator). Both off after reset.
   */
  setRoleVisibility(switches: { idOnly?: boolean; eligibleOnly?: boolean }): void;
  /**
   * The tenant sync settings GET /directory/onPremisesSynchronization answers: change matching
   * flags, or make it 403 (the app lacks OnPremDirectorySynchronization.Read.All). Until reset.
   */
  setSyncSettings(settings: { forbidden?: boolean; features?: Partial<SyncFeatures> }): void;
  /** The live group by object id: tests may edit memberIds (e.g. remove an approver). */
  getGroup(id: string): SeedGroup | undefined;
  close(): Promise<void>;
}
