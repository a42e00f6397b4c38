/**
 * Shared helpers for the sandbox tests: the REAL @azure/identity credential and REAL Graph
 * client pointed at a sandbox, plus a raw HTTPS request for exact-wire checks.
 */
import * as fs from 'fs';
import * as https from 'https';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { loadSandboxTls, startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox';

/** Node reads NODE_EXTRA_CA_CERTS only at start: without the wrapper every call fails opaquely. */
export function assertSandboxTrusted(): void {
  const bundle = process.env.NODE_EXTRA_CA_CERTS;
  const ca = loadSandboxTls().ca.trim();
  if (!bundle || !fs.existsSync(bundle) || !fs.readFileSync(bundle, 'utf8').includes(ca)) {
    throw new Error('The sandbox CA is not trusted by this process. Run the tests through the wrapper: node scripts/with-sandbox-ca.js npx jest test/sandbox');
  }
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  assertSandboxTrusted();
  return startSandbox(options);
}

export function credentialFor(sandbox: RunningSandbox, secret = sandbox.clientSecret): ClientSecretCredential {
  return new ClientSecretCredential(sandbox.tenantId, sandbox.clientId, secret, {
    authorityHost: sandbox.url,
    disableInstanceDiscovery: true,
  });
}

export function graphClientFor(sandbox: RunningSandbox, credential: TokenCredential = credentialFor(sandbox)): Client {
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: [`${sandbox.url}/.default`] });
  return Client.initWithMiddleware({ authProvider, baseUrl: sandbox.url, customHosts: new Set(['127.0.0.1']) });
}

export async function tokenFor(sandbox: RunningSandbox): Promise<string> {
  const token = await credentialFor(sandbox).getToken(`${sandbox.url}/.default`);
  return token.token;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body, or undefined. */
  json: unknown;
}

/** Sends exactly `path` (no URL normalisation) to the sandbox. */
export function rawRequest(
  sandbox: RunningSandbox,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(sandbox.url);
  return new Promise((resolve, reject) => {
    const req = https.request({ hostname, port, method, path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? (JSON.parse(text) as unknown) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** Raw request with a valid bearer token and optional JSON body. */
export async function graphRaw(sandbox: RunningSandbox, method: string, path: string, body?: unknown, token?: string): Promise<RawResponse> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token ?? (await tokenFor(sandbox))}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return rawRequest(sandbox, method, path, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** Graph's error body, typed for assertions. */
export interface GraphErrorBody {
  error: { code: string; message: string; innerError: { date: string; 'request-id': string; 'client-request-id': string } };
}

/** The Graph client rejects with GraphError (statusCode, code, body as a JSON string). */
export async function graphFailure(promise: Promise<unknown>): Promise<{ statusCode: number; code: string; message: string; headers?: Headers }> {
  try {
    await promise;
  } catch (err) {
    return err as { statusCode: number; code: string; message: string; headers?: Headers };
  }
  throw new Error('expected the Graph call to fail');
}

export interface TestSandbox {
  sandbox: RunningSandbox;
  client: Client;
  token: string;
}

/**
 * One sandbox for a test file: started before all tests (the real credential and Graph client
 * pointed at it, and a token for raw requests), reset before each (and its faults cleared when
 * asked: some files test seeded faults), closed after all. `ready` receives it once started.
 */
export function useTestSandbox(ready: (started: TestSandbox) => void, options: { clearFaults?: boolean } = {}): void {
  let sandbox: RunningSandbox | undefined;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    ready({ sandbox, client: graphClientFor(sandbox), token: await tokenFor(sandbox) });
  });
  afterAll(() => sandbox?.close());
  beforeEach(() => {
    sandbox?.reset();
    if (options.clearFaults) sandbox?.clearFaults();
  });
}
