/**
 * Picks the storage from configuration: Azure Blob Storage when a connection string or an account
 * URL is given (several bot processes can share it), else local files under the data directory.
 */
import type { TokenCredential } from '@azure/identity';
import path from 'node:path';
import { AuditLog, FileAuditLog } from './audit-log';
import type { BlobAccess, BlobStore } from './blob-store';
import { DEFAULT_CONTAINER_NAME } from './container-name';
import { FileStore } from './file-store';
import { lockDataDir } from './data-dir-lock';
import type { Logger } from '../log';
import type { KeyValueStore } from './key-value-store';

export { DEFAULT_CONTAINER_NAME, containerNameProblem } from './container-name';

export interface StorageOptions {
  /** STORAGE_CONNECTION_STRING (Azurite, key-based accounts). */
  connectionString?: string;
  /** STORAGE_ACCOUNT_URL: the blob endpoint, reached with `credential` (managed identity). */
  accountUrl?: string;
  /** The app's @azure/identity credential; required with accountUrl. */
  credential?: TokenCredential;
  /** STORAGE_CONTAINER_NAME (blob mode only), e.g. DEFAULT_CONTAINER_NAME. */
  containerName: string;
  /** DATA_DIR (file mode only). */
  dataDir: string;
  /** Where the file store reports a corrupt state file it moved aside. */
  log?: Logger;
}

export interface AppStorage {
  store: KeyValueStore;
  audit: AuditLog;
  /** Where state lives, for the start-up log; never contains a key or SAS token. */
  describe: string;
  /** Several processes may use this state at once (Blob): per-process memory cannot stand in for it. */
  shared: boolean;
  /** Releases what the storage holds (the DATA_DIR lock). */
  close?(): void;
}

/** Throws (without echoing the connection string) when it or the container name is invalid. */
export function createStorage(options: StorageOptions): AppStorage {
  const access = blobAccessOf(options);
  if (access) {
    const containerName = options.containerName.trim() || DEFAULT_CONTAINER_NAME;
    // The Azure SDK is loaded only when blob storage is configured: with files it would only slow start-up.
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded only in this branch (see above) */
    const { BlobStore } = require('./blob-store') as typeof import('./blob-store');
    const { BlobAuditLog } = require('./blob-audit-log') as typeof import('./blob-audit-log');
    /* eslint-enable @typescript-eslint/no-require-imports */
    let store: BlobStore;
    try {
      store = new BlobStore({ ...access, containerName });
    } catch (error) {
      throw new Error(`Azure Blob storage: ${(error as Error).message}`);
    }
    return {
      store,
      audit: new BlobAuditLog({ ...access, containerName }),
      shared: true,
      describe: `Azure Blob Storage container ${store.url}${'accountUrl' in access ? ' (Entra ID token)' : ''}`,
    };
  }
  const stateDir = path.resolve(options.dataDir, 'state');
  const auditFile = path.resolve(options.dataDir, 'audit.jsonl');
  const release = lockDataDir(path.resolve(options.dataDir));
  return {
    store: new FileStore(stateDir, options.log),
    audit: new FileAuditLog(auditFile),
    shared: false,
    describe: `local files: state in ${stateDir}, audit trail in ${auditFile}`,
    close: release,
  };
}

/** Blob access from the options: the connection string wins; undefined means file storage. */
export function blobAccessOf(options: Pick<StorageOptions, 'connectionString' | 'accountUrl' | 'credential'>): BlobAccess | undefined {
  const connectionString = options.connectionString?.trim();
  if (connectionString) return { connectionString };
  const accountUrl = options.accountUrl?.trim();
  if (!accountUrl) return undefined;
  if (!options.credential) throw new Error('Azure Blob storage: STORAGE_ACCOUNT_URL needs a token credential (managed identity)');
  return { accountUrl, credential: options.credential };
}
