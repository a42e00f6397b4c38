/** The three KeyValueStore implementations, each over a fresh backing (folder, container). */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStore } from '../../src/storage/blob-store';
import { FileStore } from '../../src/storage/file-store';
import type { KeyValueStore } from '../../src/storage/key-value-store';
import { MemoryStore } from '../../src/storage/memory-store';

export interface Backing {
  /** The store as one process sees it. */
  store: KeyValueStore;
  /**
   * The same state as another bot process sees it: a separate BlobStore object on the same
   * container. The file store serialises writers only inside one instance, so its "peer" is
   * the same instance; memory has nothing to share.
   */
  peer(): KeyValueStore;
  /** A new instance over the same state, as after a restart; undefined for memory. */
  reopen?(): KeyValueStore;
}

export type BackendName = 'memory' | 'file' | 'blob';
export const BACKENDS: readonly BackendName[] = ['memory', 'file', 'blob'];

const tempDirs: string[] = [];

export function tempDir(label = 'iid-store-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), label));
  tempDirs.push(dir);
  return dir;
}

/** Removes the folders tempDir() made (call in afterAll). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A container name unique to this test run. */
export function uniqueContainer(label = 't'): string {
  return `${label}-${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

export function makeBacking(name: BackendName, connectionString: () => string): Backing {
  switch (name) {
    case 'memory': {
      const store = new MemoryStore();
      return { store, peer: () => store };
    }
    case 'file': {
      const dir = tempDir();
      const store = new FileStore(dir);
      return { store, peer: () => store, reopen: () => new FileStore(dir) };
    }
    case 'blob': {
      const containerName = uniqueContainer();
      const open = () => new BlobStore({ connectionString: connectionString(), containerName, pipeline: FAST_RETRIES });
      return { store: open(), peer: open, reopen: open };
    }
  }
}

/** Short retry delays, so a test of a retried request does not wait seconds. */
export const FAST_RETRIES = { retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 100, maxTries: 4 } };
