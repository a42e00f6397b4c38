/** The /_sandbox/ HTTP controls, and the CLI (src/sandbox/main.ts) run as its own process. */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_IMMUTABLE_IDS, SANDBOX_TENANT_ID, SANDBOX_USERS, type RecordedRequest, type RunningSandbox } from '../../src/sandbox';
import { graphRaw, rawRequest, startTestSandbox, tokenFor, type RawResponse } from './helpers';

const ROOT = path.resolve(__dirname, '../..');

let sandbox: RunningSandbox;
let token: string;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  token = await tokenFor(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

function control(target: { url: string }, method: string, route: string, body?: unknown): Promise<RawResponse> {
  const fake = { url: target.url } as RunningSandbox;
  return rawRequest(fake, method, `/_sandbox/${route}`, body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

test('health, users, requests', async () => {
  expect((await control(sandbox, 'GET', 'health')).json).toEqual({ status: 'ok', url: sandbox.url, tenantId: SANDBOX_TENANT_ID, clientId: SANDBOX_CLIENT_ID });
  const alice = await control(sandbox, 'GET', 'users/alice@contoso.com');
  expect(alice.json).toMatchObject({ id: SANDBOX_USERS.alice, onPremisesImmutableId: SANDBOX_IMMUTABLE_IDS.alice, history: [] });
  expect((await control(sandbox, 'GET', `users/${SANDBOX_USERS.bob}`)).json).toMatchObject({ userPrincipalName: 'bob@contoso.com' });
  expect((await control(sandbox, 'GET', 'users/nobody@contoso.com')).status).toBe(404);

  await graphRaw(sandbox, 'GET', '/v1.0/domains/contoso.com', undefined, token);
  const log = (await control(sandbox, 'GET', 'requests')).json as RecordedRequest[];
  expect(log.map((r) => r.path)).toEqual(['/v1.0/domains/contoso.com']); // control calls are not logged
  expect((await control(sandbox, 'DELETE', 'requests')).status).toBe(204);
  expect(sandbox.requests()).toEqual([]);
});

test('faults, replication lag, privileged role, reset', async () => {
  expect((await control(sandbox, 'POST', 'faults', { pathIncludes: '/domains/', status: 503, times: 1 })).status).toBe(201);
  expect((await graphRaw(sandbox, 'GET', '/v1.0/domains/contoso.com', undefined, token)).status).toBe(503);
  expect((await control(sandbox, 'POST', 'faults', { status: 418 })).status).toBe(400);
  expect((await control(sandbox, 'POST', 'faults', { pathIncludes: 'x', bogus: 1 })).status).toBe(400);

  await control(sandbox, 'POST', 'faults', { pathIncludes: '/domains/', status: 500 });
  expect((await control(sandbox, 'DELETE', 'faults')).status).toBe(204);
  expect((await graphRaw(sandbox, 'GET', '/v1.0/domains/contoso.com', undefined, token)).status).toBe(200);

  expect((await control(sandbox, 'POST', 'privileged-role', { granted: true })).status).toBe(204);
  expect((await graphRaw(sandbox, 'PATCH', '/v1.0/users/dave@contoso.com', { onPremisesImmutableId: null }, token)).status).toBe(204);

  expect((await control(sandbox, 'POST', 'replication-lag', { ms: 60_000 })).status).toBe(204);
  await graphRaw(sandbox, 'PATCH', '/v1.0/users/alice@contoso.com', { onPremisesImmutableId: null }, token);
  const lagged = await graphRaw(sandbox, 'GET', '/v1.0/users/alice@contoso.com?$select=onPremisesImmutableId', undefined, token);
  expect(lagged.json).toMatchObject({ onPremisesImmutableId: SANDBOX_IMMUTABLE_IDS.alice });
  expect((await control(sandbox, 'POST', 'replication-lag', { ms: 'soon' })).status).toBe(400);

  expect((await control(sandbox, 'POST', 'reset')).status).toBe(204);
  expect(sandbox.getUser('dave@contoso.com')?.onPremisesImmutableId).toBe(SANDBOX_IMMUTABLE_IDS.dave);
  expect((await graphRaw(sandbox, 'PATCH', '/v1.0/users/dave@contoso.com', { onPremisesImmutableId: null }, token)).status).toBe(403);
  expect((await control(sandbox, 'GET', 'nope')).status).toBe(404);
});

describe('CLI (src/sandbox/main.ts) in its own process', () => {
  // Transpile src/ into a scratch copy under .sandbox/ (gitignored); from there tls.ts still
  // finds scripts/sandbox-tls.js by walking up, as it does from dist/src/sandbox after tsc.
  const out = path.join(ROOT, '.sandbox', `cli-test-${process.pid}`);
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeAll(() => {
    for (const rel of ['src/directory/immutable-id.ts', ...fs.readdirSync(path.join(ROOT, 'src/sandbox')).filter((f) => f.endsWith('.ts')).map((f) => `src/sandbox/${f}`)]) {
      const js = ts.transpileModule(fs.readFileSync(path.join(ROOT, rel), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      }).outputText;
      fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
      fs.writeFileSync(path.join(out, rel.replace(/\.ts$/, '.js')), js);
    }
  });
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('prints one JSON line, serves Graph and controls, exits 0 on SIGTERM', async () => {
    child = spawn(process.execPath, [path.join(out, 'src/sandbox/main.js')], { env: { ...process.env, SANDBOX_PORT: '0' } });
    const exited = new Promise<number | null>((resolve) => child?.on('close', resolve));
    const line = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child?.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
      });
      child?.on('close', (code) => reject(new Error(`CLI exited early (${String(code)})`)));
    });
    const info = JSON.parse(line) as { url: string; tenantId: string; clientId: string; clientSecret: string };
    expect(info).toEqual({ url: expect.stringMatching(/^https:\/\/127\.0\.0\.1:\d+$/), tenantId: SANDBOX_TENANT_ID, clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET });

    expect((await control(info, 'GET', 'health')).status).toBe(200);
    const remote = { ...info } as unknown as RunningSandbox;
    const remoteToken = await tokenFor(remote);
    expect((await graphRaw(remote, 'GET', '/v1.0/users/alice@contoso.com', undefined, remoteToken)).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

test('POST users/{id}/stop-sync: soft-deleted or converted, like Entra Connect would', async () => {
  expect((await control(sandbox, 'POST', 'users/bob@contoso.com/stop-sync', {})).status).toBe(400);
  expect((await control(sandbox, 'POST', 'users/nobody@contoso.com/stop-sync', { softDelete: true })).status).toBe(404);
  expect((await control(sandbox, 'POST', 'users/bob@contoso.com/stop-sync', { softDelete: true })).status).toBe(204);
  expect((await control(sandbox, 'GET', 'users/bob@contoso.com')).json).toMatchObject({ id: SANDBOX_USERS.bob, onPremisesSyncEnabled: false, deletedDateTime: expect.any(String) as unknown });
  expect((await graphRaw(sandbox, 'GET', '/v1.0/users/bob@contoso.com', undefined, token)).status).toBe(404);
});
