import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import JSZip from 'jszip';
import { APP_PACKAGE_DIR, Manifest, SAMPLE_SETTINGS, SCRIPT_PATH, packageApp } from './package-app-api';

const template = JSON.parse(fs.readFileSync(path.join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8')) as Manifest;

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'app-package-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs the CLI with exactly the given environment (nothing inherited) in cwd. */
function runCli(args: string[], env: Record<string, string>, cwd: string = tmp) {
  const result = spawnSync(process.execPath, [SCRIPT_PATH, ...args], { cwd, env, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function readZip(buffer: Buffer): Promise<{ names: string[]; manifest: Manifest; raw: string; zip: JSZip }> {
  const zip = await JSZip.loadAsync(buffer);
  const names = Object.keys(zip.files).sort();
  const raw = await zip.file('manifest.json')!.async('string');
  return { names, manifest: JSON.parse(raw) as Manifest, raw, zip };
}

describe('placeholder substitution', () => {
  it('replaces every known placeholder in a string, with or without inner spaces', () => {
    expect(packageApp.fillPlaceholders('https://${{BOT_DOMAIN}}/x/${{ BOT_ID }}', { BOT_DOMAIN: 'a.b.com', BOT_ID: '42' })).toBe(
      'https://a.b.com/x/42',
    );
  });

  it('leaves placeholders without a value untouched', () => {
    expect(packageApp.fillPlaceholders('${{TEAMS_APP_ID}}-${{OTHER}}', { OTHER: 'o' })).toBe('${{TEAMS_APP_ID}}-o');
  });

  it('fills strings anywhere in the manifest without touching the template object', () => {
    const out = packageApp.fillTemplate(template, { ...SAMPLE_SETTINGS, APP_NAME_SUFFIX: ' (dev)' });
    expect(out.id).toBe(SAMPLE_SETTINGS.TEAMS_APP_ID);
    expect(out.bots[0]?.botId).toBe(SAMPLE_SETTINGS.BOT_ID);
    expect(out.validDomains).toEqual([SAMPLE_SETTINGS.BOT_DOMAIN]);
    expect(out.name.short).toBe('Immutable ID Helper (dev)');
    expect(JSON.stringify(out)).not.toContain('${{');
    expect(template.id).toBe('${{TEAMS_APP_ID}}');
  });

  it('keeps JSON intact when a value contains quotes or backslashes', () => {
    const out = packageApp.fillTemplate({ a: ['x${{V}}y'] }, { V: '"\\' });
    expect(out).toEqual({ a: ['x"\\y'] });
  });
});

describe('finding missing and malformed values', () => {
  it('names each required placeholder with no value, and not the optional suffix', () => {
    expect(packageApp.findMissing(template, {}).sort()).toEqual([
      'BOT_DOMAIN',
      'BOT_ID',
      'DEVELOPER_NAME',
      'DEVELOPER_PRIVACY_URL',
      'DEVELOPER_TERMS_URL',
      'DEVELOPER_WEBSITE_URL',
      'TEAMS_APP_ID',
    ]);
    expect(packageApp.findMissing(template, { ...SAMPLE_SETTINGS })).toEqual([]);
  });

  it.each([
    ['DEVELOPER_WEBSITE_URL', 'http://intranet.contoso.com/bot', /Teams accepts only https links/],
    ['DEVELOPER_PRIVACY_URL', 'https://www.example.com/privacy', /placeholder address/],
    ['DEVELOPER_TERMS_URL', 'terms', /is not a URL/],
    ['DEVELOPER_NAME', 'Contoso Information Technology Service Desk', /Teams allows 32/],
  ])('refuses a bad %s (%s) and says why', (name, value, why) => {
    const { problems } = packageApp.checkValues(template, { ...SAMPLE_SETTINGS, [name]: value });
    expect(problems).toEqual([expect.objectContaining({ name, reason: expect.stringMatching(why) })]);
  });

  it('fills the developer name and links from the settings, not from hand edits', () => {
    const manifest = packageApp.fillTemplate(template, SAMPLE_SETTINGS);
    expect(manifest.developer).toEqual({
      name: SAMPLE_SETTINGS.DEVELOPER_NAME,
      websiteUrl: SAMPLE_SETTINGS.DEVELOPER_WEBSITE_URL,
      privacyUrl: SAMPLE_SETTINGS.DEVELOPER_PRIVACY_URL,
      termsOfUseUrl: SAMPLE_SETTINGS.DEVELOPER_TERMS_URL,
    });
  });

  it('treats blank values as missing', () => {
    expect(packageApp.findMissing(template, { ...SAMPLE_SETTINGS, BOT_ID: '   ' })).toEqual(['BOT_ID']);
  });

  it('reports a placeholder it does not know when it has no value', () => {
    expect(packageApp.findMissing({ x: '${{SUPPORT_URL}}' }, {})).toEqual(['SUPPORT_URL']);
    const { problems } = packageApp.checkValues({ x: '${{SUPPORT_URL}}' }, {});
    expect(problems[0]?.holds).toContain('${{SUPPORT_URL}}');
  });

  it.each([
    ['TEAMS_APP_ID', 'my-app'],
    ['BOT_ID', '0a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d'],
    ['BOT_DOMAIN', 'https://bot.contoso.com'],
    ['BOT_DOMAIN', 'bot.contoso.com/api/messages'],
    ['BOT_DOMAIN', 'bot.contoso.com:443'],
    ['BOT_DOMAIN', '*.contoso.com'],
    ['BOT_DOMAIN', 'localhost'],
    ['BOT_DOMAIN', 'bad_host.contoso.com'],
  ])('rejects %s=%j as malformed', (name, value) => {
    const { problems } = packageApp.checkValues(template, { ...SAMPLE_SETTINGS, [name]: value });
    expect(problems.map((p) => p.name)).toEqual([name]);
    expect(problems[0]!.reason).toContain(JSON.stringify(value));
  });

  it.each(['bot.contoso.com', 'abc123-3978.euw.devtunnels.ms', 'immutable-id-helper.azurewebsites.net'])(
    'accepts the host name %s',
    (host) => {
      expect(packageApp.checkValues(template, { ...SAMPLE_SETTINGS, BOT_DOMAIN: host }).problems).toEqual([]);
    },
  );

  it('trims required values and keeps the spaces of the suffix', () => {
    const { values } = packageApp.checkValues(template, {
      ...SAMPLE_SETTINGS,
      BOT_ID: `  ${SAMPLE_SETTINGS.BOT_ID} `,
      APP_NAME_SUFFIX: ' (local)',
    });
    expect(values.BOT_ID).toBe(SAMPLE_SETTINGS.BOT_ID);
    expect(values.APP_NAME_SUFFIX).toBe(' (local)');
  });

  it('formats one message naming each variable and what it must hold', () => {
    const { DEVELOPER_NAME, DEVELOPER_WEBSITE_URL, DEVELOPER_PRIVACY_URL, DEVELOPER_TERMS_URL } = SAMPLE_SETTINGS;
    const developer = { DEVELOPER_NAME, DEVELOPER_WEBSITE_URL, DEVELOPER_PRIVACY_URL, DEVELOPER_TERMS_URL } as Record<string, string>;
    const { problems } = packageApp.checkValues(template, { ...developer, BOT_DOMAIN: 'https://x.contoso.com/' });
    const message = packageApp.formatProblems(problems);
    expect(message.split('\n')[0]).toMatch(/^Cannot build the Teams app package: 3 required settings/);
    expect(message).toMatch(/TEAMS_APP_ID is not set\. It must hold the Teams app id, a GUID/);
    expect(message).toMatch(/BOT_ID is not set\. It must hold the bot's Microsoft Entra app \(client\) id, a GUID/);
    expect(message).toMatch(/BOT_DOMAIN is "https:\/\/x\.contoso\.com\/", but it starts with a scheme/);
    expect(message).toContain('--env-file');
  });
});

describe('loading settings', () => {
  it('reads .env in cwd, lets --env-file override it and the environment override both', () => {
    fs.writeFileSync(path.join(tmp, '.env'), 'TEAMS_APP_ID=from-dotenv\nBOT_ID=from-dotenv\nBOT_DOMAIN=from-dotenv\n');
    fs.writeFileSync(path.join(tmp, 'custom.env'), 'BOT_ID=from-file\nBOT_DOMAIN=from-file\n');
    const settings = packageApp.loadSettings({ cwd: tmp, envFile: 'custom.env', env: { BOT_DOMAIN: 'from-env', PATH: '/bin' } });
    expect(settings.TEAMS_APP_ID).toBe('from-dotenv');
    expect(settings.BOT_ID).toBe('from-file');
    expect(settings.BOT_DOMAIN).toBe('from-env');
  });

  it('ignores empty values so an empty variable does not hide a value from a file', () => {
    fs.writeFileSync(path.join(tmp, '.env'), 'BOT_ID=from-dotenv\n');
    expect(packageApp.loadSettings({ cwd: tmp, env: { BOT_ID: '' } }).BOT_ID).toBe('from-dotenv');
  });

  it('refuses an --env-file that does not exist', () => {
    expect(() => packageApp.loadSettings({ cwd: tmp, envFile: 'nope.env', env: {} })).toThrow(/nope\.env does not exist/);
  });
});

describe('building the package', () => {
  it('zips exactly manifest.json, color.png and outline.png at the root', async () => {
    const { zip } = await packageApp.buildPackage({ template, settings: { ...SAMPLE_SETTINGS } });
    const { names } = await readZip(zip);
    expect(names).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('puts the filled manifest in the zip, with no placeholder left', async () => {
    const { zip } = await packageApp.buildPackage({ template, settings: { ...SAMPLE_SETTINGS, APP_NAME_SUFFIX: ' (dev)' } });
    const { manifest, raw } = await readZip(zip);
    expect(raw).not.toContain('${{');
    expect(manifest.id).toBe(SAMPLE_SETTINGS.TEAMS_APP_ID);
    expect(manifest.bots[0]?.botId).toBe(SAMPLE_SETTINGS.BOT_ID);
    expect(manifest.validDomains).toEqual([SAMPLE_SETTINGS.BOT_DOMAIN]);
    expect(manifest.name.short).toBe('Immutable ID Helper (dev)');
    expect(packageApp.validateManifest(manifest)).toEqual([]);
  });

  it('copies the icons byte for byte', async () => {
    const { zip } = await packageApp.buildPackage({ template, settings: { ...SAMPLE_SETTINGS } });
    const { zip: parsed } = await readZip(zip);
    for (const icon of ['color.png', 'outline.png']) {
      const inZip = await parsed.file(icon)!.async('nodebuffer');
      expect(inZip.equals(fs.readFileSync(path.join(APP_PACKAGE_DIR, icon)))).toBe(true);
    }
  });

  it('gives the same bytes for the same input', async () => {
    const a = await packageApp.buildPackage({ template, settings: { ...SAMPLE_SETTINGS } });
    const b = await packageApp.buildPackage({ template, settings: { ...SAMPLE_SETTINGS } });
    expect(a.zip.equals(b.zip)).toBe(true);
  });

  it('buildZipBuffer refuses a file outside the zip root', async () => {
    await expect(packageApp.buildZipBuffer({}, { 'icons/color.png': Buffer.from('x') })).rejects.toThrow(/zip root/);
  });

  it('refuses with every problem listed when values are missing', async () => {
    await expect(packageApp.buildPackage({ template, settings: { BOT_ID: SAMPLE_SETTINGS.BOT_ID } })).rejects.toMatchObject({
      name: 'PackageError',
      problems: [
        expect.objectContaining({ name: 'TEAMS_APP_ID' }),
        expect.objectContaining({ name: 'DEVELOPER_NAME' }),
        expect.objectContaining({ name: 'DEVELOPER_WEBSITE_URL' }),
        expect.objectContaining({ name: 'DEVELOPER_PRIVACY_URL' }),
        expect.objectContaining({ name: 'DEVELOPER_TERMS_URL' }),
        expect.objectContaining({ name: 'BOT_DOMAIN' }),
      ],
    });
  });

  it('refuses a manifest the schema rejects, e.g. a short name over 30 characters', async () => {
    await expect(
      packageApp.buildPackage({ template, settings: { ...SAMPLE_SETTINGS, APP_NAME_SUFFIX: ' (a suffix far too long)' } }),
    ).rejects.toThrow(/does not match its schema[\s\S]*\/name\/short/);
  });

  it('refuses when an icon named in the manifest is missing', async () => {
    await expect(packageApp.buildPackage({ template, settings: { ...SAMPLE_SETTINGS }, appPackageDir: tmp })).rejects.toThrow(
      /icon color\.png/,
    );
  });
});

describe('the package CLI', () => {
  it('refuses with exit code 1, naming TEAMS_APP_ID and BOT_ID, when the environment is empty', () => {
    const out = path.join(tmp, 'out.zip');
    const { status, stdout, stderr } = runCli(['--out', out], {});
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('TEAMS_APP_ID is not set');
    expect(stderr).toContain('BOT_ID is not set');
    expect(stderr).toContain('BOT_DOMAIN is not set');
    expect(stderr).toContain('GUID');
    expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(stderr).not.toMatch(/Error:|node:internal/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('refuses malformed values the same way', () => {
    const { status, stderr } = runCli(['--out', path.join(tmp, 'out.zip')], { ...SAMPLE_SETTINGS, BOT_DOMAIN: 'https://bot.contoso.com/api' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/BOT_DOMAIN is "https:\/\/bot\.contoso\.com\/api", but it starts with a scheme/);
    expect(stderr).not.toContain('TEAMS_APP_ID');
  });

  it('writes a valid package from environment variables', async () => {
    const out = path.join(tmp, 'nested', 'appPackage.zip');
    const { status, stdout, stderr } = runCli(['--out', out], { ...SAMPLE_SETTINGS });
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain(SAMPLE_SETTINGS.TEAMS_APP_ID);
    const { names, manifest } = await readZip(fs.readFileSync(out));
    expect(names).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(manifest.bots[0]?.botId).toBe(SAMPLE_SETTINGS.BOT_ID);
  });

  it('reads .env from the current folder and --env-file=<path>', async () => {
    fs.writeFileSync(path.join(tmp, '.env'), `TEAMS_APP_ID=${SAMPLE_SETTINGS.TEAMS_APP_ID}\n`);
    fs.writeFileSync(
      path.join(tmp, 'env.dev'),
      `BOT_ID=${SAMPLE_SETTINGS.BOT_ID}\nBOT_DOMAIN=${SAMPLE_SETTINGS.BOT_DOMAIN}\nAPP_NAME_SUFFIX=" (dev)"\n` +
        `DEVELOPER_NAME=${SAMPLE_SETTINGS.DEVELOPER_NAME}\nDEVELOPER_WEBSITE_URL=${SAMPLE_SETTINGS.DEVELOPER_WEBSITE_URL}\n` +
        `DEVELOPER_PRIVACY_URL=${SAMPLE_SETTINGS.DEVELOPER_PRIVACY_URL}\nDEVELOPER_TERMS_URL=${SAMPLE_SETTINGS.DEVELOPER_TERMS_URL}\n`,
    );
    const { status, stderr } = runCli(['--env-file=env.dev', '--out', 'pkg.zip'], {});
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const { manifest } = await readZip(fs.readFileSync(path.join(tmp, 'pkg.zip')));
    expect(manifest.id).toBe(SAMPLE_SETTINGS.TEAMS_APP_ID);
    expect(manifest.name.short).toBe('Immutable ID Helper (dev)');
  });

  it('rejects an unknown argument with exit code 1 and the usage line', () => {
    const { status, stderr } = runCli(['--zip'], { ...SAMPLE_SETTINGS });
    expect(status).toBe(1);
    expect(stderr).toContain('Usage: node scripts/package-app.js');
  });

  it('writes appPackage/build/appPackage.zip by default', () => {
    expect(path.relative(APP_PACKAGE_DIR, packageApp.DEFAULT_OUT)).toBe(path.join('build', 'appPackage.zip'));
  });

  it('returns the exit code from main() without spawning', async () => {
    const chunks: string[] = [];
    const sink = { write: (c: string) => chunks.push(c) > 0 };
    const code = await packageApp.main(['--out', path.join(tmp, 'x.zip')], { env: {}, cwd: tmp, stdout: sink, stderr: sink });
    expect(code).toBe(1);
    expect(chunks.join('')).toContain('TEAMS_APP_ID');
  });
});
