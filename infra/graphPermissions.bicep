// Grants the Microsoft Graph application permissions of graph-permissions.json (the one list the
// README, docs/deployment.md and .env.sample show) to a service principal: the bot's managed
// identity. Uses the Microsoft Graph Bicep extension (bicepconfig.json; Bicep 0.36.1 or later).
// The deployer needs AppRoleAssignment.ReadWrite.All, i.e. Privileged Role Administrator or Global
// Administrator; infra/grant-graph-permissions.sh does the same for those who deploy without it.
// The Entra role (User Administrator) cannot be assigned from Bicep: that script does it.

extension microsoftGraphV1

@description('Object id of the service principal to grant to (the managed identity\'s principalId).')
param principalId string

var graphPermissions = loadJsonContent('graph-permissions.json')

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphPermissions.resourceAppId
}

resource grants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [
  for permission in graphPermissions.permissions: {
    principalId: principalId
    resourceId: graph.id
    appRoleId: filter(graph.appRoles, role => role.value == permission.name)[0].id
  }
]
