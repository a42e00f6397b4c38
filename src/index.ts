/** Entry point: load configuration, build the app, start listening, stop cleanly. */
import 'dotenv/config';
import { createApp } from './app';
import { prepareCardTemplates } from './cards';
import { ConfigError, loadConfig } from './config';
import { format } from 'node:util';
import { explainKnownWarning } from './known-warnings';
import { createLogger, Logger } from './log';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.sample for every setting.\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger();
  routeStrayOutput(log);
  const app = createApp(config, log);
  const url = await app.listen();
  log.info('server.started', {
    url,
    messagesEndpoint: `${url}/api/messages`,
    inboundAuth: config.bot.appId ? 'on' : 'off (BOT_ID empty: local use only, listening on loopback)',
    graphEndpoint: config.graph.endpoint,
    approvers: config.roles.approverIds.length,
    approverGroup: config.roles.approverGroupId ?? null,
    requireSeparateApprover: config.roles.requireSeparateApprover,
    requiredApprovals: config.roles.requiredApprovals,
    approvalChannel: config.approvals.channelId ?? null,
    notifyEndpoint: config.notifySecret ? 'on' : 'off (NOTIFY_SECRET empty)',
    syncErrorWatch: config.watch.enabled ? `every ${Math.round(config.watch.intervalMs / 60_000)} min` : 'off',
    storage: app.storageDescription,
    sandbox: config.sandboxMode,
  });
  if (config.roles.approverIds.length === 0 && !config.roles.approverGroupId) {
    log.warn('config.no_approvers', {
      message: 'No approver is configured (APPROVER_IDS and APPROVER_GROUP_ID are empty): nobody can approve a change',
    });
  }

  // Card templates are parsed once the start-up line is out (it is queued first): health probes
  // and Teams reach the bot a second sooner, and replies then find the templates parsed.
  setImmediate(prepareCardTemplates);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info('server.stopping', { signal, inFlight: app.inFlight.size });
    await app.close();
    log.info('server.stopped', {});
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/**
 * Libraries (botbuilder, restify) write to the console and Node prints warnings to stderr; route
 * both into the structured log so every line is JSON. Bearer tokens are cut out of the text.
 */
function routeStrayOutput(log: Logger): void {
  const clean = (args: unknown[]) => format(...args).replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]').slice(0, 2000);
  console.log = (...args: unknown[]) => log.info('console', { message: clean(args) });
  console.info = console.log;
  console.debug = (...args: unknown[]) => log.debug('console', { message: clean(args) });
  console.warn = (...args: unknown[]) => log.warn('console', { message: clean(args) });
  console.error = (...args: unknown[]) => log.error('console', { message: clean(args) });
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    const known = explainKnownWarning(warning);
    if (known) log.debug('node.known_warning', { code: warning.code, reason: known });
    else log.warn('node.warning', { name: warning.name, code: warning.code, message: warning.message });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
