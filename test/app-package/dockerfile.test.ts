/**
 * No Docker engine runs here, so these tests read the Dockerfile and check its
 * invariants, and run its HEALTHCHECK command with Node against a local server.
 * Building and running the image is not tested (see docs/deployment.md).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ROOT_DIR } from './package-app-api';

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Parses a Dockerfile into instructions: joins `\` continuations, drops comments and blank lines. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buffer = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (buffer === '' && (line === '' || line.startsWith('#'))) return;
    if (buffer === '') start = index + 1;
    if (line.endsWith('\\')) {
      buffer += `${line.slice(0, -1).trimEnd()} `;
      return;
    }
    buffer += line;
    const match = /^(\S+)\s*(.*)$/s.exec(buffer)!;
    out.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: start });
    buffer = '';
  });
  return out;
}

/** Splits instructions into build stages at each FROM. */
function stages(instructions: Instruction[]): Instruction[][] {
  const result: Instruction[][] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') result.push([]);
    result[result.length - 1]?.push(ins);
  }
  return result;
}

const dockerfile = parseDockerfile(fs.readFileSync(path.join(ROOT_DIR, 'Dockerfile'), 'utf8'));
const allStages = stages(dockerfile);
const runtime = allStages[allStages.length - 1]!;
const build = allStages[0]!;
const find = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword);

/** The HEALTHCHECK's exec-form command as an argv array. */
function healthcheckArgv(): string[] {
  const [hc] = find(runtime, 'HEALTHCHECK');
  const cmd = /\bCMD\s+(\[.*\])\s*$/s.exec(hc!.args);
  expect(cmd).not.toBeNull();
  return JSON.parse(cmd![1]!) as string[];
}

describe('parseDockerfile', () => {
  it('joins continuation lines and skips comments', () => {
    const parsed = parseDockerfile('# c\nFROM a AS b\nRUN x \\\n  y\n\nUSER node\n');
    expect(parsed.map((i) => [i.keyword, i.args])).toEqual([
      ['FROM', 'a AS b'],
      ['RUN', 'x y'],
      ['USER', 'node'],
    ]);
  });
});

describe('Dockerfile', () => {
  it('is multi-stage: a named build stage, then a node:20-slim runtime stage', () => {
    expect(allStages.length).toBeGreaterThanOrEqual(2);
    expect(build[0]!.args).toMatch(/^node:20[\w.-]*\s+AS\s+build$/i);
    expect(runtime[0]!.args).toMatch(/^node:20-slim(\s+AS\s+\w+)?$/i);
  });

  it('builds with npm ci and npm run build in the build stage', () => {
    const runs = find(build, 'RUN').map((i) => i.args);
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'));
    const compile = runs.findIndex((r) => /\bnpm run build\b/.test(r));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(compile).toBeGreaterThan(ci);
  });

  it('copies what tsconfig.build.json compiles into the build stage', () => {
    const copies = find(build, 'COPY').map((i) => i.args);
    const buildConfig = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'tsconfig.build.json'), 'utf8')) as {
      extends?: string;
      include: string[];
    };
    const needed = new Set<string>(['package-lock.json', 'tsconfig.build.json']);
    if (buildConfig.extends) needed.add(path.basename(buildConfig.extends));
    for (const pattern of buildConfig.include) needed.add(pattern.split('/')[0]!);
    for (const item of needed) expect(copies.some((c) => c.split(/\s+/).slice(0, -1).includes(item))).toBe(true);
  });

  it('installs only production dependencies in the runtime stage and copies dist from the build stage', () => {
    expect(find(runtime, 'RUN').some((i) => /\bnpm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    expect(find(runtime, 'RUN').some((i) => /npm (ci|install)(?!.*--omit=dev)/.test(i.args))).toBe(false);
    expect(find(runtime, 'COPY').some((i) => /--from=build\s+\/app\/dist\s+\.\/dist/.test(i.args))).toBe(true);
    expect(find(runtime, 'COPY').some((i) => /\bsrc\b|\btest\b|\.env/.test(i.args))).toBe(false);
  });

  it('runs as the non-root node user from the first runtime command on', () => {
    const users = find(runtime, 'USER');
    expect(users.map((u) => u.args)).toEqual(['node']);
    const userIndex = runtime.indexOf(users[0]!);
    const after = runtime.slice(userIndex + 1).map((i) => i.keyword);
    expect(after).toContain('CMD');
    expect(after).toContain('HEALTHCHECK');
  });

  it('sets PORT=3978 and NODE_ENV=production and exposes 3978', () => {
    const env = find(runtime, 'ENV').map((i) => i.args).join(' ');
    expect(env).toMatch(/(^|\s)PORT=3978(\s|$)/);
    expect(env).toMatch(/(^|\s)NODE_ENV=production(\s|$)/);
    expect(find(runtime, 'EXPOSE').map((i) => i.args)).toEqual(['3978']);
  });

  it('starts dist/src/index.js with node, matching package.json main', () => {
    const [cmd] = find(runtime, 'CMD');
    expect(JSON.parse(cmd!.args)).toEqual(['node', 'dist/src/index.js']);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/src/index.js');
  });

  it('checks health with node (no curl or wget) on 127.0.0.1:3978/healthz', () => {
    const argv = healthcheckArgv();
    expect(argv[0]).toBe('node');
    expect(argv.join(' ')).not.toMatch(/\b(curl|wget)\b/);
    expect(argv.join(' ')).toContain('http://127.0.0.1:');
    expect(argv.join(' ')).toContain('3978');
    expect(argv.join(' ')).toContain('/healthz');
  });

  describe('HEALTHCHECK command', () => {
    let server: http.Server;
    let status = 200;
    const seen: string[] = [];
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        res.statusCode = status;
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    function runHealthcheck(port: number): Promise<number | null> {
      const [, ...args] = healthcheckArgv();
      return new Promise((resolve) => {
        const child = spawn(process.execPath, args, { env: { PORT: String(port) }, stdio: 'ignore' });
        const timer = setTimeout(() => child.kill(), 15_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    }

    it('exits 0 when GET /healthz answers 200', async () => {
      status = 200;
      seen.length = 0;
      expect(await runHealthcheck((server.address() as AddressInfo).port)).toBe(0);
      expect(seen).toEqual(['GET /healthz']);
    });

    it('exits 1 when /healthz answers 503', async () => {
      status = 503;
      expect(await runHealthcheck((server.address() as AddressInfo).port)).toBe(1);
    });

    it('exits 1 when nothing listens', async () => {
      const probe = http.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const freePort = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      expect(await runHealthcheck(freePort)).toBe(1);
    });
  });
});

describe('.dockerignore', () => {
  const entries = fs
    .readFileSync(path.join(ROOT_DIR, '.dockerignore'), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it.each([
    'node_modules',
    'dist',
    '.env',
    '.sandbox',
    '.data',
    '.git',
    'test-results',
    'devTools',
    'appPackage/build',
    'env/*.user',
    '.localConfigs',
  ])('keeps %s out of the build context', (entry) => {
    expect(entries).toContain(entry);
  });

  it('does not exclude what the build needs', () => {
    for (const needed of ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
      expect(entries).not.toContain(needed);
    }
  });
});
