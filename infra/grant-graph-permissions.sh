#!/usr/bin/env bash
# Grants the bot's identity what the Bicep template cannot, or what its deployer could not:
#   1. the Microsoft Graph application permissions listed in infra/graph-permissions.json
#      (the same list as README.md, docs/deployment.md and .env.sample), admin-consented;
#   2. the Entra role named there (User Administrator), which decides whose accounts it may change.
# Run once after provisioning, signed in with `az login` as a Privileged Role Administrator or
# Global Administrator of the tenant. Safe to run again: existing grants are kept.
#
# Usage: infra/grant-graph-permissions.sh <object id of the identity's service principal>
#        (IDENTITY_PRINCIPAL_ID in env/.env.dev after `atk provision --env dev`)
# Needs: Azure CLI (az) and Node.js (to read the JSON list).
set -euo pipefail

principal="${1:?usage: $0 <object id of the service principal of the managed identity (IDENTITY_PRINCIPAL_ID)>}"
list="$(cd "$(dirname "$0")" && pwd)/graph-permissions.json"
field() { node -p "const d = require(process.argv[1]); $1" "$list"; }
graph_api=https://graph.microsoft.com/v1.0

graph_app_id="$(field 'd.resourceAppId')"
graph_sp="$(az ad sp show --id "$graph_app_id" --query id -o tsv)"

for permission in $(field "d.permissions.map((p) => p.name).join(' ')"); do
  role_id="$(az ad sp show --id "$graph_app_id" \
    --query "appRoles[?value=='$permission' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)"
  held="$(az rest --method GET --url "$graph_api/servicePrincipals/$principal/appRoleAssignments" \
    --query "length(value[?appRoleId=='$role_id'])" -o tsv)"
  if [ "$held" = "0" ]; then
    az rest --method POST --url "$graph_api/servicePrincipals/$principal/appRoleAssignments" \
      --headers Content-Type=application/json \
      --body "{\"principalId\":\"$principal\",\"resourceId\":\"$graph_sp\",\"appRoleId\":\"$role_id\"}" >/dev/null
    echo "granted      $permission"
  else
    echo "already had  $permission"
  fi
done

role_name="$(field 'd.directoryRole.name')"
role_template="$(field 'd.directoryRole.templateId')"
filter="principalId%20eq%20'$principal'%20and%20roleDefinitionId%20eq%20'$role_template'"
assigned="$(az rest --method GET --url "$graph_api/roleManagement/directory/roleAssignments?%24filter=$filter" \
  --query "length(value)" -o tsv)"
if [ "$assigned" = "0" ]; then
  az rest --method POST --url "$graph_api/roleManagement/directory/roleAssignments" \
    --headers Content-Type=application/json \
    --body "{\"principalId\":\"$principal\",\"roleDefinitionId\":\"$role_template\",\"directoryScopeId\":\"/\"}" >/dev/null
  echo "assigned     Entra role $role_name"
else
  echo "already had  Entra role $role_name"
fi
