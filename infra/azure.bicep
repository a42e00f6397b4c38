// Everything Immutable ID Helper needs, in one resource group. Kept close to the Microsoft 365
// Agents Toolkit's bot template (infra/azure.bicep + botRegistration/azurebot.bicep), plus blob
// storage and the Graph permissions. Provisioned by `atk provision --env dev` (m365agents.yml,
// arm/deploy) or `az deployment group create` (README, "Deploy to Azure").
//
// One user-assigned managed identity is the bot's only identity: the Azure Bot's app id
// (BOT_TYPE=UserAssignedMSI), the Graph caller (AZURE_CLIENT_ID, no secret) and the storage
// reader/writer (STORAGE_ACCOUNT_URL, shared keys off). No secret is created or stored here
// except NOTIFY_SECRET, which comes in as a @secure() parameter.

@minLength(4)
@maxLength(20)
@description('Used to name every resource in this file (letters, digits and hyphens).')
param resourceBaseName string

@maxLength(42)
@description('The bot\'s name in the Bot Framework.')
param botDisplayName string = 'Immutable ID Helper'

@description('App Service plan SKU. B1 is the smallest with Always On, which the reminder and expiry timer needs.')
param webAppSKU string = 'B1'

param location string = resourceGroup().location

@description('Blob container for pending requests, conversation references and the audit trail.')
param storageContainerName string = 'immutable-id-bot'

@description('Bot settings by name (APPROVER_GROUP_ID, REQUIRE_SEPARATE_APPROVER, …), from azure.parameters.json. An empty value keeps the bot\'s default.')
param botSettings object = {}

@secure()
@description('HMAC key of POST /api/notify (at least 16 characters); empty turns the endpoint off.')
param notifySecret string = ''

@allowed(['true', 'false'])
@description('true: grant the Graph permissions of graph-permissions.json to the identity (the deployer needs Privileged Role Administrator or Global Administrator); false: run infra/grant-graph-permissions.sh afterwards. A string, as the toolkit fills it from env/.env.<env>.')
param grantGraphPermissions string = 'true'

var grantGraph = grantGraphPermissions == 'true'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: resourceBaseName
  location: location
}

// ---- Storage: blob state shared by every instance, reached only with Entra ID tokens ----
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  // 3-24 lower-case letters and digits, unique in Azure.
  name: take(toLower(replace('${resourceBaseName}${uniqueString(resourceGroup().id)}', '-', '')), 24)
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: storageContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Storage Blob Data Contributor: read, write and list blobs, nothing else.
var storageBlobDataContributor = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')

resource blobDataAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: storageBlobDataContributor
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---- Hosting: App Service on Linux, Node 20 (README, "Deploy to Azure", says why) ----
resource serverfarm 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'linux'
  sku: {
    name: webAppSKU
  }
  properties: {
    reserved: true // Linux
  }
}

// Settings derived from the resources above; botSettings cannot override them.
var derivedSettings = {
  BOT_ID: identity.properties.clientId
  BOT_TYPE: 'UserAssignedMSI'
  BOT_TENANT_ID: identity.properties.tenantId
  // A managed identity gets tokens in its own tenant only: the bot manages that tenant's users.
  AZURE_TENANT_ID: identity.properties.tenantId
  AZURE_CLIENT_ID: identity.properties.clientId
  STORAGE_ACCOUNT_URL: storage.properties.primaryEndpoints.blob
  STORAGE_CONTAINER_NAME: storageContainerName
  NOTIFY_SECRET: notifySecret
}

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: serverfarm.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      appCommandLine: 'node dist/src/index.js'
      alwaysOn: true
      healthCheckPath: '/healthz'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: [
        for setting in items(union(botSettings, derivedSettings, {
          // `atk deploy` uploads the built folder (npm ci, npm run build); run it from the zip as is.
          WEBSITE_RUN_FROM_PACKAGE: '1'
          SCM_DO_BUILD_DURING_DEPLOYMENT: 'false'
        })): {
          name: setting.key
          value: string(setting.value)
        }
      ]
    }
  }
}

// ---- The Azure Bot with the Teams channel ----
module azureBotRegistration './botRegistration/azurebot.bicep' = {
  name: 'Azure-Bot-registration'
  params: {
    resourceBaseName: resourceBaseName
    botDisplayName: botDisplayName
    identityClientId: identity.properties.clientId
    identityResourceId: identity.id
    identityTenantId: identity.properties.tenantId
    botAppDomain: webApp.properties.defaultHostName
  }
}

// ---- Microsoft Graph application permissions for the identity ----
module graphPermissions './graphPermissions.bicep' = if (grantGraph) {
  name: 'Graph-permissions'
  params: {
    principalId: identity.properties.principalId
  }
}

// Written to env/.env.<env> by the toolkit (arm/deploy) and used by later steps.
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
output IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output STORAGE_ACCOUNT_URL string = storage.properties.primaryEndpoints.blob
