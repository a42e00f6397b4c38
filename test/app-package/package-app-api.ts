/**
 * Typed access to scripts/package-app.js (plain CommonJS, so the CLI runs
 * without a build step) and shared fixtures for the app-package tests.
 */
import * as path from 'node:path';

export const ROOT_DIR = path.resolve(__dirname, '..', '..');
export const APP_PACKAGE_DIR = path.join(ROOT_DIR, 'appPackage');
export const SCRIPT_PATH = path.join(ROOT_DIR, 'scripts', 'package-app.js');

export interface ValueProblem {
  name: string;
  reason: string;
  holds: string;
}

export interface Manifest {
  $schema: string;
  manifestVersion: string;
  id: string;
  name: { short: string; full?: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  accentColor: string;
  bots: Array<{
    botId: string;
    scopes: string[];
    isNotificationOnly?: boolean;
    supportsFiles?: boolean;
    commandLists: Array<{ scopes: string[]; commands: Array<{ title: string; description?: string }> }>;
  }>;
  validDomains: string[];
  [key: string]: unknown;
}

export interface Writable {
  write(chunk: string): boolean;
}

export interface PackageAppModule {
  KNOWN_VARIABLES: Record<string, { required: boolean; holds: string }>;
  DEFAULT_OUT: string;
  PackageError: new (message: string, problems?: ValueProblem[]) => Error & { problems: ValueProblem[] };
  listPlaceholders(template: unknown): string[];
  fillPlaceholders(text: string, values: Record<string, string>): string;
  fillTemplate<T>(template: T, values: Record<string, string>): T;
  findMissing(template: unknown, env: Record<string, string | undefined>): string[];
  checkValues(
    template: unknown,
    env: Record<string, string | undefined>,
  ): { values: Record<string, string>; problems: ValueProblem[] };
  formatProblems(problems: ValueProblem[]): string;
  loadSettings(options: { env?: Record<string, string | undefined>; cwd?: string; envFile?: string }): Record<string, string>;
  bundledSchemaPath(schemaUrl: string): string;
  bundledManifestVersions(): string[];
  validateManifest(manifest: unknown): string[];
  buildZipBuffer(manifest: unknown, files: Record<string, Buffer>): Promise<Buffer>;
  buildPackage(options: {
    template: unknown;
    settings: Record<string, string | undefined>;
    appPackageDir?: string;
  }): Promise<{ zip: Buffer; manifest: Manifest }>;
  parseArgs(argv: string[]): { envFile?: string; out?: string; help: boolean };
  main(
    argv: string[],
    io: { env?: Record<string, string | undefined>; cwd?: string; stdout?: Writable; stderr?: Writable },
  ): Promise<number>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the script is plain JS with no typings; this interface types it.
export const packageApp = require(SCRIPT_PATH) as PackageAppModule;

/** Sample values in the shape the toolkit writes to env/.env.<env>. */
export const SAMPLE_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  TEAMS_APP_ID: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  BOT_ID: 'f0e1d2c3-b4a5-4968-8776-5a4b3c2d1e0f',
  BOT_DOMAIN: 'immutable-id.contoso.com',
  DEVELOPER_NAME: 'Contoso IT Service Desk',
  DEVELOPER_WEBSITE_URL: 'https://intranet.contoso.com/immutable-id-helper',
  DEVELOPER_PRIVACY_URL: 'https://intranet.contoso.com/privacy',
  DEVELOPER_TERMS_URL: 'https://intranet.contoso.com/terms',
});
