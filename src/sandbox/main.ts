/**
 * CLI: starts the sandbox directory on SANDBOX_PORT (default 0 = random) and prints one JSON
 * line {"url","tenantId","clientId","clientSecret"} to stdout (the secret is the sandbox's
 * well-known, non-secret value). Runs until SIGINT/SIGTERM.
 */
import { startSandbox } from './index';

async function main(): Promise<void> {
  const port = Number(process.env.SANDBOX_PORT ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SANDBOX_PORT is not a port: ${process.env.SANDBOX_PORT ?? ''}`);
  const sandbox = await startSandbox({ port });
  const { url, tenantId, clientId, clientSecret } = sandbox;
  process.stdout.write(`${JSON.stringify({ url, tenantId, clientId, clientSecret })}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
