/** A MemoryStore that counts what callers ask of it: reads, listings and the keys the listings return. */
import type { StoredItem, WriteCondition } from '../../src/storage/key-value-store';
import { MemoryStore } from '../../src/storage/memory-store';

export interface StoreCounts {
  reads: number;
  lists: number;
  listed: number;
  writes: number;
}

export class CountingStore extends MemoryStore {
  counts: StoreCounts = { reads: 0, lists: 0, listed: 0, writes: 0 };
  /** Keys read since the last reset, in order. */
  readKeys: string[] = [];
  listPrefixes: string[] = [];

  reset(): void {
    this.counts = { reads: 0, lists: 0, listed: 0, writes: 0 };
    this.readKeys = [];
    this.listPrefixes = [];
  }

  /** Writes without counting (seeding a test store). */
  seed<T>(key: string, value: T): Promise<string> {
    return super.write(key, value);
  }

  override async read<T>(key: string): Promise<StoredItem<T> | undefined> {
    this.counts.reads++;
    this.readKeys.push(key);
    return super.read<T>(key);
  }

  override async write<T>(key: string, value: T, condition?: WriteCondition): Promise<string> {
    this.counts.writes++;
    return super.write(key, value, condition);
  }

  override async list(prefix: string): Promise<string[]> {
    const keys = await super.list(prefix);
    this.counts.lists++;
    this.counts.listed += keys.length;
    this.listPrefixes.push(prefix);
    return keys;
  }
}
