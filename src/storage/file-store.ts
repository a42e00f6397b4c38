/**
 * KeyValueStore on the local file system: one JSON file per key under a folder, written
 * atomically and durably (temp file, fsync, rename, fsync of the folder), so a power cut leaves
 * the old or the new version, never an empty file. Conditional writes are serialised inside this
 * process (DATA_DIR's lock file keeps other processes out); several processes need the blob store.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log';
import { KeyValueStore, StoredItem, WriteCondition } from './key-value-store';
import { checkCondition } from './memory-store';

interface FileRecord<T> {
  etag: string;
  value: T;
}

export class FileStore implements KeyValueStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly dir: string,
    private readonly log?: Logger,
  ) {}

  async read<T>(key: string): Promise<StoredItem<T> | undefined> {
    const file = this.fileOf(key);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const record = JSON.parse(text) as FileRecord<T>;
      if (!record || typeof record !== 'object' || typeof record.etag !== 'string') throw new Error('not a stored item');
      return { value: record.value, etag: record.etag };
    } catch (error) {
      await this.moveAside(key, file, error as Error);
      return undefined;
    }
  }

  /** A corrupt file is kept for inspection under another name and treated as absent, so the bot still starts. */
  private async moveAside(key: string, file: string, error: Error): Promise<void> {
    const movedTo = `${file}.corrupt-${Date.now()}`;
    try {
      await fs.rename(file, movedTo);
    } catch (renameError) {
      if ((renameError as NodeJS.ErrnoException).code !== 'ENOENT') throw renameError;
      return;
    }
    this.log?.error('storage.corrupt_file_moved', { key, file, movedTo, error });
  }

  async write<T>(key: string, value: T, condition: WriteCondition = { kind: 'any' }): Promise<string> {
    return this.withLock(key, async () => {
      const current = await this.read<T>(key);
      checkCondition(key, current?.etag, condition);
      const etag = randomUUID();
      const file = this.fileOf(key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
      const handle = await fs.open(temp, 'w');
      try {
        await handle.writeFile(JSON.stringify({ etag, value } satisfies FileRecord<T>), 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, file);
      await syncFolder(path.dirname(file));
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

/** Makes a rename durable: the folder's entry is only on disk once the folder itself is synced. */
async function syncFolder(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some file systems (and Windows) cannot sync a folder; the rename is still atomic there.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}
