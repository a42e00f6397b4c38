/** Builds botbuilder's CloudAdapter from validated configuration. */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationBotFrameworkAuthenticationOptions,
  ConfigurationServiceClientCredentialFactory,
  TurnContext,
} from 'botbuilder';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import type { Logger } from '../log';

/** CloudAdapter with inbound auth per BOT_ID and an onTurnError that always answers the user. */
export function createAdapter(config: Config, log: Logger): CloudAdapter {
  const bot = config.bot;
  const settings: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: bot.appId,
    MicrosoftAppPassword: bot.appPassword,
    MicrosoftAppType: bot.appType,
    MicrosoftAppTenantId: bot.tenantId,
    ...(bot.cloud ?? {}),
  };
  const credentials = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: bot.appId,
    MicrosoftAppPassword: bot.appPassword,
    MicrosoftAppType: bot.appType,
    MicrosoftAppTenantId: bot.tenantId,
  });
  const auth = new ConfigurationBotFrameworkAuthentication(settings, credentials);
  const adapter = new CloudAdapter(auth);

  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const ref = randomUUID().slice(0, 8);
    log.error('turn.failed', {
      ref,
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
