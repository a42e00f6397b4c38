// The Azure Bot: tells the Bot Framework where the bot listens and which identity it uses, and
// turns the Teams channel on. As in the Agents Toolkit's template; UserAssignedMSI because Azure
// no longer creates multi-tenant bots and a managed identity needs no secret.

@minLength(4)
@maxLength(20)
param resourceBaseName string

@maxLength(42)
param botDisplayName string

@description('F0 is free; Teams is a standard channel.')
param botServiceSku string = 'F0'

param identityClientId string
param identityResourceId string
param identityTenantId string

@description('Host name of the web app, without https://.')
param botAppDomain string

resource botService 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  kind: 'azurebot'
  location: 'global'
  sku: {
    name: botServiceSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${botAppDomain}/api/messages'
    msaAppId: identityClientId
    msaAppMSIResourceId: identityResourceId
    msaAppTenantId: identityTenantId
    msaAppType: 'UserAssignedMSI'
  }
}

resource botServiceMsTeamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: botService
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
  }
}
