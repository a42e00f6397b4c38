/**
 * Checks the Microsoft 365 Agents Toolkit project files offline: their shape,
 * the env names they use and the app package path. Running them needs a
 * tenant and the toolkit, which this machine does not have.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parse as parseYaml } from 'yaml';
import { APP_PACKAGE_DIR, Manifest, ROOT_DIR, SAMPLE_SETTINGS, packageApp } from './package-app-api';

interface Step {
  uses: string;
  name?: string;
  with?: Record<string, unknown>;
  writeToEnvironmentFile?: Record<string, string>;
}
interface ProjectFile {
  version: string;
  environmentFolderPath?: string;
  provision?: Step[];
  deploy?: Step[];
  publish?: Step[];
}

const ZIP_PATH = './appPackage/build/appPackage.${{TEAMSFX_ENV}}.zip';
const MANIFEST_PATH = './appPackage/manifest.json';
const PACKAGE_STEPS = ['teamsApp/validateManifest', 'teamsApp/zipAppPackage', 'teamsApp/validateAppPackage', 'teamsApp/update'];
/** Local debugging: the toolkit registers a bot app for the dev tunnel. Dev: infra/azure.bicep creates the bot. */
const PROVISION_ORDER = {
  local: ['teamsApp/create', 'botAadApp/create', 'botFramework/create', ...PACKAGE_STEPS],
  dev: ['teamsApp/create', 'arm/deploy', ...PACKAGE_STEPS],
} as const;

/** The `with` keys each action used here must have (from the toolkit's published action reference). */
const REQUIRED_WITH: Record<string, string[]> = {
  'teamsApp/create': ['name'],
  'botAadApp/create': ['name'],
  'botFramework/create': ['botId', 'name', 'messagingEndpoint'],
  'teamsApp/validateManifest': ['manifestPath'],
  'teamsApp/zipAppPackage': ['manifestPath', 'outputZipPath', 'outputFolder'],
  'teamsApp/validateAppPackage': ['appPackagePath'],
  'teamsApp/update': ['appPackagePath'],
  'teamsApp/publishAppPackage': ['appPackagePath'],
  'cli/runNpmCommand': ['args'],
  'file/createOrUpdateEnvironmentFile': ['target', 'envs'],
  'devTool/install': [],
  'azureAppService/zipDeploy': ['artifactFolder', 'resourceId'],
  'arm/deploy': ['subscriptionId', 'resourceGroupName', 'templates'],
};

const FILES = {
  dev: 'm365agents.yml',
  local: 'm365agents.local.yml',
  playground: 'm365agents.playground.yml',
} as const;
type EnvName = keyof typeof FILES;
const ENV_NAMES = Object.keys(FILES) as EnvName[];

const readText = (file: string) => fs.readFileSync(path.join(ROOT_DIR, file), 'utf8');
const project = (env: EnvName) => parseYaml(readText(FILES[env])) as ProjectFile;
/** env/.env.<env>; for dev the committed sample the user copies to env/.env.dev (gitignored). */
const envFileName = (env: EnvName) => (env === 'dev' ? 'env/.env.dev.sample' : `env/.env.${env}`);
const envFile = (env: EnvName) => parseDotenv(readText(envFileName(env)));
/** Keys of env/.env.<env>.user.sample: the secrets that env/.env.<env>.user holds (empty when there is no sample). */
const userSampleKeys = (env: EnvName): string[] => {
  const file = path.join(ROOT_DIR, `env/.env.${env}.user.sample`);
  return fs.existsSync(file) ? Object.keys(parseDotenv(fs.readFileSync(file, 'utf8'))) : [];
};
const stepsOf = (p: ProjectFile): Step[] => [...(p.provision ?? []), ...(p.deploy ?? []), ...(p.publish ?? [])];
const placeholders = (value: unknown): string[] => packageApp.listPlaceholders(value);
const template = JSON.parse(fs.readFileSync(path.join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8')) as Manifest;

describe.each(ENV_NAMES)('%s project file', (env) => {
  const file = FILES[env];
  const parsed = project(env);

  it('declares the toolkit schema and a matching version', () => {
    const firstLine = readText(file).split('\n')[0]!;
    const match = /^# yaml-language-server: \$schema=https:\/\/aka\.ms\/m365-agents-toolkits\/(v1\.\d+)\/yaml\.schema\.json$/.exec(firstLine);
    expect(match).not.toBeNull();
    expect(parsed.version).toBe(match![1]);
    expect(parsed.environmentFolderPath).toBe('./env');
  });

  it('uses only known actions, each with its required parameters', () => {
    const steps = stepsOf(parsed);
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) {
      expect(Object.keys(REQUIRED_WITH)).toContain(step.uses);
      for (const key of REQUIRED_WITH[step.uses]!) expect(step.with).toHaveProperty([key]);
      for (const [output, variable] of Object.entries(step.writeToEnvironmentFile ?? {})) {
        expect(variable).toMatch(/^[A-Z][A-Z0-9_]*$/);
        if (/password|secret/i.test(output)) expect(variable).toMatch(/^SECRET_/);
      }
    }
  });

  it('references only names its env files define or an earlier step writes', () => {
    const defined = new Set([...Object.keys(envFile(env)), ...userSampleKeys(env)]);
    for (const stage of [parsed.provision ?? [], parsed.deploy ?? [], parsed.publish ?? []]) {
      const known = new Set(defined);
      for (const step of stage) {
        for (const name of placeholders(step)) expect({ step: step.uses, name, known: known.has(name) }).toEqual({ step: step.uses, name, known: true });
        for (const variable of Object.values(step.writeToEnvironmentFile ?? {})) known.add(variable);
      }
      // Outputs of provision are in the env files by the time deploy and publish run.
      for (const step of stage) for (const variable of Object.values(step.writeToEnvironmentFile ?? {})) defined.add(variable);
    }
  });
});

describe.each(['dev', 'local'] as const)('%s provisioning', (env) => {
  const provision = project(env).provision ?? [];
  const step = (uses: string) => provision.find((s) => s.uses === uses)!;

  it('runs the provisioning steps in order', () => {
    expect(provision.map((s) => s.uses)).toEqual(PROVISION_ORDER[env]);
  });

  it('writes TEAMS_APP_ID', () => {
    expect(step('teamsApp/create').writeToEnvironmentFile).toEqual({ teamsAppId: 'TEAMS_APP_ID' });
  });

  it('validates, zips and uploads appPackage/build/appPackage.${{TEAMSFX_ENV}}.zip', () => {
    expect(step('teamsApp/validateManifest').with!.manifestPath).toBe(MANIFEST_PATH);
    expect(step('teamsApp/zipAppPackage').with).toEqual({
      manifestPath: MANIFEST_PATH,
      outputZipPath: ZIP_PATH,
      outputFolder: './appPackage/build',
    });
    expect(step('teamsApp/validateAppPackage').with!.appPackagePath).toBe(ZIP_PATH);
    expect(step('teamsApp/update').with!.appPackagePath).toBe(ZIP_PATH);
    expect(fs.existsSync(path.join(ROOT_DIR, MANIFEST_PATH))).toBe(true);
  });

  it('has every manifest placeholder as a key of ' + envFileName(env), () => {
    const keys = Object.keys(envFile(env));
    for (const name of placeholders(template)) expect(keys).toContain(name);
  });
});

describe('local bot registration', () => {
  const provision = project('local').provision ?? [];
  const step = (uses: string) => provision.find((s) => s.uses === uses)!;

  it('writes BOT_ID and SECRET_BOT_PASSWORD', () => {
    expect(step('botAadApp/create').writeToEnvironmentFile).toEqual({ botId: 'BOT_ID', botPassword: 'SECRET_BOT_PASSWORD' });
  });

  it('registers the bot at ${{BOT_ENDPOINT}}/api/messages with the Teams channel', () => {
    const bot = step('botFramework/create').with!;
    expect(bot.botId).toBe('${{BOT_ID}}');
    expect(bot.messagingEndpoint).toBe('${{BOT_ENDPOINT}}/api/messages');
    expect(bot.channels).toEqual([{ name: 'msteams' }]);
  });
});

describe('dev provisioning from infra/', () => {
  const dev = project('dev');
  const armDeploy = (dev.provision ?? []).find((s) => s.uses === 'arm/deploy')!;
  const outputs = readText('infra/azure.bicep').match(/^output\s+([A-Z][A-Z0-9_]*)\s/gm)!.map((line) => line.split(/\s+/)[1]!);

  it('deploys infra/azure.bicep with infra/azure.parameters.json into the chosen subscription and group', () => {
    expect(armDeploy.with).toMatchObject({
      subscriptionId: '${{AZURE_SUBSCRIPTION_ID}}',
      resourceGroupName: '${{AZURE_RESOURCE_GROUP_NAME}}',
      templates: [{ path: './infra/azure.bicep', parameters: './infra/azure.parameters.json', deploymentName: expect.any(String) }],
    });
    for (const file of ['infra/azure.bicep', 'infra/azure.parameters.json', 'infra/bicepconfig.json']) expect(fs.existsSync(path.join(ROOT_DIR, file))).toBe(true);
    // The Microsoft Graph Bicep extension needs Bicep 0.36.1 or later.
    const [major, minor, patch] = String(armDeploy.with!.bicepCliVersion).replace(/^v/, '').split('.').map(Number);
    expect(major! * 1e6 + minor! * 1e3 + patch!).toBeGreaterThanOrEqual(36_001);
  });

  it('creates no bot app and no client secret: the template\'s managed identity is the bot', () => {
    expect(stepsOf(dev).map((s) => s.uses)).not.toEqual(expect.arrayContaining(['botAadApp/create']));
    expect(stepsOf(dev).map((s) => s.uses)).not.toEqual(expect.arrayContaining(['botFramework/create']));
    expect(readText('infra/botRegistration/azurebot.bicep')).toMatch(/msaAppType: 'UserAssignedMSI'/);
  });

  it('gets every value the later steps and the manifest need from the template\'s outputs', () => {
    const later = [...(dev.deploy ?? []), ...(dev.publish ?? [])].flatMap((s) => placeholders(s));
    const fromTemplate = ['BOT_ID', 'BOT_DOMAIN', 'BOT_AZURE_APP_SERVICE_RESOURCE_ID'];
    expect(outputs).toEqual(expect.arrayContaining(fromTemplate));
    expect(later).toContain('BOT_AZURE_APP_SERVICE_RESOURCE_ID');
    for (const name of ['BOT_ID', 'BOT_DOMAIN']) expect(placeholders(template)).toContain(name);
    // The sample has a (blank) line for each output, so the user sees where they land.
    for (const name of outputs) expect(Object.keys(envFile('dev'))).toContain(name);
  });
});

describe('dev deploy and publish', () => {
  const dev = project('dev');

  it('zip-deploys the built folder to the template\'s App Service, through .webappignore', () => {
    const zip = (dev.deploy ?? []).find((s) => s.uses === 'azureAppService/zipDeploy')!;
    expect(zip.with).toEqual({ artifactFolder: '.', ignoreFile: '.webappignore', resourceId: '${{BOT_AZURE_APP_SERVICE_RESOURCE_ID}}' });
    expect(dev.deploy!.map((s) => s.uses).indexOf('azureAppService/zipDeploy')).toBe(dev.deploy!.length - 1);
  });

  it('keeps secrets, local state and sources out of the upload', () => {
    const ignored = readText('.webappignore').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const entry of ['.env', '.env.*', 'env/', '.localConfigs', '.localConfigs.*', '*.pem', '*.pfx', '*.key', '.sandbox/', '.data/', 'devTools/', 'test/', 'src/']) {
      expect(ignored).toContain(entry);
    }
    // What the bot runs from stays in: the compiled code, its dependencies and package.json.
    for (const kept of ['dist', 'dist/', 'node_modules', 'node_modules/', 'package.json', '*.json']) expect(ignored).not.toContain(kept);
  });

  it('installs with npm ci and builds', () => {
    const args = (dev.deploy ?? []).filter((s) => s.uses === 'cli/runNpmCommand').map((s) => String(s.with!.args));
    expect(args.some((a) => /^ci\b/.test(a))).toBe(true);
    expect(args).toContain('run build');
  });

  it('publishes the same zip it builds', () => {
    const publish = dev.publish ?? [];
    expect(publish.find((s) => s.uses === 'teamsApp/zipAppPackage')?.with?.outputZipPath).toBe(ZIP_PATH);
    expect(publish.find((s) => s.uses === 'teamsApp/publishAppPackage')?.with?.appPackagePath).toBe(ZIP_PATH);
  });
});

describe('local debug settings', () => {
  const write = (project('local').deploy ?? []).find((s) => s.uses === 'file/createOrUpdateEnvironmentFile')!;

  it('writes BOT_ID, BOT_PASSWORD, BOT_TYPE and BOT_TENANT_ID to .localConfigs', () => {
    expect(write.with!.target).toBe('./.localConfigs');
    expect(write.with!.envs).toMatchObject({
      BOT_ID: '${{BOT_ID}}',
      BOT_PASSWORD: '${{SECRET_BOT_PASSWORD}}',
      BOT_TYPE: 'MultiTenant',
      BOT_TENANT_ID: '${{TEAMS_APP_TENANT_ID}}',
    });
  });

  it('also writes the Graph settings the bot needs to start', () => {
    expect(write.with!.envs).toMatchObject({
      AZURE_TENANT_ID: '${{TEAMS_APP_TENANT_ID}}',
      AZURE_CLIENT_ID: '${{AZURE_CLIENT_ID}}',
      AZURE_CLIENT_SECRET: '${{SECRET_AZURE_CLIENT_SECRET}}',
      APPROVER_IDS: '${{APPROVER_IDS}}',
    });
  });

  it('takes every secret from a SECRET_ variable, never a literal', () => {
    const envs = write.with!.envs as Record<string, string>;
    for (const key of ['BOT_PASSWORD', 'AZURE_CLIENT_SECRET']) expect(envs[key]).toMatch(/^\$\{\{SECRET_[A-Z_]+\}\}$/);
  });
});

describe('playground', () => {
  const playground = project('playground');

  it('provisions nothing in a tenant', () => {
    expect(playground.provision).toBeUndefined();
    expect(playground.publish).toBeUndefined();
    expect(stepsOf(playground).some((s) => /^(teamsApp|botAadApp|botFramework|aadApp|arm|azure\w*)\//.test(s.uses))).toBe(false);
  });

  it('tells how to start it with npm run playground', () => {
    expect(readText(FILES.playground)).toMatch(/^#\s+npm run playground$/m);
  });
});

describe('env files', () => {
  it.each(ENV_NAMES)('the %s env file names its environment, holds no secret and leaves provisioned values empty', (env) => {
    const values = envFile(env);
    expect(values.TEAMSFX_ENV).toBe(env);
    expect(values).toHaveProperty('APP_NAME_SUFFIX');
    expect(Object.keys(values).filter((k) => k.startsWith('SECRET_'))).toEqual([]);
    for (const key of ['TEAMS_APP_ID', 'TEAMS_APP_TENANT_ID', 'BOT_ID', 'BOT_ENDPOINT', 'BOT_DOMAIN', 'BOT_AZURE_APP_SERVICE_RESOURCE_ID', 'STORAGE_ACCOUNT_URL']) {
      if (key in values) expect({ key, value: values[key] }).toEqual({ key, value: '' });
    }
  });

  it.each(ENV_NAMES)('the app name with the %s suffix passes the schema', (env) => {
    const manifest = packageApp.fillTemplate(template, { ...SAMPLE_SETTINGS, APP_NAME_SUFFIX: envFile(env).APP_NAME_SUFFIX ?? '' });
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(packageApp.validateManifest(manifest)).toEqual([]);
  });

  it('env/.env.local, once provisioned and the developer settings filled in, is enough for npm run package', () => {
    // Provisioning writes the ids and domain; the developer's name and links are filled in by the user.
    const written = ['TEAMS_APP_ID', 'BOT_ID', 'BOT_DOMAIN', 'DEVELOPER_NAME', 'DEVELOPER_WEBSITE_URL', 'DEVELOPER_PRIVACY_URL', 'DEVELOPER_TERMS_URL'];
    const provisioned = `${readText('env/.env.local')}\n${written.map((name) => `${name}=${SAMPLE_SETTINGS[name]}`).join('\n')}\n`;
    const settings = parseDotenv(provisioned);
    const { values, problems } = packageApp.checkValues(template, settings);
    expect(problems).toEqual([]);
    expect(packageApp.fillTemplate(template, values).name.short).toBe('Immutable ID Helper (local)');
  });

  it.each([
    ['local', { SECRET_BOT_PASSWORD: '', SECRET_AZURE_CLIENT_SECRET: '' }],
    // The managed identity needs no secret; only the notify webhook's key is one.
    ['dev', { SECRET_NOTIFY_SECRET: '' }],
  ] as const)('the %s .user sample lists the secrets with empty values only', (env, secrets) => {
    expect(parseDotenv(readText(`env/.env.${env}.user.sample`))).toEqual(secrets);
  });

  it('real .user files and the filled-in env/.env.dev are gitignored', () => {
    const ignored = readText('.gitignore').split(/\r?\n/).map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['env/.env.*.user', 'env/.env.dev']));
  });
});
