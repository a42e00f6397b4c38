/**
 * A small key-value store with eTags (optimistic concurrency), the shape of botbuilder's
 * Storage and of Azure Blob Storage, so the workflow runs on memory, files or blobs alike.
 */

export interface StoredItem<T> {
  value: T;
  etag: string;
}

/** What a conditional write expects of the current item. */
export type WriteCondition =
  | { kind: 'any' }
  | { kind: 'absent' }
  | { kind: 'etag'; etag: string };

export class EtagConflictError extends Error {
  constructor(readonly key: string) {
    super(`The item ${key} was changed by someone else`);
    this.name = 'EtagConflictError';
  }
}

export interface KeyValueStore {
  read<T>(key: string): Promise<StoredItem<T> | undefined>;
  /** Writes when the condition holds, else throws EtagConflictError; resolves with the new eTag. */
  write<T>(key: string, value: T, condition?: WriteCondition): Promise<string>;
  delete(key: string): Promise<void>;
  /** Keys starting with prefix. */
  list(prefix: string): Promise<string[]>;
}
