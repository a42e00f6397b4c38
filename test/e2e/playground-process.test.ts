/**
 * The e2e helper itself: startPlayground() reports a launcher that dies, and stop() leaves
 * nothing listening (no stray Playground holding a port for the next run).
 */
import { startPlayground } from '../helpers/playground-process';

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

it('rejects with the launcher output when the launcher exits before it is ready', async () => {
  const started = Date.now();
  await expect(startPlayground({ VERIFY_MAX_WAIT_MS: 'not-a-number' })).rejects.toThrow(
    /exited before it was ready \(code 1[\s\S]*VERIFY_MAX_WAIT_MS: "not-a-number" must be a whole number/,
  );
  expect(Date.now() - started).toBeLessThan(20_000); // reported at once, not after the 60 s timeout
});

it('starts everything, and stop() shuts the Playground, the bot and the sandbox down', async () => {
  const pg = await startPlayground();
  try {
    expect(pg.playgroundUrl).toMatch(/^http:\/\/localhost:\d+$/);
    expect(pg.botUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/messages$/);
    expect(pg.sandboxUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(pg.approver).toBe('ade1e000-0000-4000-8000-00000000000d');
    expect(await (await fetch(`${pg.playgroundUrl}/_debug/ping`)).text()).toBe('pong');
    expect((await fetch(`${pg.sandboxUrl}/_sandbox/health`)).status).toBe(200);
    expect(pg.output()).toContain('PLAYGROUND_READY');
  } finally {
    await pg.stop();
  }
  expect(await answers(`${pg.playgroundUrl}/_debug/ping`)).toBe(false);
  expect(await answers(pg.botUrl)).toBe(false);
  expect(await answers(`${pg.sandboxUrl}/_sandbox/health`)).toBe(false);
  await pg.stop(); // a second stop() is harmless
}, 75_000);
