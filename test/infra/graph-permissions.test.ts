/**
 * One list of Microsoft Graph permissions (infra/graph-permissions.json): the README,
 * docs/deployment.md and .env.sample show exactly it, and the template and the grant script
 * grant exactly it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface Permission {
  name: string;
  required: boolean;
  for: string;
}
interface GraphPermissionsScript {
  SOURCE: string;
  readPermissions(): { resourceAppId: string; permissions: Permission[]; directoryRole: { name: string; templateId: string } };
  planUpdates(root?: string): { file: string; current: string; expected: string }[];
}

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
// Plain JS in scripts/, like package-app.js: it runs without a build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const script = require(path.join(ROOT, 'scripts/graph-permissions.js')) as GraphPermissionsScript;
const list = script.readPermissions();
const names = list.permissions.map((p) => p.name);

/** Permission-like names (Resource.Access.Scope) mentioned in a text. */
const mentioned = (text: string) => [...text.matchAll(/\b[A-Z][A-Za-z]+(?:\.[A-Z][A-Za-z]+)*\.(?:Read|ReadWrite|ReadBasic)(?:\.[A-Z][A-Za-z]+)*\b/g)].map((m) => m[0]);

describe('the one list of Graph permissions', () => {
  it('names, for each permission, whether it is needed and what it is for', () => {
    expect(list.resourceAppId).toBe('00000003-0000-0000-c000-000000000000');
    for (const p of list.permissions) expect(p.for.length).toBeGreaterThan(20);
    expect(new Set(names).size).toBe(names.length);
  });

  it('covers changing users, domains, groups, admin roles (active and PIM-eligible), deleted users and sync settings', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'User.ReadWrite.All',
        'Domain.Read.All',
        'GroupMember.Read.All',
        'RoleManagement.Read.Directory',
        'RoleEligibilitySchedule.Read.Directory',
        'OnPremDirectorySynchronization.Read.All',
      ]),
    );
    expect(list.permissions.find((p) => p.name === 'User.ReadWrite.All')!.for).toMatch(/deleted users/);
    expect(list.directoryRole).toMatchObject({ name: 'User Administrator', templateId: 'fe930be7-5e62-47db-91af-98c3a49a38b1' });
  });

  it.each(['README.md', 'docs/deployment.md', '.env.sample'])('%s shows exactly that list (node scripts/graph-permissions.js writes it)', (file) => {
    const plan = script.planUpdates().find((p) => p.file === file)!;
    expect(plan.current).toBe(plan.expected);
    for (const name of names) expect(plan.current).toContain(name);
  });

  it.each(['README.md', 'docs/deployment.md', '.env.sample'])('%s mentions no other Graph permission for the bot', (file) => {
    // Those the person deploying needs to grant permissions, and the delegated default of a new app.
    const deployer = ['AppRoleAssignment.ReadWrite.All', 'Application.Read.All', 'User.Read', 'RoleManagement.ReadWrite.Directory'];
    expect(mentioned(read(file)).filter((name) => !names.includes(name) && !deployer.includes(name))).toEqual([]);
  });

  it('a change to the list makes every copy stale until the script runs', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-permissions-'));
    try {
      for (const file of ['README.md', 'docs/deployment.md', '.env.sample', 'infra/graph-permissions.json']) {
        fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
      }
      const changed = { ...list, permissions: [...list.permissions, { name: 'AuditLog.Read.All', required: false, for: 'an example permission added to the list' }] };
      fs.writeFileSync(path.join(copy, 'infra/graph-permissions.json'), JSON.stringify(changed));
      const stale = script.planUpdates(copy).filter((p) => p.current !== p.expected);
      expect(stale.map((p) => p.file)).toEqual(['README.md', 'docs/deployment.md', '.env.sample']);
      for (const p of stale) expect(p.expected).toContain('AuditLog.Read.All');
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
    // And the real files are current.
    expect(execFileSync(process.execPath, [path.join(ROOT, 'scripts/graph-permissions.js'), '--check'], { encoding: 'utf8' })).toBe('Graph permissions are up to date\n');
  });

  it('is what the template grants to the managed identity and what the script grants by hand', () => {
    const module = read('infra/graphPermissions.bicep');
    expect(module).toMatch(/^extension microsoftGraphV1$/m);
    expect(module).toMatch(/loadJsonContent\('graph-permissions\.json'\)/);
    expect(module).toMatch(/'Microsoft\.Graph\/appRoleAssignedTo@v1\.0' = \[\s*for permission in graphPermissions\.permissions:/);
    expect(JSON.parse(read('infra/bicepconfig.json'))).toEqual({
      extensions: { microsoftGraphV1: expect.stringMatching(/^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:/) },
    });
    expect(read('infra/azure.bicep')).toMatch(/module graphPermissions '\.\/graphPermissions\.bicep' = if \(grantGraph\)/);

    const grantScript = read('infra/grant-graph-permissions.sh');
    expect(grantScript).toMatch(/graph-permissions\.json/);
    expect(grantScript).toMatch(/d\.permissions\.map\(\(p\) => p\.name\)/);
    expect(grantScript).toMatch(/roleManagement\/directory\/roleAssignments/);
    expect(() => execFileSync('bash', ['-n', path.join(ROOT, 'infra/grant-graph-permissions.sh')])).not.toThrow();
    expect(fs.statSync(path.join(ROOT, 'infra/grant-graph-permissions.sh')).mode & 0o111).not.toBe(0);
  });

  describe('infra/grant-graph-permissions.sh, run against a stand-in for the Azure CLI', () => {
    const IDENTITY = '7e57a11d-0000-4000-8000-000000000001';
    const GRAPH_SP = '6a4b2c00-0000-4000-8000-0000000000aa';
    let dir: string;
    let statePath: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-az-'));
      fs.copyFileSync(path.join(__dirname, 'fake-az.js'), path.join(dir, 'az'));
      fs.chmodSync(path.join(dir, 'az'), 0o755);
      statePath = path.join(dir, 'state.json');
      const appRoles = Object.fromEntries(names.map((name, i) => [name, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`]));
      fs.writeFileSync(statePath, JSON.stringify({ graphAppId: list.resourceAppId, graphSpId: GRAPH_SP, appRoles, assignments: [], roleAssignments: [], calls: [] }));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const runGrant = () =>
      execFileSync('bash', [path.join(ROOT, 'infra/grant-graph-permissions.sh'), IDENTITY], {
        encoding: 'utf8',
        env: { PATH: `${dir}:${process.env.PATH ?? ''}`, FAKE_AZ_STATE: statePath },
      });
    const state = () => JSON.parse(fs.readFileSync(statePath, 'utf8')) as {
      appRoles: Record<string, string>;
      assignments: { principalId: string; resourceId: string; appRoleId: string }[];
      roleAssignments: { principalId: string; roleDefinitionId: string; directoryScopeId: string }[];
    };

    it('grants every permission of the list to the identity and assigns the Entra role, once', () => {
      const printed = runGrant();
      const after = state();
      expect(after.assignments).toEqual(names.map((name) => ({ principalId: IDENTITY, resourceId: GRAPH_SP, appRoleId: after.appRoles[name] })));
      expect(after.roleAssignments).toEqual([{ principalId: IDENTITY, roleDefinitionId: list.directoryRole.templateId, directoryScopeId: '/' }]);
      for (const name of names) expect(printed).toMatch(new RegExp(`granted +${name.replace(/\./g, '\\.')}`));
      expect(printed).toMatch(/assigned +Entra role User Administrator/);

      // Run again: nothing changes.
      const again = runGrant();
      expect(state().assignments).toHaveLength(names.length);
      expect(state().roleAssignments).toHaveLength(1);
      expect(again).not.toMatch(/granted|assigned/);
    }, 60_000); // about 30 short processes per run
  });

  it('the script refuses to run without the identity, saying what to pass', () => {
    let stderr = '';
    try {
      execFileSync('bash', [path.join(ROOT, 'infra/grant-graph-permissions.sh')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      stderr = (error as { stderr: string }).stderr;
    }
    expect(stderr).toMatch(/usage: .*IDENTITY_PRINCIPAL_ID/);
  });
});
