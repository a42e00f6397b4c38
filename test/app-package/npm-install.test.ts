/**
 * `npm ci` on a fresh clone prints nothing to review: every dependency that ships an install
 * script has a decision in package.json's allowScripts (npm 11 lists undecided ones after each
 * install), and the decision is "no", since nothing here may need a native build or install step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean; version?: string }>;
};

/** Names of locked packages that have an install script (preinstall, install, postinstall). */
const withInstallScripts = [
  ...new Set(
    Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([location]) => location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length)),
  ),
].sort();

describe('npm ci', () => {
  it('has a reviewed decision for every dependency with an install script', () => {
    expect(withInstallScripts.length).toBeGreaterThan(0);
    const undecided = withInstallScripts.filter((name) => !(name in (pkg.allowScripts ?? {})));
    expect(undecided).toEqual([]);
  });

  it('runs none of them: no native build, no install step', () => {
    expect(Object.entries(pkg.allowScripts ?? {}).filter(([, allowed]) => allowed !== false)).toEqual([]);
  });

  it('keeps no decision for a package that is no longer installed', () => {
    expect(Object.keys(pkg.allowScripts ?? {}).filter((name) => !withInstallScripts.includes(name))).toEqual([]);
  });

  it('uses no deprecated npm options in the project\'s own commands', () => {
    const files = ['package.json', 'Dockerfile', 'm365agents.yml', 'm365agents.local.yml', 'm365agents.playground.yml', '.ci/run'];
    for (const file of files.filter((f) => fs.existsSync(path.join(ROOT, f)))) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      expect({ file, deprecated: text.match(/--production\b|--only[= ]\w+|--also[= ]\w+|--global-style|--legacy-bundling/g) }).toEqual({ file, deprecated: null });
    }
  });
});
