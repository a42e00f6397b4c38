/** Builds the whole bot from a Config: directory, storage, workflow, adapter, server. */
import type { TokenCredential } from '@azure/identity';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type restify from 'restify';
import type { Config } from './config';
import { createGraphCredential } from './directory/credential';
import { Directory, GraphDirectory } from './directory/graph-directory';
import type { Logger } from './log';
import { AuditLog, FileAuditLog } from './storage/audit-log';
import { FileStore } from './storage/file-store';
import type { KeyValueStore } from './storage/key-value-store';
import { RequestStore } from './storage/request-store';
import { createAdapter } from './transport/adapter';
import { ImmutableIdBot } from './transport/bot';
import { InFlight } from './transport/in-flight';
import { createServer, HealthReport } from './transport/server';
import { ObjectIdApproverPolicy } from './workflow/approver-policy';
import type { ConversationDeps } from './conversation/handle-message';

export interface App {
  server: restify.Server;
  deps: ConversationDeps;
  inFlight: InFlight;
  /** Starts listening; resolves with the bound URL. */
  listen(): Promise<string>;
  /** Stops accepting, waits for in-flight work, closes the server. */
  close(): Promise<void>;
}

export interface AppOverrides {
  credential?: TokenCredential;
  directory?: Directory;
  store?: KeyValueStore;
  audit?: AuditLog;
}

const VERSION = readVersion();

export function createApp(config: Config, log: Logger, overrides: AppOverrides = {}): App {
  const credential = overrides.credential ?? createGraphCredential(config.graph);
  const directory = overrides.directory ?? new GraphDirectory({ credential, endpoint: config.graph.endpoint });
  const store = overrides.store ?? new FileStore(path.resolve(config.dataDir, 'state'));
  const audit = overrides.audit ?? new FileAuditLog(path.resolve(config.dataDir, 'audit.jsonl'));
  const deps: ConversationDeps = {
    directory,
    requests: new RequestStore(store),
    audit,
    approvers: new ObjectIdApproverPolicy(config.approverIds),
    log,
    verifyMaxWaitMs: config.verifyMaxWaitMs,
    sandbox: config.sandboxMode,
  };
  const adapter = createAdapter(config, log);
  const inFlight = new InFlight();
  const bot = new ImmutableIdBot({
    deps,
    adapter,
    botAppId: config.bot.appId,
    allowedTenantIds: config.allowedTenantIds,
    cardActionDeadlineMs: config.cardActionDeadlineMs,
    log,
    inFlight,
  });
  const health = async (): Promise<HealthReport> => {
    const graph = await checkGraphToken(credential, config.graph.endpoint);
    const storage = await checkStorage(store);
    return {
      status: graph.ok && storage.ok ? 'ok' : 'degraded',
      version: VERSION,
      sandbox: config.sandboxMode,
      graph,
      storage,
    };
  };
  const server = createServer({ adapter, bot, log, health });

  return {
    server,
    deps,
    inFlight,
    listen: () =>
      new Promise((resolve) => {
        server.listen(config.port, config.host, () => {
          const address = server.address();
          resolve(`http://${config.host}:${address.port}`);
        });
      }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await inFlight.drain(15000);
    },
  };
}

async function checkGraphToken(credential: TokenCredential, endpoint: string): Promise<{ ok: boolean; detail: string }> {
  const host = new URL(endpoint);
  const scope = host.hostname === 'graph.microsoft.com' ? 'https://graph.microsoft.com/.default' : `${host.origin}/.default`;
  try {
    const token = await credential.getToken(scope);
    return token ? { ok: true, detail: 'token acquired' } : { ok: false, detail: 'no token returned' };
  } catch (error) {
    return { ok: false, detail: `token acquisition failed: ${(error as Error).name}` };
  }
}

async function checkStorage(store: KeyValueStore): Promise<{ ok: boolean; detail: string }> {
  try {
    await store.write('health_probe', { at: new Date().toISOString() });
    await store.read('health_probe');
    return { ok: true, detail: 'read and write work' };
  } catch (error) {
    return { ok: false, detail: `storage failed: ${(error as Error).message}` };
  }
}

/** The package version, found by walking up from this file (works from src/ and dist/src/). */
function readVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
    dir = path.dirname(dir);
  }
  return 'unknown';
}
