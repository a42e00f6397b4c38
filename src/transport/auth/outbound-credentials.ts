/**
 * Where outbound replies get their token. Public cloud: botbuilder's own factory. Custom cloud
 * (the seven cloud settings set): MSAL against ToChannelFromBotLoginUrl with that host declared
 * a known authority, so MSAL neither asks login.microsoftonline.com for instance discovery nor
 * refuses a host it does not know.
 */
import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { MsalServiceClientCredentialsFactory, ServiceClientCredentialsFactory } from 'botframework-connector';
import { createRequire } from 'node:module';
import type { Config } from '../../config';

type ConfidentialClient = ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1];

/** The part of @azure/msal-node's Configuration used here. */
interface MsalClientConfiguration {
  auth: { clientId: string; clientSecret: string; authority: string; knownAuthorities: string[] };
}

interface MsalNode {
  ConfidentialClientApplication: new (configuration: MsalClientConfiguration) => ConfidentialClient;
}

/**
 * The app type botbuilder is given. Without BOT_ID there is no identity at all (local use, auth
 * off), and botbuilder refuses SingleTenant/UserAssignedMSI without an app id and tenant.
 */
export function botbuilderAppType(bot: Config['bot']): Config['bot']['appType'] {
  return bot.appId ? bot.appType : 'MultiTenant';
}

export function createCredentialsFactory(bot: Config['bot']): ServiceClientCredentialsFactory {
  if (bot.cloud && bot.appId && bot.appType !== 'UserAssignedMSI') {
    return createMsalCredentialsFactory(bot.appId, bot.appPassword, bot.cloud.ToChannelFromBotLoginUrl);
  }
  return new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: bot.appId,
    MicrosoftAppPassword: bot.appPassword,
    MicrosoftAppType: botbuilderAppType(bot),
    MicrosoftAppTenantId: bot.tenantId,
  });
}

/** Client credentials from `loginUrl` (used as given, like botbuilder does for private clouds). */
export function createMsalCredentialsFactory(appId: string, appPassword: string, loginUrl: string): MsalServiceClientCredentialsFactory {
  let url: URL;
  try {
    url = new URL(loginUrl);
  } catch {
    throw new Error(`ToChannelFromBotLoginUrl: "${loginUrl}" is not a URL`);
  }
  if (url.protocol !== 'https:') {
    throw new Error(`ToChannelFromBotLoginUrl: must be https (MSAL refuses other authorities), got "${loginUrl}"`);
  }
  const { ConfidentialClientApplication } = loadBotbuilderMsal();
  const client = new ConfidentialClientApplication({
    auth: { clientId: appId, clientSecret: appPassword, authority: loginUrl.replace(/\/+$/, ''), knownAuthorities: [url.host] },
  });
  return new MsalServiceClientCredentialsFactory(appId, client);
}

/**
 * The @azure/msal-node that botframework-connector itself depends on (2.x), so the client is
 * exactly the class MsalServiceClientCredentialsFactory expects. The top-level copy in
 * node_modules is a different major version, installed for @azure/identity.
 */
function loadBotbuilderMsal(): MsalNode {
  const fromConnector = createRequire(require.resolve('botframework-connector'));
  return fromConnector('@azure/msal-node') as MsalNode;
}
