/** Runs the compiled production server (`node dist/src/index.js`) as a child process for crash and shutdown tests. */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from './playground-process';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string | null>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts the server with exactly this environment (plus PATH and the CA bundle) and waits for server.started. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.resolve(__dirname, '../../dist/src/index.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
      ...env,
      PORT: String(port),
    },
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const deadline = Date.now() + 20_000;
  while (!out.includes('"server.started"')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, child, output: () => out, exited, kill: (signal = 'SIGTERM') => child.kill(signal) };
}
