/**
 * Starts Azurite's blob service (the `azurite` dev dependency) on a free loopback port with a
 * throwaway workspace, for tests of the Azure Blob storage.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Azurite's fixed development account (public, documented; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface RunningAzurite {
  connectionString: string;
  blobEndpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** The development account's connection string for a blob endpoint on 127.0.0.1:port. */
export function azuriteConnectionString(port: number): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`;
}

export interface AzuriteOptions {
  startTimeoutMs?: number;
  /**
   * Serve https with this certificate and accept Entra ID bearer tokens (Azurite's `--oauth basic`:
   * issuer, audience and expiry are checked, the signature is not). Token credentials are only
   * ever sent over https, so this is how the managed-identity path is tested.
   */
  oauth?: { certPath: string; keyPath: string };
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const deadline = Date.now() + (options.startTimeoutMs ?? 20000);
  const location = mkdtempSync(path.join(os.tmpdir(), 'azurite-'));
  let lastError: Error | undefined;
  // A free port can be taken between finding and binding it: then try another one.
  for (let attempt = 0; attempt < 3 && Date.now() < deadline; attempt++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        azuriteBlobBin(),
        '--blobHost', '127.0.0.1',
        '--blobPort', String(port),
        '--location', location,
        '--silent',
        '--disableTelemetry',
        '--skipApiVersionCheck',
        '--loose',
        ...(options.oauth ? ['--cert', options.oauth.certPath, '--key', options.oauth.keyPath, '--oauth', 'basic'] : []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: azuriteEnv() },
    );
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    try {
      await waitUntilListening(child, port, deadline, () => output);
    } catch (error) {
      lastError = error as Error;
      await kill(child);
      continue;
    }
    const blobEndpoint = `${options.oauth ? 'https' : 'http'}://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
    return {
      blobEndpoint,
      port,
      connectionString: azuriteConnectionString(port),
      stop: async () => {
        await kill(child);
        rmSync(location, { recursive: true, force: true });
      },
    };
  }
  rmSync(location, { recursive: true, force: true });
  throw lastError ?? new Error('Azurite did not start in time');
}

/** Without AZURITE_ACCOUNTS, Azurite serves the well-known development account. */
function azuriteEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.AZURITE_ACCOUNTS;
  return env;
}

function azuriteBlobBin(): string {
  const pkgPath = require.resolve('azurite/package.json');
  const pkg = require(pkgPath) as { bin: Record<string, string> };
  const bin = pkg.bin['azurite-blob'];
  if (!bin) throw new Error('the azurite package has no azurite-blob bin');
  return path.join(path.dirname(pkgPath), bin);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilListening(child: ChildProcess, port: number, deadline: number, output: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Azurite exited (${child.exitCode ?? child.signalCode}): ${output().trim()}`);
    }
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`Azurite did not listen on ${port} in time: ${output().trim()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
