#!/usr/bin/env node
'use strict';
/**
 * Writes the one list of Microsoft Graph permissions (infra/graph-permissions.json) into the
 * marked blocks of README.md, docs/deployment.md and .env.sample, so the three never disagree
 * with each other or with what infra/azure.bicep grants.
 *
 * Usage: node scripts/graph-permissions.js          rewrite the blocks
 *        node scripts/graph-permissions.js --check  exit 1 and name each stale file
 *
 * The pure parts are exported for the test.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT_DIR = path.resolve(__dirname, '..');
const SOURCE = 'infra/graph-permissions.json';

const MARKDOWN_MARKERS = {
  begin: `<!-- graph-permissions: generated from ${SOURCE} by \`node scripts/graph-permissions.js\`; edit that file -->`,
  end: '<!-- /graph-permissions -->',
};
const ENV_MARKERS = {
  begin: `# ---- Graph APPLICATION permissions (admin consent), from ${SOURCE} ----`,
  end: '# ---- end of Graph permissions ----',
};

/** The files that hold the list, and how each renders it. */
const TARGETS = [
  { file: 'README.md', markers: MARKDOWN_MARKERS, render: renderMarkdown },
  { file: 'docs/deployment.md', markers: MARKDOWN_MARKERS, render: renderMarkdown },
  { file: '.env.sample', markers: ENV_MARKERS, render: renderEnvComment },
];

/** Reads and checks infra/graph-permissions.json. */
function readPermissions(root = ROOT_DIR) {
  const data = JSON.parse(fs.readFileSync(path.join(root, SOURCE), 'utf8'));
  if (!Array.isArray(data.permissions) || data.permissions.length === 0) throw new Error(`${SOURCE}: "permissions" must be a non-empty list`);
  for (const p of data.permissions) {
    if (!/^[A-Za-z]+(\.[A-Za-z]+)+$/.test(p.name) || typeof p.required !== 'boolean' || !p.for) {
      throw new Error(`${SOURCE}: each permission needs a name, required (true/false) and what it is "for"`);
    }
  }
  return data;
}

/** A Markdown table: permission, needed, what for. */
function renderMarkdown(data) {
  const rows = data.permissions.map((p) => `| \`${p.name}\` | ${p.required ? 'yes' : 'optional'} | ${p.for} |`);
  return ['| Graph application permission | Needed | What for |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Comment lines for .env.sample. */
function renderEnvComment(data) {
  return data.permissions.map((p) => `#   ${p.name}${p.required ? '' : ' (optional)'}: ${p.for.replace(/`/g, '')}`).join('\n');
}

/** Replaces the text between the markers; throws when they are missing. */
function replaceBlock(text, markers, body, file) {
  const begin = text.indexOf(markers.begin);
  const end = text.indexOf(markers.end, begin + 1);
  if (begin < 0 || end < 0) throw new Error(`${file}: the Graph permissions markers are missing (${markers.begin} … ${markers.end})`);
  return `${text.slice(0, begin + markers.begin.length)}\n${body}\n${text.slice(end)}`;
}

/** [{ file, current, expected }] for every target. */
function planUpdates(root = ROOT_DIR) {
  const data = readPermissions(root);
  return TARGETS.map(({ file, markers, render }) => {
    const current = fs.readFileSync(path.join(root, file), 'utf8');
    return { file, current, expected: replaceBlock(current, markers, render(data), file) };
  });
}

function main(argv) {
  const check = argv.includes('--check');
  const stale = [];
  for (const { file, current, expected } of planUpdates()) {
    if (current === expected) continue;
    stale.push(file);
    if (!check) fs.writeFileSync(path.join(ROOT_DIR, file), expected);
  }
  if (check && stale.length > 0) {
    process.stderr.write(`Graph permissions out of date in ${stale.join(', ')}: run node scripts/graph-permissions.js\n`);
    return 1;
  }
  process.stdout.write(stale.length > 0 ? `Updated ${stale.join(', ')}\n` : 'Graph permissions are up to date\n');
  return 0;
}

module.exports = { SOURCE, TARGETS, MARKDOWN_MARKERS, ENV_MARKERS, readPermissions, renderMarkdown, renderEnvComment, planUpdates };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
