/** The TLS helper scripts: certificate generation, concurrency, and the with-sandbox-ca wrapper. */
import { spawn } from 'child_process';
import { X509Certificate, createPrivateKey } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadSandboxTls, type SandboxTlsPaths } from '../../src/sandbox';

const ROOT = path.resolve(__dirname, '../..');
const TLS_SCRIPT = path.join(ROOT, 'scripts/sandbox-tls.js');
const WRAPPER = path.join(ROOT, 'scripts/with-sandbox-ca.js');
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

const { ensureSandboxTls } = require(TLS_SCRIPT) as { ensureSandboxTls(dir?: string): SandboxTlsPaths };
// node-forge ships no types; only this much of it is used.
const forge = require('node-forge') as { pki: { certificateFromPem(pem: string): { getExtension(name: string): unknown } } };

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function assertConsistent(p: SandboxTlsPaths): void {
  const ca = new X509Certificate(fs.readFileSync(p.caCertPath));
  const cert = new X509Certificate(fs.readFileSync(p.certPath));
  expect(ca.ca).toBe(true);
  expect(cert.ca).toBe(false);
  expect(cert.verify(ca.publicKey)).toBe(true);
  expect(cert.checkPrivateKey(createPrivateKey(fs.readFileSync(p.keyPath)))).toBe(true);
  expect(fs.readFileSync(p.bundlePath, 'utf8').trimEnd().endsWith(fs.readFileSync(p.caCertPath, 'utf8').trim())).toBe(true);
}

describe('ensureSandboxTls', () => {
  let tmp: string;
  const savedExtra = process.env.NODE_EXTRA_CA_CERTS;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-tls-'));
  });
  afterEach(() => {
    process.env.NODE_EXTRA_CA_CERTS = savedExtra;
    jest.restoreAllMocks();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('creates a CA and a 127.0.0.1/localhost server certificate signed by it', () => {
    process.env.NODE_EXTRA_CA_CERTS = SYSTEM_BUNDLE;
    const p = ensureSandboxTls(tmp);
    expect(p).toEqual({
      dir: tmp,
      caCertPath: path.join(tmp, 'ca.crt'),
      certPath: path.join(tmp, 'server.crt'),
      keyPath: path.join(tmp, 'server.key'),
      bundlePath: path.join(tmp, 'ca-bundle.pem'),
    });
    assertConsistent(p);
    const ca = new X509Certificate(fs.readFileSync(p.caCertPath));
    const cert = new X509Certificate(fs.readFileSync(p.certPath));
    const forgeCa = forge.pki.certificateFromPem(fs.readFileSync(p.caCertPath, 'utf8'));
    expect(forgeCa.getExtension('basicConstraints')).toMatchObject({ cA: true, critical: true });
    expect(forgeCa.getExtension('keyUsage')).toMatchObject({ keyCertSign: true });
    expect(ca.subject).toContain('Sandbox Directory Local CA');
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now() + 30 * 24 * 3600 * 1000);
    // The bundle is the file NODE_EXTRA_CA_CERTS named, followed by our CA.
    const bundle = fs.readFileSync(p.bundlePath, 'utf8');
    if (fs.existsSync(SYSTEM_BUNDLE)) expect(bundle.startsWith(fs.readFileSync(SYSTEM_BUNDLE, 'utf8'))).toBe(true);
  });

  test('keeps valid files, and regenerates a broken or soon-expiring set', () => {
    const p = ensureSandboxTls(tmp);
    const firstCa = fs.readFileSync(p.caCertPath, 'utf8');
    ensureSandboxTls(tmp);
    expect(fs.readFileSync(p.caCertPath, 'utf8')).toBe(firstCa);

    fs.rmSync(p.keyPath);
    ensureSandboxTls(tmp);
    assertConsistent(p);
    const secondCa = fs.readFileSync(p.caCertPath, 'utf8');
    expect(secondCa).not.toBe(firstCa);

    // Pretend it is a year later: the certificates expire within a day, so they are replaced.
    const later = Date.now() + 365 * 24 * 3600 * 1000;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    ensureSandboxTls(tmp);
    jest.restoreAllMocks();
    expect(fs.readFileSync(p.caCertPath, 'utf8')).not.toBe(secondCa);
    assertConsistent(p);
  });

  test('four processes racing on an empty directory end with one consistent set', async () => {
    const dir = path.join(tmp, 'race');
    const results = await Promise.all([1, 2, 3, 4].map(() => run(process.execPath, [TLS_SCRIPT, dir])));
    for (const r of results) expect(r.code).toBe(0);
    assertConsistent(ensureSandboxTls(dir));
    expect(fs.readdirSync(dir).sort()).toEqual(['ca-bundle.pem', 'ca.crt', 'server.crt', 'server.key']);
  });

  test('does not nest its own bundle when NODE_EXTRA_CA_CERTS already points at it', () => {
    const p = ensureSandboxTls(tmp);
    process.env.NODE_EXTRA_CA_CERTS = p.bundlePath;
    fs.rmSync(p.caCertPath); // force a rewrite while the variable names our own bundle
    ensureSandboxTls(tmp);
    const count = (pem: string): number => (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
    const systemCount = fs.existsSync(SYSTEM_BUNDLE) ? count(fs.readFileSync(SYSTEM_BUNDLE, 'utf8')) : 0;
    expect(count(fs.readFileSync(p.bundlePath, 'utf8'))).toBe(systemCount + 1);
    assertConsistent(p);
  });

  test('loadSandboxTls reads the PEMs (from src/, finding scripts/ by walking up)', () => {
    const tls = loadSandboxTls(tmp);
    expect(tls.dir).toBe(tmp);
    expect(tls.cert).toContain('BEGIN CERTIFICATE');
    expect(tls.key).toContain('PRIVATE KEY');
    expect(tls.ca).toBe(fs.readFileSync(path.join(tmp, 'ca.crt'), 'utf8'));
  });
});

describe('with-sandbox-ca.js', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-wrap-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('sets NODE_EXTRA_CA_CERTS, SANDBOX_TLS_DIR and PATH, and returns the exit code', async () => {
    const script = 'console.log(JSON.stringify({extra: process.env.NODE_EXTRA_CA_CERTS, dir: process.env.SANDBOX_TLS_DIR, path: process.env.PATH, args: process.argv.slice(1)})); process.exit(7)';
    const r = await run(process.execPath, [WRAPPER, 'node', '-e', script, 'a b', '$x'], { ...process.env, SANDBOX_TLS_DIR: tmp });
    expect(r.code).toBe(7);
    const seen = JSON.parse(r.stdout) as { extra: string; dir: string; path: string; args: string[] };
    expect(seen.extra).toBe(path.join(tmp, 'ca-bundle.pem'));
    expect(seen.dir).toBe(tmp);
    expect(seen.path.split(path.delimiter)[0]).toBe(path.join(ROOT, 'node_modules/.bin'));
    expect(seen.args).toEqual(['a b', '$x']); // shell:false: arguments arrive untouched
  });

  test('forwards SIGTERM to the child and exits with its code', async () => {
    const script = "process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(5); }); console.log('ready'); setInterval(() => {}, 1000);";
    const child = spawn(process.execPath, [WRAPPER, 'node', '-e', script], { env: { ...process.env, SANDBOX_TLS_DIR: tmp } });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) resolve();
      }),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(5);
    expect(out).toContain('child got SIGTERM');
  });

  test('a command that does not exist exits 127', async () => {
    const r = await run(process.execPath, [WRAPPER, 'no-such-command-xyz'], { ...process.env, SANDBOX_TLS_DIR: tmp });
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('cannot run no-such-command-xyz');
  });
});
