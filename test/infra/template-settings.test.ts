/**
 * The Bicep template cannot be compiled or deployed here (no Bicep CLI, no Azure), so these tests
 * read it as text: every setting the bot reads at start (src/config.ts) reaches the App Service
 * from the template or is named in env/.env.dev.sample, and no secret is written in plain text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseDotenv } from 'dotenv';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

const bicep = read('infra/azure.bicep');
const parameters = JSON.parse(read('infra/azure.parameters.json')) as { parameters: Record<string, { value: unknown }> };
const devSampleText = read('env/.env.dev.sample');
const devSample = parseDotenv(devSampleText);
const devUserSample = parseDotenv(read('env/.env.dev.user.sample'));

/** Every .ts file under src/ except the sandbox (the local emulator has settings of its own). */
function appSources(dir = path.join(ROOT, 'src')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'sandbox' ? [] : appSources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every environment variable the bot reads: src/config.ts's get('NAME') calls and cloud keys, and any process.env.NAME. */
function settingsReadAtStart(): string[] {
  const source = read('src/config.ts');
  const names = new Set([...source.matchAll(/\bget\('([A-Za-z_][A-Za-z0-9_]*)'\)/g)].map((m) => m[1]!));
  const cloudKeys = /const CLOUD_KEYS[^=]*=\s*\[([^\]]*)\]/.exec(source)?.[1] ?? '';
  for (const m of cloudKeys.matchAll(/'([A-Za-z]+)'/g)) names.add(m[1]!);
  for (const file of appSources()) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  }
  return [...names].sort();
}

/** Keys of a Bicep object variable, e.g. `var derivedSettings = { … }`. */
function bicepObjectKeys(name: string): string[] {
  const body = new RegExp(`^var ${name} = \\{\\n([\\s\\S]*?)\\n\\}`, 'm').exec(bicep)?.[1] ?? '';
  return [...body.matchAll(/^\s+([A-Za-z_][A-Za-z0-9_]*):/gm)].map((m) => m[1]!);
}

/** `@secure()` parameters of the template. */
function secureParams(): string[] {
  return [...bicep.matchAll(/@secure\(\)\s*\n(?:@\w+\([^\n]*\)\s*\n)*param (\w+)/g)].map((m) => m[1]!);
}

const SECRET_NAME = /SECRET|PASSWORD|CONNECTION_STRING|ACCOUNT_KEY|CERTIFICATE/i;
const derived = bicepObjectKeys('derivedSettings');
const botSettings = parameters.parameters.botSettings!.value as Record<string, string>;
const notUsedInAzure = (() => {
  const note = devSampleText.slice(devSampleText.indexOf('Not used in Azure, on purpose:'));
  return new Set([...note.matchAll(/\b([A-Za-z][A-Za-z0-9_]+)\b/g)].map((m) => m[1]!));
})();

describe('settings coverage of infra/azure.bicep', () => {
  const settings = settingsReadAtStart();

  it('finds the settings the bot reads at start', () => {
    expect(settings.length).toBeGreaterThan(30);
    expect(settings).toEqual(
      expect.arrayContaining(['APPROVER_GROUP_ID', 'REQUIRE_SEPARATE_APPROVER', 'APPROVAL_CHANNEL_ID', 'PROTECTED_GROUP_ID', 'NOTIFY_SECRET', 'STORAGE_ACCOUNT_URL', 'CallerId']),
    );
    expect(derived).toEqual(expect.arrayContaining(['BOT_ID', 'BOT_TYPE', 'AZURE_CLIENT_ID', 'STORAGE_ACCOUNT_URL']));
  });

  it('sets each one in the template, passes it from env/.env.dev.sample, or says there why Azure does without it', () => {
    const uncovered = settings.filter((name) => !derived.includes(name) && !(name in botSettings) && !notUsedInAzure.has(name));
    // A new setting: add it to botSettings in infra/azure.parameters.json and to env/.env.dev.sample,
    // or name it in the sample's "Not used in Azure, on purpose" note with the reason.
    expect(uncovered).toEqual([]);
  });

  it('passes each bot setting from a variable of the same name that env/.env.dev.sample lists', () => {
    for (const [name, value] of Object.entries(botSettings)) {
      expect({ name, known: settings.includes(name) }).toEqual({ name, known: true });
      expect({ name, value }).toEqual({ name, value: `\${{${name}}}` });
      expect(Object.keys(devSample)).toContain(name);
    }
  });

  it('lets no bot setting override what the template derives from its resources', () => {
    expect(Object.keys(botSettings).filter((name) => derived.includes(name))).toEqual([]);
    // union(botSettings, derivedSettings, …): the last object wins.
    expect(bicep).toMatch(/union\(botSettings, derivedSettings,/);
  });

  it('runs the bot as its managed identity: bot type, Graph and storage', () => {
    expect(bicep).toMatch(/BOT_TYPE: 'UserAssignedMSI'/);
    expect(bicep).toMatch(/AZURE_CLIENT_ID: identity\.properties\.clientId/);
    expect(bicep).toMatch(/STORAGE_ACCOUNT_URL: storage\.properties\.primaryEndpoints\.blob/);
    expect(bicep).toMatch(/userAssignedIdentities: \{\s*'\$\{identity\.id\}': \{\}/);
  });
});

describe('no secret in plain text', () => {
  it('takes every secret-looking app setting from a @secure() parameter', () => {
    const secure = secureParams();
    expect(secure).toContain('notifySecret');
    const body = /^var derivedSettings = \{\n([\s\S]*?)\n\}/m.exec(bicep)![1]!;
    for (const [, name, value] of body.matchAll(/^\s+([A-Za-z_][A-Za-z0-9_]*): (.+)$/gm)) {
      if (SECRET_NAME.test(name!)) expect({ name, value: value!.trim(), secure: secure.includes(value!.trim()) }).toMatchObject({ secure: true });
    }
  });

  it('gives @secure() parameters no default but empty, and fills them only from SECRET_ variables', () => {
    for (const name of secureParams()) {
      expect(bicep).toMatch(new RegExp(`param ${name} string( = '')?\\n`));
      expect(parameters.parameters[name]?.value).toMatch(/^\$\{\{SECRET_[A-Z0-9_]+\}\}$/);
      const variable = /SECRET_[A-Z0-9_]+/.exec(String(parameters.parameters[name]?.value))![0];
      expect(Object.keys(devUserSample)).toContain(variable);
      expect(devSample).not.toHaveProperty(variable);
    }
  });

  it('passes no secret through the plain bot settings or the committed env sample', () => {
    expect(Object.keys(botSettings).filter((name) => SECRET_NAME.test(name))).toEqual([]);
    expect(Object.keys(devSample).filter((name) => name.startsWith('SECRET_') || SECRET_NAME.test(name))).toEqual([]);
    for (const value of Object.values(devSample)) expect(value).not.toMatch(/AccountKey=|sig=|-----BEGIN/);
  });

  it('keeps the storage account keyless: shared keys off, access by role assignment to the identity', () => {
    expect(bicep).toMatch(/allowSharedKeyAccess: false/);
    expect(bicep).not.toMatch(/listKeys\(|listAccountSas\(|AccountKey=/);
    expect(bicep).toMatch(/'ba92f5b4-2d11-453d-a403-e96b0029c9fe'/); // Storage Blob Data Contributor
    expect(bicep).toMatch(/principalId: identity\.properties\.principalId/);
  });

  it('writes no secret to the template\'s outputs', () => {
    const outputs = [...bicep.matchAll(/^output (\w+) /gm)].map((m) => m[1]!);
    expect(outputs.length).toBeGreaterThan(0);
    expect(outputs.filter((name) => SECRET_NAME.test(name) || /notifySecret/.test(name))).toEqual([]);
    expect(bicep).not.toMatch(/^output .*notifySecret/m);
  });
});

describe('the template\'s shape', () => {
  it('creates the identity, hosting, bot with Teams channel and storage the README names', () => {
    for (const type of [
      'Microsoft.ManagedIdentity/userAssignedIdentities',
      'Microsoft.Web/serverfarms',
      'Microsoft.Web/sites',
      'Microsoft.Storage/storageAccounts',
      'Microsoft.Storage/storageAccounts/blobServices/containers',
      'Microsoft.Authorization/roleAssignments',
    ]) {
      expect(bicep).toContain(`'${type}@`);
    }
    expect(bicep).toMatch(/linuxFxVersion: 'NODE\|20-lts'/);
    const bot = read('infra/botRegistration/azurebot.bicep');
    expect(bot).toMatch(/'Microsoft\.BotService\/botServices@/);
    expect(bot).toMatch(/channelName: 'MsTeamsChannel'/);
    expect(bot).toMatch(/endpoint: 'https:\/\/\$\{botAppDomain\}\/api\/messages'/);
  });

  it('passes every template parameter that has no default', () => {
    for (const [, name] of bicep.matchAll(/^param (\w+) \w+\n/gm)) expect(parameters.parameters).toHaveProperty([name!]);
    for (const name of Object.keys(parameters.parameters)) expect(bicep).toMatch(new RegExp(`^param ${name} `, 'm'));
  });

  it('fills the parameters only from variables that env/.env.dev.sample or env/.env.dev.user.sample lists', () => {
    const used = [...JSON.stringify(parameters).matchAll(/\$\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}/g)].map((m) => m[1]!);
    const listed = new Set([...Object.keys(devSample), ...Object.keys(devUserSample)]);
    expect(used.filter((name) => !listed.has(name))).toEqual([]);
  });
});
