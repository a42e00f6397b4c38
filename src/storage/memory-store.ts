/** In-memory KeyValueStore for tests and throwaway runs. */
import { randomUUID } from 'node:crypto';
import { EtagConflictError, KeyValueStore, StoredItem, WriteCondition } from './key-value-store';

export class MemoryStore implements KeyValueStore {
  private readonly items = new Map<string, { json: string; etag: string }>();

  async read<T>(key: string): Promise<StoredItem<T> | undefined> {
    const item = this.items.get(key);
    return item ? { value: JSON.parse(item.json) as T, etag: item.etag } : undefined;
  }

  async write<T>(key: string, value: T, condition: WriteCondition = { kind: 'any' }): Promise<string> {
    checkCondition(key, this.items.get(key)?.etag, condition);
    const etag = randomUUID();
    this.items.set(key, { json: JSON.stringify(value), etag });
    return etag;
  }

  async delete(key: string): Promise<void> {
    this.items.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.items.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

/** Throws EtagConflictError when the current eTag does not satisfy the condition. */
export function checkCondition(key: string, current: string | undefined, condition: WriteCondition): void {
  if (condition.kind === 'absent' && current !== undefined) throw new EtagConflictError(key);
  if (condition.kind === 'etag' && current !== condition.etag) throw new EtagConflictError(key);
}
