/**
 * One benchmarked bot as its own process, with the probe preloaded: start-up time to listening,
 * and its own CPU and memory counters over IPC.
 */
import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ProbeStats } from './probe';

export type BotKind = 'echo' | 'job-floor' | 'bot';

export const BOT_SCRIPTS: Record<BotKind, string> = {
  echo: path.join(__dirname, 'floors', 'echo-bot.js'),
  'job-floor': path.join(__dirname, 'floors', 'job-floor-bot.js'),
  bot: path.join(__dirname, '..', 'src', 'index.js'),
};

export interface BotProcess {
  kind: BotKind;
  url: string;
  /** Milliseconds from spawn to the "server.started" line. */
  startupMs: number;
  /** gc: collect first (needs --expose-gc); snapshot: also write a heap snapshot there. */
  stats(options?: { gc?: boolean; snapshot?: string }): Promise<ProbeStats>;
  /** SIGTERM, then SIGKILL after 20 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a bot with the probe preloaded (and nodeFlags, e.g. --cpu-prof) and waits (at most 30 s) until it listens. */
export async function startBotProcess(kind: BotKind, env: Record<string, string>, nodeFlags: string[] = []): Promise<BotProcess> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, '-r', path.join(__dirname, 'probe.js'), BOT_SCRIPTS[kind]], {
    env: {
      PATH: process.env.PATH ?? '',
      ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
      ...env,
      PORT: String(port),
    },
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // Keep only the tail of the output (for error messages); the rest is drained like a log shipper would.
  let tail = '';
  let listening: (() => void) | undefined;
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-8000);
    if (listening && tail.includes('"server.started"')) listening();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not start within 30 s:\n${tail}`)), 30_000);
    listening = () => {
      listening = undefined;
      clearTimeout(timer);
      resolve();
    };
    child.once('exit', (code) => reject(new Error(`${kind} exited (${code}) before listening:\n${tail}`)));
  });
  const startupMs = performance.now() - started;

  const pending: Array<(s: ProbeStats) => void> = [];
  child.on('message', (message: unknown) => {
    if ((message as ProbeStats).type === 'stats') pending.shift()?.(message as ProbeStats);
  });
  return {
    kind,
    url: `http://127.0.0.1:${port}`,
    startupMs,
    stats: (options = {}) =>
      new Promise<ProbeStats>((resolve, reject) => {
        if (!child.connected) return reject(new Error(`${kind} is not running:\n${tail}`));
        pending.push(resolve);
        child.send({ type: 'stats', ...options });
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
