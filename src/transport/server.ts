/** The HTTP edge: POST /api/messages to the bot, GET /healthz for probes. */
import type { CloudAdapter } from 'botbuilder';
import restify from 'restify';
import type { Logger } from '../log';
import type { ImmutableIdBot } from './bot';

export interface HealthReport {
  status: 'ok' | 'degraded';
  [key: string]: unknown;
}

export interface ServerOptions {
  adapter: CloudAdapter;
  bot: ImmutableIdBot;
  log: Logger;
  health: () => Promise<HealthReport>;
}

/** Creates (but does not start) the restify server. */
export function createServer(options: ServerOptions): restify.Server {
  const server = restify.createServer({ name: 'immutable-id-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    try {
      await options.adapter.process(req, res, (context) => options.bot.run(context));
    } catch (error) {
      // Malformed activities make the adapter throw before any turn starts: answer, never crash.
      options.log.warn('http.bad_activity', { error: error as Error });
      if (!res.headersSent) res.send(400, { error: 'Bad activity' });
    }
  });

  // Tools (the Agents Playground among them) probe the endpoint with HEAD before the first message.
  server.head('/api/messages', (_req, res, next) => {
    res.header('Allow', 'POST, HEAD');
    res.send(200);
    next();
  });

  server.get('/healthz', async (_req, res) => {
    const report = await options.health();
    res.send(report.status === 'ok' ? 200 : 503, report);
  });

  server.on('restifyError', (req: restify.Request, _res: unknown, err: Error & { statusCode?: number }, callback: () => void) => {
    // A wrong method or path is the caller's mistake (probes, scanners), not a failure of the bot.
    if ((err.statusCode ?? 500) < 500) options.log.debug('http.client_error', { method: req.method, path: req.path(), status: err.statusCode, error: err.name });
    else options.log.warn('http.error', { error: err });
    callback();
  });
  return server;
}
