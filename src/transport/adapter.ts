/** Builds botbuilder's CloudAdapter from validated configuration. */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationBotFrameworkAuthenticationOptions,
  TurnContext,
} from 'botbuilder';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import type { Logger } from '../log';
import { boundOpenIdMetadataFetch, botbuilderAppType, createCredentialsFactory, FailClosedAuthentication } from './auth';

/**
 * CloudAdapter with inbound auth per BOT_ID (fail closed: 401 for any bad token), outbound tokens from
 * the configured login endpoint, and an onTurnError that always answers the user.
 */
export function createAdapter(config: Config, log: Logger): CloudAdapter {
  const bot = config.bot;
  const settings: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: bot.appId,
    MicrosoftAppPassword: bot.appPassword,
    MicrosoftAppType: botbuilderAppType(bot),
    MicrosoftAppTenantId: bot.tenantId,
    ...(bot.cloud ?? {}),
  };
  // Outbound: the bot's token comes from ToChannelFromBotLoginUrl when a custom cloud is configured.
  const credentials = createCredentialsFactory(bot);
  // Inbound: the signing keys' fetch gives up after AUTH_METADATA_TIMEOUT (botbuilder's own has no timeout).
  boundOpenIdMetadataFetch({ timeoutMs: config.authMetadataTimeoutMs });
  // Inbound: any failure to authenticate a request is a 401 (botbuilder alone answers 500 for some forged tokens).
  const auth = new FailClosedAuthentication(new ConfigurationBotFrameworkAuthentication(settings, credentials), log, {
    requireServiceUrl: Boolean(bot.appId),
  });
  const adapter = new CloudAdapter(auth);

  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const ref = randomUUID().slice(0, 8);
    log.error('turn.failed', {
      ref,
      correlationId: context.activity.id,
      activityType: context.activity.type,
      conversationId: context.activity.conversation?.id,
      error: { name: error.name, message: error.message, stack: error.stack },
    });
    try {
      if (context.activity.type === 'invoke') {
        await context.sendActivity({
          type: 'invokeResponse',
          value: {
            status: 200,
            body: {
              statusCode: 500,
              type: 'application/vnd.microsoft.error',
              value: { code: 'InternalError', message: `Something went wrong on my side (ref ${ref}). Please try again.` },
            },
          },
        });
      } else {
        await context.sendActivity(
          `Sorry, something went wrong on my side (ref ${ref}). Please try again; if it keeps happening, give that reference to whoever runs the bot.`,
        );
      }
    } catch (sendError) {
      log.error('turn.reply_failed', { ref, error: sendError as Error });
    }
  };
  return adapter;
}
