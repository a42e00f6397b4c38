/** Bad configuration stops the compiled server at start with one message naming each bad variable. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const server = path.resolve(__dirname, '../../dist/src/index.js');

it('exits 1 naming each bad variable and what it should hold, without a stack trace', () => {
  const result = spawnSync(process.execPath, [server], {
    env: { PATH: process.env.PATH ?? '', PORT: 'eighty', BOT_TYPE: 'Robot', GRAPH_ENDPOINT: 'http://graph.example', APPROVER_IDS: 'alice' },
    encoding: 'utf8',
    timeout: 20_000,
    cwd: path.resolve(__dirname, '../..'),
  });
  expect(result.status).toBe(1);
  for (const name of ['PORT', 'BOT_TYPE', 'GRAPH_ENDPOINT', 'APPROVER_IDS', 'AZURE_TENANT_ID']) expect(result.stderr).toContain(name);
  expect(result.stderr).toMatch(/AZURE_TENANT_ID: required/);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).toBe('');
});
