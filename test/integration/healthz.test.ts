/** GET /healthz: version, Graph token acquisition and storage, for probes and the Docker health check. */
import { startHarness } from '../helpers/bot-harness';

it('reports the version and healthy Graph token acquisition and storage', async () => {
  const h = await startHarness();
  try {
    const response = await fetch(`${h.botUrl}/healthz`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, { ok?: boolean } | string | boolean>;
    expect(body).toMatchObject({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/), graph: { ok: true }, storage: { ok: true } });
    expect(h.sandbox.requests().some((r) => r.path.endsWith('/oauth2/v2.0/token'))).toBe(true);
  } finally {
    await h.close();
  }
});

it('answers 503 "degraded" when no Graph token can be had, without leaking the secret', async () => {
  const h = await startHarness();
  try {
    h.sandbox.addFault({ pathIncludes: '/oauth2/v2.0/token', status: 503 });
    const response = await fetch(`${h.botUrl}/healthz`);
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({ status: 'degraded', graph: { ok: false }, storage: { ok: true } });
    expect(text).not.toContain(h.sandbox.clientSecret);
  } finally {
    await h.close();
  }
});
