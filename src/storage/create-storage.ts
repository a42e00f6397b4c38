/**
 * Picks the storage from configuration: Azure Blob Storage when a connection string is given
 * (several bot processes can share it), else local files under the data directory.
 */
import path from 'node:path';
import { AuditLog, FileAuditLog } from './audit-log';
import { BlobAuditLog } from './blob-audit-log';
import { BlobStore, DEFAULT_CONTAINER_NAME } from './blob-store';
import { FileStore } from './file-store';
import type { KeyValueStore } from './key-value-store';

export { DEFAULT_CONTAINER_NAME, containerNameProblem } from './blob-store';

export interface StorageOptions {
  /** STORAGE_CONNECTION_STRING; empty or missing: file storage. */
  connectionString?: string;
  /** STORAGE_CONTAINER_NAME (blob mode only), e.g. DEFAULT_CONTAINER_NAME. */
  containerName: string;
  /** DATA_DIR (file mode only). */
  dataDir: string;
}

export interface AppStorage {
  store: KeyValueStore;
  audit: AuditLog;
  /** Where state lives, for the start-up log; never contains a key or SAS token. */
  describe: string;
}

/** Throws (without echoing the connection string) when it or the container name is invalid. */
export function createStorage(options: StorageOptions): AppStorage {
  const connectionString = options.connectionString?.trim();
  if (connectionString) {
    const containerName = options.containerName.trim() || DEFAULT_CONTAINER_NAME;
    let store: BlobStore;
    try {
      store = new BlobStore({ connectionString, containerName });
    } catch (error) {
      throw new Error(`Azure Blob storage: ${(error as Error).message}`);
    }
    return {
      store,
      audit: new BlobAuditLog({ connectionString, containerName }),
      describe: `Azure Blob Storage container ${store.url}`,
    };
  }
  const stateDir = path.resolve(options.dataDir, 'state');
  const auditFile = path.resolve(options.dataDir, 'audit.jsonl');
  return {
    store: new FileStore(stateDir),
    audit: new FileAuditLog(auditFile),
    describe: `local files: state in ${stateDir}, audit trail in ${auditFile}`,
  };
}
