/**
 * TypeScript-side access to the sandbox TLS material. The generator lives in plain JavaScript
 * (scripts/sandbox-tls.js) because with-sandbox-ca.js needs it before any build; this file
 * finds that script whether it runs from src/ (ts-jest) or dist/src/ (after tsc).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface SandboxTlsPaths {
  dir: string;
  caCertPath: string;
  certPath: string;
  keyPath: string;
  bundlePath: string;
}

export interface SandboxTls extends SandboxTlsPaths {
  /** PEM server certificate for 127.0.0.1 / localhost. */
  cert: string;
  /** PEM server private key. */
  key: string;
  /** PEM certificate of the local CA that signed `cert`. */
  ca: string;
}

interface SandboxTlsScript {
  ensureSandboxTls(dir?: string): SandboxTlsPaths;
}

/** Walks up from this file until scripts/sandbox-tls.js appears (src/sandbox or dist/src/sandbox). */
function findTlsScript(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'scripts', 'sandbox-tls.js');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`sandbox: scripts/sandbox-tls.js not found above ${__dirname}`);
    dir = parent;
  }
}

/**
 * Ensures and reads the sandbox CA, server certificate and key. Directory: `dir`, else
 * SANDBOX_TLS_DIR (set by with-sandbox-ca.js), else `<cwd>/.sandbox`.
 */
export function loadSandboxTls(dir?: string): SandboxTls {
  // A runtime path: the script is plain JS outside the TypeScript program.
  const script = require(findTlsScript()) as SandboxTlsScript;
  const paths = script.ensureSandboxTls(dir ?? process.env.SANDBOX_TLS_DIR ?? path.join(process.cwd(), '.sandbox'));
  return {
    ...paths,
    cert: fs.readFileSync(paths.certPath, 'utf8'),
    key: fs.readFileSync(paths.keyPath, 'utf8'),
    ca: fs.readFileSync(paths.caCertPath, 'utf8'),
  };
}
