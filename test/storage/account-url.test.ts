/**
 * STORAGE_ACCOUNT_URL: blob state through an Entra ID token (the managed identity in Azure),
 * with shared keys off. Azurite serves https with the sandbox's certificate and checks bearer
 * tokens (`--oauth basic`: issuer, audience, expiry); the token comes from the sandbox's Entra
 * emulator through the same @azure/identity credential the bot builds for Graph.
 */
import { AnonymousCredential, ContainerClient } from '@azure/storage-blob';
import { loadConfig } from '../../src/config';
import { createGraphCredential } from '../../src/directory/credential';
import { loadSandboxTls, RunningSandbox, startSandbox } from '../../src/sandbox';
import { createStorage } from '../../src/storage/create-storage';
import { RunningAzurite, startAzurite } from '../helpers/azurite';
import { sandboxGraphEnv } from '../helpers/bot-harness';
import { uniqueContainer } from './backends';

let azurite: RunningAzurite;
let sandbox: RunningSandbox;
beforeAll(async () => {
  const tls = loadSandboxTls();
  [azurite, sandbox] = await Promise.all([
    startAzurite({ oauth: { certPath: tls.certPath, keyPath: tls.keyPath } }),
    startSandbox(),
  ]);
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), sandbox?.close()]);
});

/** The storage the app would build from these settings. */
function storageFor(env: Record<string, string>) {
  const config = loadConfig({ ...sandboxGraphEnv(sandbox), ...env });
  return createStorage({ ...config.storage, credential: createGraphCredential(config.graph), dataDir: 'unused' });
}

describe('blob state through STORAGE_ACCOUNT_URL', () => {
  it('reads and writes state and the audit trail with a bearer token, no account key', async () => {
    const containerName = uniqueContainer('mi');
    const storage = storageFor({ STORAGE_ACCOUNT_URL: azurite.blobEndpoint, STORAGE_CONTAINER_NAME: containerName });
    expect(storage.describe).toBe(`Azure Blob Storage container ${azurite.blobEndpoint}/${containerName} (Entra ID token)`);

    const etag = await storage.store.write('request:1', { state: 'pending' }, { kind: 'absent' });
    expect(await storage.store.read('request:1')).toEqual({ value: { state: 'pending' }, etag });
    await storage.audit.append({
      event: 'request.created',
      requestId: 'r1',
      actor: { aadObjectId: 'ade1e000-0000-4000-8000-00000000000d', name: 'Adele Approver' },
      target: { id: 'u1', upn: 'alice@contoso.com' },
    });
    expect((await storage.audit.list({ targetId: 'u1' })).map((e) => e.event)).toEqual(['request.created']);

    // The token was asked for Azure Storage, not Graph.
    const tokenRequests = sandbox.requests().filter((r) => r.path.endsWith('/oauth2/v2.0/token'));
    expect(tokenRequests.map((r) => (r.body as { scope?: string }).scope)).toContain('https://storage.azure.com/.default');
  });

  it('needs the token: the same account refuses a request without one', async () => {
    const anonymous = new ContainerClient(`${azurite.blobEndpoint}/${uniqueContainer('mi')}`, new AnonymousCredential());
    const status = await anonymous.createIfNotExists().then(
      () => 201,
      (error: { statusCode?: number }) => error.statusCode,
    );
    expect([401, 403]).toContain(status);
  });

  it('is refused by the account when the identity has no valid token', async () => {
    const storage = storageFor({ STORAGE_ACCOUNT_URL: azurite.blobEndpoint, STORAGE_CONTAINER_NAME: uniqueContainer('mi'), AZURE_CLIENT_SECRET: 'wrong-secret' });
    await expect(storage.store.write('k', 1)).rejects.toThrow(/client secret/i);
  });
});
