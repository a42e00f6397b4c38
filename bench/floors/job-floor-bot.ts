/**
 * The job's floor: the least a lookup needs on the same stack — one Graph GET through the same
 * Graph client and credential as the real bot, and one fixed Adaptive Card (the real user card,
 * rendered once at start, so the reply is as large as the real one). Benchmark only.
 */
import { ClientSecretCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { ActivityHandler, CardFactory, CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory } from 'botbuilder';
import restify from 'restify';
import { renderUserCard } from '../../src/cards/render-user-card';
import { USER_FIELDS } from '../../src/directory/graph-directory';
import { cachedTokenProvider } from '../../src/directory/token-cache';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const endpoint = new URL(env('GRAPH_ENDPOINT'));
const credential = new ClientSecretCredential(env('AZURE_TENANT_ID'), env('AZURE_CLIENT_ID'), env('AZURE_CLIENT_SECRET'), {
  authorityHost: env('AZURE_AUTHORITY_HOST'),
  disableInstanceDiscovery: true,
});
const scope = `${endpoint.origin}/.default`;
const graph = Client.initWithMiddleware({
  // The same token handling as the bot's Graph client.
  authProvider: { getAccessToken: cachedTokenProvider(credential, scope) },
  baseUrl: endpoint.origin,
  customHosts: new Set([endpoint.hostname]),
  defaultVersion: 'v1.0',
});

const FIXED_CARD = renderUserCard({
  snapshot: {
    user: {
      id: 'a11ce000-0000-4000-8000-000000000001',
      displayName: 'Alice Smith',
      userPrincipalName: 'alice@contoso.com',
      mail: 'alice@contoso.com',
      onPremisesImmutableId: 'Miz67YLylkuu+WVf/UCh2g==',
      onPremisesSyncEnabled: false,
      onPremisesLastSyncDateTime: '2026-08-05T10:00:00Z',
      onPremisesUserPrincipalName: 'alice@contoso.com',
      accountEnabled: true,
      userType: 'Member',
      proxyAddresses: ['SMTP:alice@contoso.com', 'smtp:alice.smith@contoso.com'],
    },
    domain: { id: 'contoso.com', authenticationType: 'Managed' },
    roles: [],
    readAt: new Date().toISOString(),
  },
  blockers: [],
  purpose: 'show',
  sandbox: true,
});

class JobFloorBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      const upn = (context.activity.text ?? '').replace(/^show\s+/i, '').trim();
      await graph.api(`/users/${encodeURIComponent(upn)}`).select(USER_FIELDS.join(',')).get();
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(FIXED_CARD)));
      await next();
    });
  }
}

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new JobFloorBot();
const server = restify.createServer({ name: 'job-floor', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.listen(Number(process.env.PORT ?? 3978), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ event: 'server.started' })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
