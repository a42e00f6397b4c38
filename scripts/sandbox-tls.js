'use strict';
/**
 * Local TLS material for the sandbox directory (the local Microsoft Graph + Entra emulator).
 *
 * MSAL only talks to https authorities and the Graph client only sends the bearer token to
 * https hosts, so the sandbox must serve TLS from a CA that Node trusts. Node reads
 * NODE_EXTRA_CA_CERTS once at start-up, hence ca-bundle.pem (system bundle + our CA) and the
 * with-sandbox-ca.js wrapper. Plain CommonJS so it runs before any TypeScript build.
 *
 * Everything here is test-only key material, generated on the machine; nothing is a secret.
 */
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const ONE_DAY_MS = 24 * 60 * 60 * 1000;
const VALIDITY_DAYS = 365;
const LOCK_STALE_MS = 60 * 1000;
const LOCK_WAIT_MS = 30 * 1000;

function filePaths(dir) {
  return {
    dir,
    caCertPath: path.join(dir, 'ca.crt'),
    certPath: path.join(dir, 'server.crt'),
    keyPath: path.join(dir, 'server.key'),
    bundlePath: path.join(dir, 'ca-bundle.pem'),
  };
}

function readOrNull(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** True when the four files exist, belong together and stay valid for more than a day. */
function isUsable(p) {
  const ca = readOrNull(p.caCertPath);
  const cert = readOrNull(p.certPath);
  const key = readOrNull(p.keyPath);
  const bundle = readOrNull(p.bundlePath);
  if (!ca || !cert || !key || !bundle) return false;
  try {
    const caX = new crypto.X509Certificate(ca);
    const certX = new crypto.X509Certificate(cert);
    const minValid = Date.now() + ONE_DAY_MS;
    if (Date.parse(caX.validTo) < minValid || Date.parse(certX.validTo) < minValid) return false;
    // A concurrent writer could leave a mixed set for a moment: check the pieces match.
    if (!certX.verify(caX.publicKey)) return false;
    if (!certX.checkPrivateKey(crypto.createPrivateKey(key))) return false;
    return bundle.includes(ca.trim());
  } catch {
    return false;
  }
}

/**
 * The bundle to extend: whatever NODE_EXTRA_CA_CERTS names (the system bundle on these
 * machines), unless it already is our own bundle (we run inside with-sandbox-ca.js).
 */
function baseBundle(ownBundlePath) {
  const candidates = [process.env.NODE_EXTRA_CA_CERTS, SYSTEM_BUNDLE];
  for (const candidate of candidates) {
    if (!candidate || !fs.existsSync(candidate)) continue;
    if (path.resolve(candidate) === path.resolve(ownBundlePath)) continue;
    return fs.readFileSync(candidate, 'utf8');
  }
  return '';
}

function randomSerial() {
  // Positive serial: clear the top bit.
  const bytes = crypto.randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function generate(p) {
  const forge = require('node-forge');
  const { pki, md } = forge;
  const notBefore = new Date(Date.now() - 60 * 60 * 1000); // an hour back: clock skew
  const notAfter = new Date(Date.now() + VALIDITY_DAYS * ONE_DAY_MS);

  // node-forge uses Node's native RSA key generation when available (fast).
  const caKeys = pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const caCert = pki.createCertificate();
  caCert.publicKey = caKeys.publicKey;
  caCert.serialNumber = randomSerial();
  caCert.validity.notBefore = notBefore;
  caCert.validity.notAfter = notAfter;
  const caSubject = [
    { name: 'commonName', value: 'Sandbox Directory Local CA (test only)' },
    { name: 'organizationName', value: 'immutable-id-bot sandbox' },
  ];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(caKeys.privateKey, md.sha256.create());

  const serverKeys = pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const serverCert = pki.createCertificate();
  serverCert.publicKey = serverKeys.publicKey;
  serverCert.serialNumber = randomSerial();
  serverCert.validity.notBefore = notBefore;
  serverCert.validity.notAfter = notAfter;
  serverCert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  serverCert.setIssuer(caSubject);
  serverCert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  serverCert.sign(caKeys.privateKey, md.sha256.create());

  const caPem = pki.certificateToPem(caCert);
  const base = baseBundle(p.bundlePath);
  const bundle = (base && !base.endsWith('\n') ? base + '\n' : base) + caPem;

  // Each file is written to a temp name and renamed, so no reader ever sees half a file;
  // the CA goes last so a reader that sees the new CA also sees the matching server cert.
  writeAtomic(p.keyPath, pki.privateKeyToPem(serverKeys.privateKey), 0o600);
  writeAtomic(p.certPath, pki.certificateToPem(serverCert));
  writeAtomic(p.bundlePath, bundle);
  writeAtomic(p.caCertPath, caPem);
}

function writeAtomic(file, content, mode) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, content, { mode: mode ?? 0o644 });
  fs.renameSync(tmp, file);
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Takes an exclusive lock file; breaks it when its holder died long ago. */
function withLock(lockPath, fn) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      try {
        if (Date.now() - fs.statSync(lockPath).mtimeMs > LOCK_STALE_MS) fs.rmSync(lockPath, { force: true });
      } catch {
        /* the holder just released it */
      }
      if (Date.now() > deadline) throw new Error(`sandbox-tls: timed out waiting for ${lockPath}`);
      sleepSync(50);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lockPath, { force: true });
  }
}

/**
 * Makes sure `dir` holds a CA, a server certificate for 127.0.0.1/localhost signed by it, the
 * server key and ca-bundle.pem; (re)creates them when missing, mismatched or expiring within a
 * day. Safe when several processes call it at once (lock file + temp file and rename).
 * @param {string} [dir] default `<cwd>/.sandbox`
 * @returns {{dir: string, caCertPath: string, certPath: string, keyPath: string, bundlePath: string}}
 */
function ensureSandboxTls(dir) {
  const p = filePaths(path.resolve(dir || path.join(process.cwd(), '.sandbox')));
  if (isUsable(p)) return p;
  fs.mkdirSync(p.dir, { recursive: true });
  withLock(path.join(p.dir, '.lock'), () => {
    // Another process may have finished while we waited for the lock.
    if (!isUsable(p)) generate(p);
  });
  return p;
}

module.exports = { ensureSandboxTls };

if (require.main === module) {
  process.stdout.write(JSON.stringify(ensureSandboxTls(process.argv[2])) + '\n');
}
