import * as fs from 'node:fs';
import * as path from 'node:path';
import { APP_PACKAGE_DIR, Manifest, SAMPLE_SETTINGS, packageApp } from './package-app-api';

const template = JSON.parse(fs.readFileSync(path.join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8')) as Manifest;
const filled = (settings: Record<string, string> = SAMPLE_SETTINGS): Manifest =>
  packageApp.fillTemplate(template, { APP_NAME_SUFFIX: '', ...settings });

const COMMANDS = ['clear immutable id for', 'show', 'check', 'help', 'history', 'cancel'];
const SCOPES = ['personal', 'team', 'groupChat'];

describe('appPackage/manifest.json', () => {
  it('uses the newest Teams manifest schema bundled in @microsoft/app-manifest', () => {
    const versions = packageApp.bundledManifestVersions();
    const newest = versions[versions.length - 1];
    expect(versions.length).toBeGreaterThan(10);
    expect(template.manifestVersion).toBe(newest);
    expect(template.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${template.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(fs.existsSync(packageApp.bundledSchemaPath(template.$schema))).toBe(true);
  });

  it('validates against that schema once the placeholders are filled with sample values', () => {
    expect(packageApp.validateManifest(filled())).toEqual([]);
  });

  it('is rejected by the schema validator when a filled value is not a GUID', () => {
    const errors = packageApp.validateManifest(filled({ ...SAMPLE_SETTINGS, BOT_ID: 'not-a-guid' }));
    expect(errors.some((e) => e.includes('/bots/0/botId'))).toBe(true);
  });

  it('is rejected by the schema validator while placeholders are still unfilled', () => {
    const errors = packageApp.validateManifest(template);
    expect(errors.some((e) => e.startsWith('/id '))).toBe(true);
  });

  it('is rejected when it has a property the schema does not allow', () => {
    expect(packageApp.validateManifest({ ...filled(), notAManifestField: true })).not.toEqual([]);
  });

  it('takes its ids and domain from the toolkit placeholders', () => {
    expect(template.id).toBe('${{TEAMS_APP_ID}}');
    expect(template.bots[0]?.botId).toBe('${{BOT_ID}}');
    expect(template.validDomains).toEqual(['${{BOT_DOMAIN}}']);
    expect(template.name.short).toContain('${{APP_NAME_SUFFIX}}');
    expect(packageApp.listPlaceholders(template).sort()).toEqual(
      ['APP_NAME_SUFFIX', 'BOT_DOMAIN', 'BOT_ID', 'TEAMS_APP_ID', 'DEVELOPER_NAME', 'DEVELOPER_WEBSITE_URL', 'DEVELOPER_PRIVACY_URL', 'DEVELOPER_TERMS_URL'].sort(),
    );
  });

  it('declares one conversational bot in personal, team and group chat scopes', () => {
    expect(template.bots).toHaveLength(1);
    const bot = template.bots[0]!;
    expect([...bot.scopes].sort()).toEqual([...SCOPES].sort());
    expect(bot.isNotificationOnly).toBe(false);
    expect(bot.supportsFiles).toBe(true); // the bulk previous-values CSV is sent as a file in the personal chat
  });

  it.each(SCOPES)('lists every command with a description in the %s scope', (scope) => {
    const lists = template.bots[0]!.commandLists.filter((l) => l.scopes.includes(scope));
    expect(lists).toHaveLength(1);
    const commands = lists[0]!.commands;
    expect(commands.map((c) => c.title).sort()).toEqual([...COMMANDS].sort());
    for (const command of commands) {
      // Teams shows at most 32 characters of a title and 128 of a description.
      expect(command.title.length).toBeLessThanOrEqual(32);
      expect(command.description?.trim().length ?? 0).toBeGreaterThan(10);
      expect(command.description!.length).toBeLessThanOrEqual(128);
    }
  });

  it('describes what the app does within the length limits', () => {
    expect(template.description.short.length).toBeLessThanOrEqual(80);
    expect(template.description.full.length).toBeLessThanOrEqual(4000);
    for (const text of [template.description.short, template.description.full]) {
      expect(text).toMatch(/immutable ID/i);
      expect(text).toMatch(/Entra Connect/);
    }
    expect(template.description.full).toMatch(/approv/i);
    expect(template.description.full).toContain('onPremisesImmutableId');
  });

  it('takes the developer name and links from settings, and fills them with https links', () => {
    expect(template.developer).toEqual({
      name: '${{DEVELOPER_NAME}}',
      websiteUrl: '${{DEVELOPER_WEBSITE_URL}}',
      privacyUrl: '${{DEVELOPER_PRIVACY_URL}}',
      termsOfUseUrl: '${{DEVELOPER_TERMS_URL}}',
    });
    const { developer } = filled();
    for (const url of [developer.websiteUrl, developer.privacyUrl, developer.termsOfUseUrl]) {
      expect(url).toMatch(/^https:\/\/[^/]+\//);
    }
  });

  it('has an accent colour and icons at the package root', () => {
    expect(template.accentColor).toMatch(/^#[0-9A-Fa-f]{6}$/);
    expect(template.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });

  it('keeps the short name within 30 characters with an empty suffix', () => {
    expect(filled().name.short).toBe('Immutable ID Helper');
    expect(filled().name.short.length).toBeLessThanOrEqual(30);
  });
});
