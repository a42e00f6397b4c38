#!/usr/bin/env node
'use strict';
/**
 * Builds the Teams app package (appPackage/build/appPackage.zip).
 *
 * Fills the `${{NAME}}` placeholders of appPackage/manifest.json from the
 * environment, ./.env (current folder) and an optional `--env-file <path>`,
 * checks every value, validates the result against the Teams manifest JSON
 * schema bundled in @microsoft/app-manifest (offline), and zips manifest.json
 * with the two icons at the zip root. Refuses (exit code 1) when a value is
 * missing or malformed, naming each one and what it should hold.
 *
 * Usage: node scripts/package-app.js [--env-file <path>] [--out <zip path>]
 *
 * The pure parts are exported so tests can call them without spawning.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT_DIR = path.resolve(__dirname, '..');
const APP_PACKAGE_DIR = path.join(ROOT_DIR, 'appPackage');
const DEFAULT_OUT = path.join(APP_PACKAGE_DIR, 'build', 'appPackage.zip');

/** Matches a Teams-Toolkit placeholder such as `${{BOT_ID}}`; group 1 is the name. */
const PLACEHOLDER_PATTERN = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Fixed timestamp for zip entries so the same input always gives the same bytes. */
const ZIP_DATE = new Date(Date.UTC(2024, 0, 1, 0, 0, 0));

const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_PATTERN = new RegExp(`^(?=.{1,253}$)(?:${HOST_LABEL}\\.)+${HOST_LABEL}$`);

/** Returns null when the value is a GUID, else why not. */
function checkGuid(value) {
  return GUID_PATTERN.test(value) ? null : 'it is not a GUID';
}

/** Returns null when the value is an https URL of a page (not example.com), else why not. */
function checkHttpsPage(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    return 'it is not a URL';
  }
  if (url.protocol !== 'https:') return 'Teams accepts only https links';
  if (/(^|\.)example\.(com|org|net)$/i.test(url.hostname)) return 'it is a placeholder address; use your organisation\'s page';
  if (value.length > 2048) return 'it is longer than 2048 characters';
  return null;
}

/** Returns null for a developer name Teams accepts (1 to 32 characters), else why not. */
function checkDeveloperName(value) {
  return value.length <= 32 ? null : `it is ${value.length} characters long; Teams allows 32`;
}

/** Returns null when the value is a bare host name (no scheme, port, path or wildcard), else why not. */
function checkHostName(value) {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return 'it starts with a scheme such as https://';
  if (/[/?#]/.test(value)) return 'it contains a path';
  if (value.includes(':')) return 'it contains a port';
  if (value.includes('*')) return 'it contains a wildcard';
  if (!HOST_PATTERN.test(value)) return 'it is not a host name with at least two labels';
  return null;
}

/**
 * The placeholders the manifest is known to use: what each must hold and how
 * it is checked. A placeholder not listed here is still filled from the
 * environment and reported as missing when it has no value.
 */
const KNOWN_VARIABLES = Object.freeze({
  TEAMS_APP_ID: {
    required: true,
    holds:
      'the Teams app id, a GUID such as 2f8b1c4e-7a0d-4e59-9b63-0c1d2e3f4a5b (the manifest "id": generate one once and keep it, or let `atk provision` create it)',
    check: checkGuid,
  },
  BOT_ID: {
    required: true,
    holds:
      "the bot's Microsoft Entra app (client) id, a GUID: the Microsoft App ID of the Azure Bot (the same value as the bot's BOT_ID setting)",
    check: checkGuid,
  },
  BOT_DOMAIN: {
    required: true,
    holds:
      'the public host name the bot is reached at, without https:// and without a path, e.g. immutable-id.contoso.com',
    check: checkHostName,
  },
  DEVELOPER_NAME: {
    required: true,
    holds: 'your organisation as the app\'s developer, as Teams shows it in the app details (at most 32 characters), e.g. "Contoso IT Service Desk"',
    check: checkDeveloperName,
  },
  DEVELOPER_WEBSITE_URL: {
    required: true,
    holds: 'the https address of a page about the app or your service desk, e.g. https://intranet.contoso.com/immutable-id-helper',
    check: checkHttpsPage,
  },
  DEVELOPER_PRIVACY_URL: {
    required: true,
    holds: 'the https address of your privacy statement for the app',
    check: checkHttpsPage,
  },
  DEVELOPER_TERMS_URL: {
    required: true,
    holds: 'the https address of the app\'s terms of use',
    check: checkHttpsPage,
  },
  APP_NAME_SUFFIX: {
    required: false,
    defaultValue: '',
    holds: 'optional text appended to the app name, e.g. " (dev)"; empty by default',
    check: null,
  },
});

/** Error carrying one line per problem; the CLI prints it without a stack trace. */
class PackageError extends Error {
  constructor(message, problems) {
    super(message);
    this.name = 'PackageError';
    this.problems = problems || [];
  }
}

/** Calls fn on every string inside a JSON value and returns the mapped copy. */
function mapStrings(value, fn) {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn));
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const [key, item] of Object.entries(value)) out[key] = mapStrings(item, fn);
    return out;
  }
  return value;
}

/** Returns the placeholder names used in a string or JSON value, in order of first use. */
function listPlaceholders(template) {
  const names = [];
  mapStrings(template, (text) => {
    for (const match of text.matchAll(PLACEHOLDER_PATTERN)) {
      if (!names.includes(match[1])) names.push(match[1]);
    }
    return text;
  });
  return names;
}

/** Replaces each `${{NAME}}` in text whose name has a value (a string) in values; leaves the others as they are. */
function fillPlaceholders(text, values) {
  return text.replace(PLACEHOLDER_PATTERN, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) && typeof values[name] === 'string' ? values[name] : whole,
  );
}

/** Returns a copy of a JSON value (e.g. the parsed manifest) with placeholders filled in every string. */
function fillTemplate(template, values) {
  return mapStrings(template, (text) => fillPlaceholders(text, values));
}

/**
 * Returns the value a placeholder gets: the non-blank setting (trimmed, except
 * for optional text such as APP_NAME_SUFFIX whose spaces matter), else its
 * default, else undefined.
 */
function resolveValue(name, env) {
  const raw = env[name];
  const known = KNOWN_VARIABLES[name];
  if (typeof raw === 'string' && raw.trim() !== '') return known && !known.required ? raw : raw.trim();
  if (known && !known.required) return known.defaultValue;
  return undefined;
}

/** Returns the names of the placeholders in template that have no value (and no default) in env. */
function findMissing(template, env) {
  return listPlaceholders(template).filter((name) => resolveValue(name, env) === undefined);
}

/**
 * Checks every placeholder of template against env. Returns
 * `{ values, problems }`: values maps each placeholder to what it will be
 * filled with; problems lists `{ name, reason, holds }` for each one that is
 * missing or malformed (empty when all is well).
 */
function checkValues(template, env) {
  const values = {};
  const problems = [];
  for (const name of listPlaceholders(template)) {
    const known = KNOWN_VARIABLES[name];
    const holds = known ? known.holds : 'a value for the ${{' + name + '}} placeholder in appPackage/manifest.json';
    const value = resolveValue(name, env);
    if (value === undefined) {
      problems.push({ name, reason: 'is not set', holds });
      continue;
    }
    const why = known && known.check ? known.check(value) : null;
    if (why) {
      problems.push({ name, reason: `is ${JSON.stringify(shorten(value))}, but ${why}`, holds });
      continue;
    }
    values[name] = value;
  }
  return { values, problems };
}

function shorten(value) {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

/** Formats the problems of checkValues as one message naming each variable and what it should hold. */
function formatProblems(problems) {
  const count = problems.length;
  const lines = [
    `Cannot build the Teams app package: ${count} required setting${count === 1 ? ' is' : 's are'} missing or malformed.`,
  ];
  for (const p of problems) lines.push(`  - ${p.name} ${p.reason}. It must hold ${p.holds}.`);
  lines.push(
    'Set them as environment variables, in .env in the current folder, or in a file passed with --env-file <path> (for example env/.env.dev after `atk provision`).',
  );
  return lines.join('\n');
}

/**
 * Reads settings: the environment wins over --env-file, which wins over
 * ./.env in cwd. Empty values count as unset. Does not modify process.env.
 */
function loadSettings({ env = process.env, cwd = process.cwd(), envFile } = {}) {
  const dotenv = require('dotenv');
  const merged = {};
  const layers = [];
  const dotEnvPath = path.join(cwd, '.env');
  if (fs.existsSync(dotEnvPath)) layers.push(dotenv.parse(fs.readFileSync(dotEnvPath)));
  if (envFile) {
    const file = path.resolve(cwd, envFile);
    if (!fs.existsSync(file)) throw new PackageError(`The env file ${envFile} does not exist (looked at ${file}).`);
    layers.push(dotenv.parse(fs.readFileSync(file)));
  }
  layers.push(env);
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (typeof value === 'string' && value.trim() !== '') merged[key] = value;
    }
  }
  return merged;
}

let cachedAppManifestDir;
/** Folder of the installed @microsoft/app-manifest package, which bundles the Teams manifest JSON schemas. */
function appManifestPackageDir() {
  if (cachedAppManifestDir) return cachedAppManifestDir;
  let pkgJson;
  try {
    pkgJson = require.resolve('@microsoft/app-manifest/package.json');
  } catch {
    throw new PackageError(
      'Cannot validate the manifest: the dev dependency @microsoft/app-manifest is not installed. Run `npm ci` (with dev dependencies) first.',
    );
  }
  cachedAppManifestDir = path.dirname(pkgJson);
  return cachedAppManifestDir;
}

/**
 * Maps a manifest `$schema` URL (e.g. https://developer.microsoft.com/json-schemas/teams/v1.30/MicrosoftTeams.schema.json,
 * optionally with a locale such as /en-us/) to the copy bundled in @microsoft/app-manifest.
 */
function bundledSchemaPath(schemaUrl) {
  let url;
  try {
    url = new URL(schemaUrl);
  } catch {
    throw new PackageError(`The manifest's $schema ${JSON.stringify(schemaUrl)} is not a URL.`);
  }
  const match = /^(?:\/[a-z]{2}(?:-[a-z]{2})?)?\/(json-schemas\/teams\/[^/]+\/MicrosoftTeams\.schema\.json)$/i.exec(url.pathname);
  if (url.hostname !== 'developer.microsoft.com' || !match) {
    throw new PackageError(`The manifest's $schema ${schemaUrl} is not a Teams manifest schema URL on developer.microsoft.com.`);
  }
  const file = path.join(appManifestPackageDir(), 'build', ...match[1].split('/'));
  if (!fs.existsSync(file)) {
    throw new PackageError(
      `The schema ${match[1]} is not bundled in the installed @microsoft/app-manifest; use a manifest version it ships or update the package.`,
    );
  }
  return file;
}

/** Lists the Teams manifest versions whose schema @microsoft/app-manifest bundles, oldest first (e.g. ['1.0', …, '1.30']). */
function bundledManifestVersions() {
  const dir = path.join(appManifestPackageDir(), 'build', 'json-schemas', 'teams');
  return fs
    .readdirSync(dir)
    .filter((name) => /^v\d+\.\d+$/.test(name) && fs.existsSync(path.join(dir, name, 'MicrosoftTeams.schema.json')))
    .map((name) => name.slice(1))
    .sort((a, b) => {
      const [amaj, amin] = a.split('.').map(Number);
      const [bmaj, bmin] = b.split('.').map(Number);
      return amaj - bmaj || amin - bmin;
    });
}

const validators = new Map();
/** Compiles (once) the JSON-schema validator for a bundled schema file, configured as @microsoft/app-manifest does. */
function validatorFor(schemaFile) {
  if (validators.has(schemaFile)) return validators.get(schemaFile);
  const raw = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  const draft2020 = typeof raw.$schema === 'string' && raw.$schema.includes('2020-12');
  const Ajv = draft2020 ? require('ajv/dist/2020').default : require('ajv-draft-04').default;
  const addFormats = require('ajv-formats').default;
  const ajv = new Ajv({ allErrors: true, strictTypes: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  const validate = ajv.compile(raw);
  validators.set(schemaFile, validate);
  return validate;
}

/** Validates a filled manifest against the schema its `$schema` names; returns one string per error (empty when valid). */
function validateManifest(manifest) {
  if (!manifest || typeof manifest !== 'object' || typeof manifest.$schema !== 'string') {
    return ['the manifest has no $schema URL'];
  }
  const validate = validatorFor(bundledSchemaPath(manifest.$schema));
  if (validate(manifest)) return [];
  return (validate.errors || []).map((e) => {
    const where = e.instancePath || '(root)';
    const params = e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '';
    return `${where} ${e.message || 'is invalid'}${params}`;
  });
}

/**
 * Builds the zip: manifest.json (the given object, pretty-printed) and each
 * file of `files` ({ name: Buffer }) at the zip root, with fixed timestamps.
 * Resolves to a Buffer.
 */
async function buildZipBuffer(manifest, files) {
  const JSZip = require('jszip');
  const zip = new JSZip();
  const entries = [['manifest.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8')]];
  for (const name of Object.keys(files).sort()) entries.push([name, files[name]]);
  for (const [name, data] of entries) {
    if (name.includes('/') || name.includes('\\')) throw new PackageError(`The package file ${name} must sit at the zip root.`);
    zip.file(name, data, { date: ZIP_DATE, createFolders: false, binary: true });
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 }, platform: 'DOS' });
}

/**
 * Builds the package from a manifest template and settings: checks values,
 * fills placeholders, validates against the schema, reads the icons named in
 * the manifest from appPackageDir and zips everything. Throws PackageError
 * (with `problems`) when something is missing, malformed or invalid.
 * Resolves to `{ zip, manifest }`.
 */
async function buildPackage({ template, settings, appPackageDir = APP_PACKAGE_DIR }) {
  const { values, problems } = checkValues(template, settings);
  if (problems.length > 0) throw new PackageError(formatProblems(problems), problems);

  const manifest = fillTemplate(template, values);
  const left = listPlaceholders(manifest);
  if (left.length > 0 || JSON.stringify(manifest).includes('${{')) {
    throw new PackageError(`Unfilled placeholders remain in the manifest: ${left.join(', ') || '${{…}}'}.`);
  }

  const errors = validateManifest(manifest);
  if (errors.length > 0) {
    throw new PackageError(
      [`The filled manifest does not match its schema (${manifest.$schema}):`, ...errors.map((e) => `  - ${e}`)].join('\n'),
    );
  }

  const files = {};
  for (const icon of [manifest.icons.color, manifest.icons.outline]) {
    const file = path.join(appPackageDir, icon);
    if (!fs.existsSync(file)) throw new PackageError(`The icon ${icon} named in the manifest is missing from ${appPackageDir}.`);
    files[icon] = fs.readFileSync(file);
  }
  return { zip: await buildZipBuffer(manifest, files), manifest };
}

/** Parses CLI arguments: --env-file <path>, --out <path>, --help. Throws PackageError on anything else. */
function parseArgs(argv) {
  const options = { envFile: undefined, out: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--help' || flag === '-h') {
      options.help = true;
    } else if (flag === '--env-file' || flag === '--out') {
      const value = inline !== undefined ? inline : argv[++i];
      if (!value) throw new PackageError(`${flag} needs a path.\n${USAGE}`);
      options[flag === '--env-file' ? 'envFile' : 'out'] = value;
    } else {
      throw new PackageError(`Unknown argument ${JSON.stringify(arg)}.\n${USAGE}`);
    }
  }
  return options;
}

const USAGE = 'Usage: node scripts/package-app.js [--env-file <path>] [--out <zip path>]';

/** Runs the CLI; returns the exit code. Writes messages to the given streams, never a stack trace. */
async function main(argv = process.argv.slice(2), { env = process.env, cwd = process.cwd(), stdout = process.stdout, stderr = process.stderr } = {}) {
  try {
    const options = parseArgs(argv);
    if (options.help) {
      stdout.write(
        `${USAGE}\nFills appPackage/manifest.json from TEAMS_APP_ID, BOT_ID, BOT_DOMAIN and APP_NAME_SUFFIX and writes the Teams app package (default ${path.relative(cwd, DEFAULT_OUT) || DEFAULT_OUT}).\n`,
      );
      return 0;
    }
    const settings = loadSettings({ env, cwd, envFile: options.envFile });
    const templateFile = path.join(APP_PACKAGE_DIR, 'manifest.json');
    let template;
    try {
      template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
    } catch (err) {
      throw new PackageError(`Cannot read ${templateFile}: ${err.message}`);
    }
    const { zip, manifest } = await buildPackage({ template, settings });
    const out = options.out ? path.resolve(cwd, options.out) : DEFAULT_OUT;
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, zip);
    stdout.write(
      `Wrote ${path.relative(cwd, out) || out} (manifest ${manifest.manifestVersion}, app id ${manifest.id}, bot id ${manifest.bots[0].botId}, domain ${manifest.validDomains.join(', ')}).\n`,
    );
    return 0;
  } catch (err) {
    const message = err instanceof PackageError ? err.message : `Unexpected error: ${err && err.message ? err.message : String(err)}`;
    stderr.write(`${message}\n`);
    return 1;
  }
}

module.exports = {
  KNOWN_VARIABLES,
  DEFAULT_OUT,
  APP_PACKAGE_DIR,
  PackageError,
  listPlaceholders,
  fillPlaceholders,
  fillTemplate,
  findMissing,
  checkValues,
  formatProblems,
  loadSettings,
  bundledSchemaPath,
  bundledManifestVersions,
  validateManifest,
  buildZipBuffer,
  buildPackage,
  parseArgs,
  main,
};

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}
