/**
 * Threat: an unauthenticated sender grows the bot's memory through POST /api/notify, whose raw
 * body is read before the signature check: a huge chunked body, or bodies dripped slowly so
 * that many stay open. The reader stops at 64 KB (413) and after a time limit (408), closes the
 * connection, keeps nothing, and the bot keeps answering. Runs the built server (a real process,
 * so its RSS is its own) against the sandbox.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { RunningSandbox, startSandbox } from '../../src/sandbox';
import { freePort, serverEnv, sleep, SpawnedServer, spawnServer } from '../helpers/security-helpers';

const SECRET = 'test-notify-secret-0123456789abcdef';

let sandbox: RunningSandbox;
let server: SpawnedServer;
beforeAll(async () => {
  sandbox = await startSandbox();
  const port = await freePort();
  server = await spawnServer(serverEnv(sandbox, port, mkdtempSync(path.join(os.tmpdir(), 'iid-notify-')), { NOTIFY_SECRET: SECRET }));
});
afterAll(async () => {
  await server?.stop();
  await sandbox?.close();
});

/** Resident memory of the server process, in bytes (Linux /proc). */
function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

async function healthz(url: string): Promise<number> {
  const response = await fetch(`${url}/healthz`);
  await response.arrayBuffer();
  return response.status;
}

interface Upload {
  /** The status the server answered with, or 0 when it only closed the connection. */
  status: number;
  /** Bytes the client managed to hand to the socket before it was closed. */
  written: number;
  closed: Promise<void>;
}

/** Streams `total` bytes chunked (no Content-Length), `chunk` at a time, `pauseMs` between chunks. */
function upload(url: string, total: number, chunk: number, pauseMs: number): Promise<Upload> {
  return new Promise((resolve) => {
    const target = new URL('/api/notify', url);
    const req = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    const piece = Buffer.alloc(chunk, 0x61);
    const result: Upload = { status: 0, written: 0, closed: Promise.resolve() };
    let stopped = false;
    req.setMaxListeners(0);
    result.closed = new Promise<void>((closed) => req.on('close', () => closed()));
    req.on('response', (res) => {
      result.status = res.statusCode ?? 0;
      res.resume();
    });
    req.on('error', () => undefined); // EPIPE / ECONNRESET once the server hangs up: expected
    const pump = async () => {
      while (!stopped && result.written < total && !req.destroyed) {
        const ok = req.write(piece);
        result.written += piece.length;
        if (pauseMs > 0) await sleep(pauseMs);
        else if (!ok) await new Promise<void>((r) => { req.once('drain', r); req.once('close', r); });
      }
      if (!req.destroyed) req.end();
    };
    void result.closed.then(() => {
      stopped = true;
      resolve(result);
    });
    void pump();
  });
}

it('stops reading a 20 MB chunked body at the limit: 413, connection closed, RSS flat, the bot still answers', async () => {
  expect(await healthz(server.url)).toBe(200);
  const before = rssOf(server.child.pid!);
  const uploads = await Promise.all([1, 2, 3].map(() => upload(server.url, 20 * 1024 * 1024, 64 * 1024, 0)));
  for (const u of uploads) {
    // 413, unless the sender was still writing when the server hung up (its socket then drops the answer).
    expect([0, 413]).toContain(u.status);
    // The server hung up long before the 20 MB were through.
    expect(u.written).toBeLessThan(20 * 1024 * 1024);
  }
  expect(await healthz(server.url)).toBe(200);
  const growth = rssOf(server.child.pid!) - before;
  // Three 20 MB bodies buffered would be 60 MB; allow ordinary allocator noise.
  expect(growth).toBeLessThan(16 * 1024 * 1024);
  expect(server.stdout()).toMatch(/"notify\.body_refused".*"too_large"/);
}, 60_000);

it('answers slow-dripping bodies with 408 after the time limit and closes them, while answering everyone else', async () => {
  const before = rssOf(server.child.pid!);
  const drips = Array.from({ length: 20 }, () => upload(server.url, 60 * 1024, 16, 250));
  await sleep(1000);
  // While they drip, the bot answers.
  expect(await healthz(server.url)).toBe(200);
  const done = await Promise.all(drips);
  for (const d of done) {
    expect(d.status).toBe(408);
    expect(d.written).toBeLessThan(60 * 1024);
  }
  expect(await healthz(server.url)).toBe(200);
  expect(rssOf(server.child.pid!) - before).toBeLessThan(16 * 1024 * 1024);
  expect(server.stdout()).toMatch(/"notify\.body_refused".*"too_slow"/);
}, 60_000);

it('forgets a body whose sender went away mid-upload and keeps serving', async () => {
  const target = new URL('/api/notify', server.url);
  await new Promise<void>((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent: false, headers: { 'transfer-encoding': 'chunked' } });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(1024, 0x62));
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 200);
  });
  await sleep(200);
  expect(await healthz(server.url)).toBe(200);
  expect(server.child.exitCode).toBeNull();
});
