/**
 * Inbound auth when the Bot Framework OpenID metadata cannot be fetched: botbuilder alone waits
 * forever for a host that never answers. The fetch is bounded (AUTH_METADATA_TIMEOUT): the message
 * is refused with 401 (not a hang, not a 500), and /healthz reports inbound auth failing.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadSandboxTls } from '../../src/sandbox';
import { BOT, HELPDESK, Harness, startHarness } from '../helpers/bot-harness';
import { BotFrameworkIssuer, startBotFrameworkIssuer, TEST_BOT_ID, TEST_BOT_PASSWORD, TEST_BOT_TENANT_ID } from '../helpers/bot-framework-issuer';

let issuer: BotFrameworkIssuer;
beforeAll(async () => {
  issuer = await startBotFrameworkIssuer();
});
afterAll(() => issuer?.close());

/** A harness whose channel metadata URL is `metadataUrl` (the rest of the cloud settings stay the issuer's). */
function startWithMetadata(metadataUrl: string): Promise<Harness> {
  return startHarness({
    BOT_ID: TEST_BOT_ID,
    BOT_PASSWORD: TEST_BOT_PASSWORD,
    BOT_TENANT_ID: TEST_BOT_TENANT_ID,
    ...issuer.cloudEnv(),
    ToBotFromChannelOpenIdMetadataUrl: metadataUrl,
    AUTH_METADATA_TIMEOUT: '1s',
  });
}

/** A message with a token Teams could have sent; the client gives up after 20 s, so a hang fails the test instead of stalling it. */
async function sendMessage(h: Harness): Promise<{ status: number; text: string }> {
  const response = await fetch(`${h.botUrl}/api/messages`, {
    method: 'POST',
    signal: AbortSignal.timeout(20_000),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${issuer.sign({ aud: TEST_BOT_ID, serviceurl: h.connector.url })}` },
    body: JSON.stringify({
      id: randomUUID(),
      type: 'message',
      channelId: 'msteams',
      serviceUrl: h.connector.url,
      from: { id: HELPDESK.id, name: HELPDESK.name, aadObjectId: HELPDESK.aadObjectId },
      recipient: BOT,
      conversation: { id: `a:personal-${randomUUID()}`, tenantId: h.tenantId, conversationType: 'personal' },
      channelData: { tenant: { id: h.tenantId } },
      text: 'show alice@contoso.com',
    }),
  });
  return { status: response.status, text: await response.text() };
}

async function health(h: Harness): Promise<{ status: number; body: { status: string; inboundAuth: Record<string, unknown> } }> {
  const response = await fetch(`${h.botUrl}/healthz`);
  return { status: response.status, body: (await response.json()) as { status: string; inboundAuth: Record<string, unknown> } };
}

describe('a metadata host that accepts the connection and never answers', () => {
  let silent: net.Server;
  const sockets: net.Socket[] = [];
  let h: Harness;
  beforeAll(async () => {
    silent = net.createServer((socket) => sockets.push(socket)); // no TLS handshake, no answer
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    h = await startWithMetadata(`https://127.0.0.1:${(silent.address() as AddressInfo).port}/v1/.well-known/openidconfiguration`);
  });
  afterAll(async () => {
    await h?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('reports inbound auth failing in /healthz right after start, before any message', async () => {
    const { status, body } = await health(h);
    expect(status).toBe(503);
    expect(body.inboundAuth).toMatchObject({ ok: false, status: 'failing' });
  });

  it('refuses the message with 401 instead of hanging, and nothing reaches Graph or the chat', async () => {
    h.sandbox.clearRequests(); // the probe above asked the sandbox for a Graph token
    const response = await sendMessage(h);
    expect(response.status).toBe(401);
    expect(JSON.parse(response.text)).toBe('Unauthorized');
    expect(h.sandbox.requests()).toHaveLength(0);
    expect(h.connector.activities).toHaveLength(0);
  });

  it('reports inbound auth failing in /healthz (503, degraded), saying the host did not answer in time', async () => {
    const { status, body } = await health(h);
    expect(status).toBe(503);
    expect(body.status).toBe('degraded');
    expect(body.inboundAuth).toMatchObject({ ok: false, status: 'failing', error: expect.stringMatching(/no answer within 1000 ms/) });
    expect(body.inboundAuth.metadataUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
  });
});

describe('a metadata host that answers 500, then recovers', () => {
  let failing: https.Server;
  let broken = true;
  let h: Harness;
  beforeAll(async () => {
    failing = https.createServer(loadSandboxTls(), (_req, res) => {
      if (!broken) {
        res.writeHead(307, { location: issuer.metadataUrl });
        res.end();
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('upstream trouble');
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    h = await startWithMetadata(`https://127.0.0.1:${(failing.address() as AddressInfo).port}/v1/.well-known/openidconfiguration`);
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => failing.close(resolve));
  });

  it('refuses with 401 (not 500) and /healthz names the status the host answered', async () => {
    const response = await sendMessage(h);
    expect(response.status).toBe(401);
    const { status, body } = await health(h);
    expect(status).toBe(503);
    expect(body.inboundAuth).toMatchObject({ status: 'failing', error: expect.stringMatching(/Failed to load openID config: 500/) });
  });

  it('shows the recovery in /healthz without waiting for a message, and accepts messages again', async () => {
    broken = false;
    const { status, body } = await health(h);
    expect(status).toBe(200);
    expect(body.inboundAuth).toMatchObject({ ok: true, status: 'ok' });
    expect((await sendMessage(h)).status).toBe(200);
  });
});

describe('a metadata host that works', () => {
  it('reports inbound auth ok once the keys were loaded, and accepts the message', async () => {
    const h = await startWithMetadata(issuer.metadataUrl);
    try {
      expect((await sendMessage(h)).status).toBe(200);
      const { body } = await health(h);
      expect(body.inboundAuth).toMatchObject({ ok: true, status: 'ok', metadataUrl: issuer.metadataUrl });
    } finally {
      await h.close();
    }
  });
});
