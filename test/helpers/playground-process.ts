/**
 * Starts the compiled `npm run playground` launcher (dist/scripts/playground.js: sandbox directory +
 * bot in-process, plus the Microsoft 365 Agents Playground CLI) as a child process, for end-to-end
 * tests. Run `npm run build` first, and run jest through scripts/with-sandbox-ca.js: the child
 * inherits NODE_EXTRA_CA_CERTS from it, so the bot trusts the sandbox's CA.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RunningPlayground {
  /** e.g. http://localhost:56321 */
  playgroundUrl: string;
  /** e.g. http://127.0.0.1:40123/api/messages */
  botUrl: string;
  /** e.g. https://127.0.0.1:40999 (the sandbox directory; its /_sandbox/* controls answer on loopback) */
  sandboxUrl: string;
  /** The approver's aadObjectId (the Playground's current user). */
  approver: string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the launcher has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** Everything the launcher printed so far (stdout and stderr), plus the Playground's own log. */
  output(): string;
}

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'dist', 'scripts', 'playground.js');
const READY_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 5_000;

/** A port that was free a moment ago, on all interfaces (the Playground listens on "localhost"). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

interface ReadyLine {
  playground: string;
  bot: string;
  sandboxDirectory: string;
  approver: string;
}

export async function startPlayground(env: Record<string, string> = {}): Promise<RunningPlayground> {
  if (!existsSync(LAUNCHER)) {
    throw new Error(`${LAUNCHER} is missing: run \`npm run build\` before the e2e tests`);
  }
  if (!process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error('NODE_EXTRA_CA_CERTS is not set: run jest through `node scripts/with-sandbox-ca.js npx jest ...` so the bot trusts the sandbox CA');
  }
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'immutable-id-e2e-'));
  // Keep the Playground's log out of ./devTools/ (a developer's own Playground writes there, and
  // each start deletes it) and inside our temp dir, where output() can read it.
  const playgroundLog = path.join(tempDir, 'm365agentsplayground.log');
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    PLAYGROUND_PORT: String(await freePort()),
    DATA_DIR: path.join(tempDir, 'data'),
    M365_AGENTS_PLAYGROUND_LOGFILE: playgroundLog,
    // The sync-error watch would post seeded errors into the Approvals channel mid-test; tests turn it on when they want it.
    WATCH_SYNC_ERRORS: 'false',
    ...env,
  };

  // detached: its own process group, so stop() can also reach the Playground CLI (a grandchild)
  // if the launcher has to be SIGKILLed and cannot pass the signal on.
  const child: ChildProcess = spawn(process.execPath, [LAUNCHER], {
    cwd: tempDir,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });

  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));

  const output = (): string => {
    let log = '';
    try {
      log = readFileSync(playgroundLog, 'utf8');
    } catch {
      // not written (yet)
    }
    const tail = log.length > 8000 ? `…${log.slice(-8000)}` : log;
    return tail ? `${printed}\n--- Agents Playground log (${playgroundLog}) ---\n${tail}` : printed;
  };

  let exited = child.exitCode !== null || child.signalCode !== null;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });

  const killGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  // If jest exits without calling stop() (a crashed suite, a timed-out beforeAll), don't leave
  // a Playground behind holding its port.
  const onExit = (): void => killGroup('SIGKILL');
  process.once('exit', onExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (!exited) {
        killGroup('SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
        await exitPromise;
        clearTimeout(timer);
      }
      // The launcher exits first; make sure nothing of its group (the Playground CLI) outlives it.
      killGroup('SIGKILL');
      process.removeListener('exit', onExit);
      rmSync(tempDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  let ready: ReadyLine;
  try {
    ready = await new Promise<ReadyLine>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the playground launcher printed no PLAYGROUND_READY within ${READY_TIMEOUT_MS / 1000} s. Output:\n${output()}`)),
        READY_TIMEOUT_MS,
      );
      const check = (): void => {
        const match = /^PLAYGROUND_READY (\{.*\})\s*$/m.exec(printed);
        if (!match?.[1]) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(match[1]) as ReadyLine);
        } catch (err) {
          reject(new Error(`unreadable PLAYGROUND_READY line (${(err as Error).message}). Output:\n${output()}`));
        }
      };
      child.stdout?.on('data', check);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`could not start the playground launcher: ${err.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        // Give the last 'data' events a chance to land before reporting.
        setImmediate(() =>
          reject(new Error(`the playground launcher exited before it was ready (code ${code}, signal ${signal}). Output:\n${output()}`)),
        );
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }

  // The launcher may still die later (e.g. the Playground CLI exits): keep its output for debugging.
  return {
    playgroundUrl: ready.playground,
    botUrl: ready.bot,
    sandboxUrl: ready.sandboxDirectory,
    approver: ready.approver,
    stop,
    output,
  };
}
