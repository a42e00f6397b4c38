/**
 * One process per DATA_DIR: the file store serialises conditional writes inside one process only,
 * so a second process on the same folder could approve a request twice. A lock file holding the
 * owner's pid refuses it at start; a lock left by a process that is gone is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `DATA_DIR ${dataDir} is in use by another bot process (pid ${pid}). The file storage is for one process: ` +
        'stop the other one, give this one its own DATA_DIR, or use Azure Blob Storage (STORAGE_CONNECTION_STRING or STORAGE_ACCOUNT_URL) to run several.',
    );
    this.name = 'DataDirInUseError';
  }
}

/** Takes the lock of `dataDir` (throws DataDirInUseError when a live process holds it); returns its release. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, '.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.off('exit', release);
        if (ownerOf(file) === process.pid) rmSync(file, { force: true });
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = ownerOf(file);
      // The same process may build the app again (tests restart in-process); a dead owner's lock is stale.
      if (owner === process.pid) return () => undefined;
      if (owner !== undefined && isAlive(owner)) throw new DataDirInUseError(dataDir, owner);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock file ${file}`);
}

function ownerOf(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
