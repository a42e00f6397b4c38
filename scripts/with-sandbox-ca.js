#!/usr/bin/env node
'use strict';
/**
 * Usage: node scripts/with-sandbox-ca.js <command> [args...]
 *
 * Runs <command> with NODE_EXTRA_CA_CERTS pointing at a bundle that also trusts the sandbox
 * directory's local CA. Node reads that variable only when a process starts, so the real
 * @azure/identity and Graph client inside e.g. jest can only trust the sandbox if the variable
 * is set before jest starts: that is this wrapper's whole job.
 */
const path = require('path');
const os = require('os');
const { spawn } = require('child_process');
const { ensureSandboxTls } = require('./sandbox-tls.js');

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node scripts/with-sandbox-ca.js <command> [args...]\n');
  process.exit(2);
}

const tls = ensureSandboxTls(process.env.SANDBOX_TLS_DIR || undefined);
const projectBin = path.join(path.resolve(__dirname, '..'), 'node_modules', '.bin');
const env = {
  ...process.env,
  NODE_EXTRA_CA_CERTS: tls.bundlePath,
  SANDBOX_TLS_DIR: tls.dir,
  PATH: [projectBin, process.env.PATH].filter(Boolean).join(path.delimiter),
};

// shell:false: arguments reach the command unchanged; PATH (with node_modules/.bin) finds it.
const child = spawn(command, args, { stdio: 'inherit', env, shell: false });

const forward = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => forward(signal));

child.on('error', (err) => {
  process.stderr.write(`with-sandbox-ca: cannot run ${command}: ${err.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  if (code !== null) process.exit(code);
  const signo = (signal && os.constants.signals[signal]) || 1;
  process.exit(128 + signo);
});
