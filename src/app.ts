/** Builds the whole bot from a Config: directory, storage, workflow, adapter, server, housekeeping. */
import type { TokenCredential } from '@azure/identity';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type restify from 'restify';
import { escapeCardText } from './cards';
import type { Config } from './config';
import type { ConversationDeps } from './conversation/deps';
import { RateLimiter } from './conversation/rate-limit';
import { announceOutcome, broadcast } from './conversation/request-cards';
import { text } from './conversation/replies';
import { createGraphCredential } from './directory/credential';
import { Directory, GraphDirectory } from './directory/graph-directory';
import type { Logger } from './log';
import type { AuditLog } from './storage/audit-log';
import { createStorage } from './storage/create-storage';
import type { KeyValueStore } from './storage/key-value-store';
import { NotificationStore } from './storage/notification-store';
import { DeliveryStore } from './storage/delivery-store';
import { ReferenceStore } from './storage/reference-store';
import { RequestStore } from './storage/request-store';
import { createAdapter } from './transport/adapter';
import { channelMetadataUrl, inboundAuthHealth, warmOpenIdMetadata } from './transport/auth';
import { ImmutableIdBot } from './transport/bot';
import { InFlight } from './transport/in-flight';
import { registerNotifyRoute } from './transport/notify-route';
import { registerStorageFaultsRoute } from './transport/storage-faults-route';
import { StorageFaults, withAuditFaults, withStorageFaults } from './storage/faulty-store';
import { createServer, HealthReport } from './transport/server';
import { TeamsChat } from './transport/teams-chat';
import { reconcileInterrupted } from './workflow/reconcile';
import { ConfiguredRoles } from './workflow/roles';
import { sweepRequests } from './workflow/sweep-requests';
import { nowIso } from './workflow/deps';
import { recheckWaiting } from './workflow/clear-when-unsynced';
import { announceRechecked } from './conversation/kind-actions';
import { SyncErrorStore } from './storage/sync-error-store';
import { SyncErrorWatch } from './watch/watch-sync-errors';
import { randomUUID } from 'node:crypto';
import { BulkJobStore } from './storage/bulk-job-store';
import { BulkJobCoordinator } from './conversation/bulk-job-runner';
import { bulkPlanners } from './conversation/bulk-planners';
import type { UserAttribute, UserPatch } from './directory/types';
import type { BulkDeps } from './conversation/bulk-jobs';
import { WritePacer } from './workflow/bulk/write-pacer';

export interface App {
  server: restify.Server;
  deps: ConversationDeps;
  inFlight: InFlight;
  /** Where state lives, for the start-up log. */
  storageDescription: string;
  /** Reconciles interrupted changes, starts housekeeping and listening; resolves with the bound URL. */
  listen(): Promise<string>;
  /** One housekeeping pass (reminders, expiry); the timer calls it, tests may too. */
  sweep(): Promise<void>;
  /** Stops accepting, waits for in-flight work, closes the server. */
  close(): Promise<void>;
  /** The sync-error watch (WATCH_SYNC_ERRORS); tests may run a pass with watch.runPass(). */
  watch: SyncErrorWatch;
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
  const directory = overrides.directory ?? new GraphDirectory({ credential, endpoint: config.graph.endpoint, timeoutMs: config.graphTimeoutMs, tenantFactsTtlMs: config.tenantFactsTtlMs });
  const storage =
    overrides.store && overrides.audit
      ? { store: overrides.store, audit: overrides.audit, describe: 'provided by the caller', shared: true }
      : createStorage({ ...config.storage, credential, dataDir: config.dataDir, log });
  // Sandbox only: storage faults by step, armed over HTTP (POST /_sandbox/storage-faults).
  const storageFaults = config.sandboxMode ? new StorageFaults() : undefined;
  const store = storageFaults ? withStorageFaults(storage.store, storageFaults) : storage.store;
  const audit = storageFaults ? withAuditFaults(storage.audit, storageFaults) : storage.audit;
  const references = new ReferenceStore(store);
  const adapter = createAdapter(config, log);
  const notifications = new NotificationStore(store);
  // Teams retries a delivery for a few minutes at most; ten keeps every retry inside the window.
  const deliveries = storage.shared ? new DeliveryStore(store, 10 * 60_000) : undefined;
  const deps: ConversationDeps = {
    directory,
    requests: new RequestStore(store),
    audit,
    roles: new ConfiguredRoles(config.roles, directory),
    protection: config.protection,
    approvals: config.approvals,
    log,
    verifyMaxWaitMs: config.verifyMaxWaitMs,
    // A request stuck "executing" is settled once its lease runs out (by any instance: see reconcile.ts).
    executionLeaseMs: config.executionLeaseMs,
    // File state is one process's (DATA_DIR lock): a lease held by anyone else was a previous process's.
    soleInstance: !overrides.store && !config.storage.connectionString && !config.storage.accountUrl,
    sandbox: config.sandboxMode,
    chat: new TeamsChat(adapter, config.bot.appId, references, log),
    rateLimiter: new RateLimiter(config.rateLimitPerMinute),
    notifications,
  };
  // A tap that finds a request expired before the sweep did announces it as the sweep would: every card copy and the thread.
  deps.onExpired = (request) => {
    broadcast(deps, request, { announce: announceOutcome(request) }).catch((error: unknown) =>
      log.warn('expiry.broadcast_failed', { requestId: request.id, error: error as Error }),
    );
  };
  const bulkRunner = new BulkJobCoordinator({
    pacer: new WritePacer(config.bulk.maxWritesPerMinute),
    writer: {
      read: (userId, attributes) => directory.readUser(userId, attributes as UserAttribute[]),
      write: (userId, patch) => directory.updateUser(userId, patch as UserPatch),
    },
    owner: `${process.pid}-${randomUUID()}`,
    leaseMs: 30_000,
    progressEveryMs: 3000,
  });
  const planners = bulkPlanners();
  const bulkDeps: BulkDeps = { ...deps, bulkJobs: new BulkJobStore(store), bulkRunner, bulkPlanners: planners };
  Object.assign(deps, { bulkJobs: bulkDeps.bulkJobs, bulkRunner, bulkPlanners: planners });
  bulkRunner.attach(bulkDeps);
  const watch = new SyncErrorWatch(
    {
      ...deps,
      chat: deps.chat as NonNullable<ConversationDeps['chat']>,
      notifications: deps.notifications as NotificationStore,
      syncErrors: new SyncErrorStore(store),
      isChannelInstalled: async (channelId) => (await references.findForChannel(channelId)) !== undefined,
    },
    { ...config.watch, sandbox: config.sandboxMode },
  );
  const inFlight = new InFlight();
  const bot = new ImmutableIdBot({
    deps,
    adapter,
    botAppId: config.bot.appId,
    allowedTenantIds: config.allowedTenantIds,
    cardActionDeadlineMs: config.cardActionDeadlineMs,
    references,
    log,
    inFlight,
    ...(deliveries ? { deliveries } : {}),
  });
  const health = async (): Promise<HealthReport> => {
    const graph = await checkGraphToken(credential, config.graph.endpoint);
    const storageHealth = await checkStorage(store);
    // Not loaded yet or failing: the probe waits for (or makes) the attempt, bounded by AUTH_METADATA_TIMEOUT, so it reports
    // what is true now, and a recovery shows without waiting for a message.
    if (['failing', 'not checked yet'].includes(inboundAuthHealth(config.bot).status)) await warmOpenIdMetadata(channelMetadataUrl(config.bot.cloud));
    const inboundAuth = inboundAuthHealth(config.bot);
    return {
      status: graph.ok && storageHealth.ok && inboundAuth.ok ? 'ok' : 'degraded',
      version: VERSION,
      sandbox: config.sandboxMode,
      graph,
      storage: storageHealth,
      inboundAuth,
      watch: await watch.status(),
    };
  };
  const server = createServer({ adapter, bot, log, health });
  registerNotifyRoute(server, deps, { secret: config.notifySecret, seen: notifications, log });
  if (storageFaults) registerStorageFaultsRoute(server, storageFaults, log);

  const sweep = async (): Promise<void> => {
    await notifications.purgeSignatures(new Date()).catch((error: unknown) => log.warn('sweep.purge_failed', { error: error as Error }));
    await archiveClosed();
    await deliveries?.purge().catch((error: unknown) => log.warn('sweep.purge_failed', { error: error as Error }));
    await settleInterrupted();
    const { expired, reminders } = await sweepRequests(deps);
    await announceRechecked(deps, await recheckWaiting(deps));
    for (const request of expired) await broadcast(deps, request, { announce: announceOutcome(request) });
    for (const request of reminders) {
      const hours = Math.round((Date.now() - Date.parse(request.createdAt)) / 3600_000);
      const reminder = text(
        `⏰ Reminder: the request to clear the immutable ID of **${escapeCardText(request.targetUpn)}** (asked by ${escapeCardText(request.requester.name)}) has waited ${hours > 0 ? `${hours} h` : 'a while'} for approval.`,
      );
      const approverThreads = (request.cards ?? []).filter((c) => c.role === 'approvers').map((c) => c.conversationId);
      const targets = approverThreads.length > 0 ? approverThreads : [request.conversationId];
      for (const conversationId of targets) await deps.chat?.postTo(conversationId, [reminder]);
    }
  };
  /** Closed requests past REQUEST_RETENTION leave the live store (the audit keeps them); a failure waits for the next sweep. */
  const archiveClosed = async (): Promise<void> => {
    try {
      const { archived, complete } = await deps.requests.archiveClosed(new Date(Date.parse(nowIso(deps)) - config.approvals.retentionMs));
      if (archived.length > 0 || !complete) log.info('sweep.archived', { count: archived.length, complete });
    } catch (error) {
      log.warn('sweep.archive_failed', { error: error as Error });
    }
  };
  // Requests whose executing lease ran out: read back, record the truth, update every card copy and tell the requester.
  const settleInterrupted = async (): Promise<void> => {
    for (const request of await reconcileInterrupted(deps)) {
      await broadcast(deps, request, { announce: announceOutcome(request) }).catch((error: unknown) =>
        log.warn('reconcile.broadcast_failed', { requestId: request.id, error: error as Error }),
      );
    }
  };
  let timer: NodeJS.Timeout | undefined;

  return {
    server,
    deps,
    inFlight,
    storageDescription: storage.describe,
    sweep,
    watch,
    listen: async () => {
      await settleInterrupted();
      timer = setInterval(() => {
        sweep().catch((error: unknown) => log.error('sweep.failed', { error: error as Error }));
      }, config.sweepIntervalMs);
      timer.unref();
      if (config.bot.appId) {
        // In the background: a metadata host that is down shows in /healthz before the first message, and start-up does not wait.
        void warmOpenIdMetadata(channelMetadataUrl(config.bot.cloud)).then((status) => {
          if (status?.status === 'failing') log.error('auth.metadata_failed', { metadataUrl: channelMetadataUrl(config.bot.cloud), detail: status.error });
        });
      }
      await watch.start();
      // With single-process file storage the previous holder of a job's lease was this bot's previous process.
      await bulkRunner.resumeAll(!(config.storage.connectionString || config.storage.accountUrl));
      return new Promise((resolve) => {
        server.listen(config.port, config.host, () => {
          const address = server.address();
          resolve(`http://${config.host}:${address.port}`);
        });
      });
    },
    close: async () => {
      if (timer) clearInterval(timer);
      await watch.close();
      await bulkRunner.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive connections would hold close() open for seconds; requests in flight still finish.
      (server.server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      await closed;
      await inFlight.drain(15000);
      storage.close?.();
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
