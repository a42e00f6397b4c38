/**
 * KeyValueStore on the local file system: one JSON file per key under a folder, written
 * atomically (temp file + rename). Conditional writes are serialised inside this process;
 * several processes sharing state need the blob store instead.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KeyValueStore, StoredItem, WriteCondition } from './key-value-store';
import { checkCondition } from './memory-store';

interface FileRecord<T> {
  etag: string;
  value: T;
}

export class FileStore implements KeyValueStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly dir: string) {}

  async read<T>(key: string): Promise<StoredItem<T> | undefined> {
    try {
      const record = JSON.parse(await fs.readFile(this.fileOf(key), 'utf8')) as FileRecord<T>;
      return { value: record.value, etag: record.etag };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write<T>(key: string, value: T, condition: WriteCondition = { kind: 'any' }): Promise<string> {
    return this.withLock(key, async () => {
      const current = await this.read<T>(key);
      checkCondition(key, current?.etag, condition);
      const etag = randomUUID();
      const file = this.fileOf(key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
      await fs.writeFile(temp, JSON.stringify({ etag, value } satisfies FileRecord<T>), 'utf8');
      await fs.rename(temp, file);
      return etag;
    });
  }

  async delete(key: string): Promise<void> {
    await this.withLock(key, () => fs.rm(this.fileOf(key), { force: true }));
  }

  async list(prefix: string): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((n) => n.endsWith('.json'))
      .map((n) => decodeURIComponent(n.slice(0, -'.json'.length)))
      .filter((k) => k.startsWith(prefix))
      .sort();
  }

  private fileOf(key: string): string {
    // encodeURIComponent keeps keys (which may hold Teams ids with ':' and ';') file-name safe.
    return path.join(this.dir, `${encodeURIComponent(key).replace(/\*/g, '%2A')}.json`);
  }

  private async withLock<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    const tail = next.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}
