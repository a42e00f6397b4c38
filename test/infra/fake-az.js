#!/usr/bin/env node
'use strict';
/**
 * A stand-in for the Azure CLI, for testing infra/grant-graph-permissions.sh: answers the few
 * `az ad sp show` and `az rest` calls the script makes from a JSON state file (FAKE_AZ_STATE)
 * and records every call there. Queries are matched by shape, not evaluated as JMESPath.
 */
const fs = require('node:fs');

const statePath = process.env.FAKE_AZ_STATE;
const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
state.calls.push(args);
const save = () => fs.writeFileSync(statePath, JSON.stringify(state));
const out = (text) => {
  save();
  process.stdout.write(`${text}\n`);
};

if (args[0] === 'ad' && args[1] === 'sp' && args[2] === 'show') {
  if (opt('--id') !== state.graphAppId) {
    save();
    process.stderr.write('ERROR: Resource not found\n');
    process.exit(3);
  }
  const query = opt('--query');
  if (query === 'id') out(state.graphSpId);
  else {
    const name = /value=='([^']+)'/.exec(query)?.[1];
    out(state.appRoles[name] ?? '');
  }
} else if (args[0] === 'rest') {
  const method = opt('--method');
  const url = decodeURIComponent(opt('--url'));
  if (method === 'GET' && /\/appRoleAssignments$/.test(url)) {
    const roleId = /appRoleId=='([^']+)'/.exec(opt('--query'))?.[1];
    out(String(state.assignments.filter((a) => a.appRoleId === roleId).length));
  } else if (method === 'POST' && /\/appRoleAssignments$/.test(url)) {
    state.assignments.push(JSON.parse(opt('--body')));
    out('{}');
  } else if (method === 'GET' && /roleManagement\/directory\/roleAssignments\?\$filter=/.test(url)) {
    out(String(state.roleAssignments.length));
  } else if (method === 'POST' && /roleManagement\/directory\/roleAssignments$/.test(url)) {
    state.roleAssignments.push(JSON.parse(opt('--body')));
    out('{}');
  } else {
    save();
    process.stderr.write(`fake az: unexpected ${method} ${url}\n`);
    process.exit(2);
  }
} else {
  save();
  process.stderr.write(`fake az: unexpected call ${args.join(' ')}\n`);
  process.exit(2);
}
