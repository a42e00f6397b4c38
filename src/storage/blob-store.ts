/**
 * KeyValueStore on Azure Blob Storage, for several bot processes sharing state (scale-out).
 * One block blob per key, at the container root, named by encodeURIComponent(key) (Teams ids
 * hold ':', ';', '@'); the blob's own eTag is the item's eTag, so conditional writes are
 * decided by the storage service itself: If-Match for `etag`, If-None-Match: * for `absent`.
 *
 * botbuilder's BlobsStorage does the reads and deletes (its blob naming is the same as ours for
 * every key it can name). Writes, listing and container set-up use @azure/storage-blob directly,
 * because botbuilder's Storage interface cannot say "create only if absent", does not return the
 * new eTag, and cannot list.
 *
 * Blob body: {"value": <the value as JSON>}. The envelope lets any JSON value (arrays, strings,
 * objects with their own `eTag` field) round-trip through BlobsStorage, which spreads the parsed
 * body into an object and adds `eTag` to it.
 */
import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { ContainerClient, RestError, StoragePipelineOptions } from '@azure/storage-blob';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { containerNameProblem, DEFAULT_CONTAINER_NAME } from './container-name';
import { EtagConflictError, KeyValueStore, StoredItem, WriteCondition } from './key-value-store';

export { DEFAULT_CONTAINER_NAME, containerNameProblem } from './container-name';

/** Blob names may be at most 1024 characters long. */
const MAX_BLOB_NAME = 1024;
/** Metadata naming the write that produced a blob version (to recognise our own retried write). */
const WRITE_ID = 'writeid';

/**
 * How to reach the storage account: a connection string (Azurite, key-based accounts), or the
 * account's blob endpoint with a token credential (managed identity; shared keys can stay off).
 */
export type BlobAccess = { connectionString: string } | { accountUrl: string; credential: TokenCredential };

export type BlobStoreOptions = BlobAccess & {
  /** Default immutable-id-bot. */
  containerName?: string;
  /** Retry and transport settings of @azure/storage-blob (e.g. retryOptions for tests). */
  pipeline?: StoragePipelineOptions;
};

/** The container's client for either kind of access. */
export function createContainerClient(access: BlobAccess, containerName: string, pipeline?: StoragePipelineOptions): ContainerClient {
  if ('connectionString' in access) return new ContainerClient(access.connectionString, containerName, pipeline);
  return new ContainerClient(containerUrlOf(access.accountUrl, containerName), access.credential, pipeline);
}

function containerUrlOf(accountUrl: string, containerName: string): string {
  return `${accountUrl.replace(/\/+$/, '')}/${containerName}`;
}

interface Envelope<T> {
  value: T;
}

export class BlobStore implements KeyValueStore {
  readonly containerName: string;
  private readonly container: ContainerClient;
  private readonly containerCreator: ContainerCreator;
  private blobsStorage: BlobsStorage | undefined;

  constructor(private readonly options: BlobStoreOptions) {
    this.containerName = options.containerName ?? DEFAULT_CONTAINER_NAME;
    const problem = containerNameProblem(this.containerName);
    if (problem) throw new Error(problem);
    this.container = createContainerClient(options, this.containerName, options.pipeline);
    this.containerCreator = new ContainerCreator(this.container);
  }

  /** The container's URL without any SAS query string: safe to log. */
  get url(): string {
    const url = new URL(this.container.url);
    url.search = '';
    return url.toString();
  }

  async read<T>(key: string): Promise<StoredItem<T> | undefined> {
    const name = blobNameOf(key);
    if (botbuilderNames(key, name)) {
      const storage = this.botbuilder();
      let items: Record<string, { value?: T; eTag?: string } | undefined>;
      try {
        items = await storage.read([key]);
      } catch (error) {
        this.dropBotbuilder(storage); // BlobsStorage keeps a failed container set-up forever
        throw error;
      }
      const item = items[key];
      if (!item) return undefined;
      return { value: unwrap<T>(key, item), etag: requireEtag(key, item.eTag) };
    }
    // Keys BlobsStorage would name differently (e.g. "a//b", a trailing dot): same thing by hand.
    await this.ensureContainer();
    try {
      const response = await this.container.getBlobClient(name).download();
      const text = await streamToString(response.readableStreamBody);
      return { value: unwrap<T>(key, JSON.parse(text) as unknown), etag: requireEtag(key, response.etag) };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async write<T>(key: string, value: T, condition: WriteCondition = { kind: 'any' }): Promise<string> {
    const name = blobNameOf(key);
    const body = JSON.stringify({ value } satisfies Envelope<T>);
    // No item has the eTag "*" (for If-Match it would mean "exists") or a list of eTags.
    if (condition.kind === 'etag' && (condition.etag === '*' || condition.etag.includes(','))) throw new EtagConflictError(key);
    const writeId = randomUUID();
    const upload = () =>
      this.container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
        conditions:
          condition.kind === 'absent'
            ? { ifNoneMatch: '*' }
            : condition.kind === 'etag'
              ? { ifMatch: condition.etag }
              : {},
        blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' },
        metadata: { [WRITE_ID]: writeId },
      });
    await this.ensureContainer();
    try {
      return requireEtag(key, (await this.retryIfContainerGone(upload)).etag);
    } catch (error) {
      const status = statusOf(error);
      const conflict =
        (condition.kind === 'absent' && (status === 409 || status === 412)) ||
        (condition.kind === 'etag' && (status === 412 || status === 404));
      if (!conflict) throw error;
      // The SDK retries timed-out requests: a conflict may be our own first attempt that landed.
      const ours = await this.etagIfWrittenBy(name, writeId);
      if (ours) return ours;
      throw new EtagConflictError(key);
    }
  }

  async delete(key: string): Promise<void> {
    const name = blobNameOf(key);
    if (botbuilderNames(key, name)) {
      const storage = this.botbuilder();
      try {
        await storage.delete([key]);
      } catch (error) {
        this.dropBotbuilder(storage);
        throw error;
      }
      return;
    }
    await this.ensureContainer();
    await this.container.getBlobClient(name).deleteIfExists();
  }

  async list(prefix: string): Promise<string[]> {
    await this.ensureContainer();
    const keys: string[] = [];
    // By hierarchy: only root-level blobs are items; the audit log's "audit/…" blobs are not.
    for await (const item of this.container.listBlobsByHierarchy('/', { prefix: namePrefixOf(prefix) })) {
      if (item.kind !== 'blob') continue;
      const key = keyOf(item.name);
      if (key !== undefined && key.startsWith(prefix)) keys.push(key);
    }
    return keys.sort();
  }

  /** Creates the container on first use; a failed attempt is retried by the next call. */
  private ensureContainer(): Promise<unknown> {
    return this.containerCreator.ensure();
  }

  /** Runs an operation again once if the container was deleted since we created it. */
  private async retryIfContainerGone<R>(run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof RestError && error.statusCode === 404 && error.code === 'ContainerNotFound')) throw error;
      this.containerCreator.reset();
      this.dropBotbuilder(this.blobsStorage);
      await this.ensureContainer();
      return run();
    }
  }

  private async etagIfWrittenBy(name: string, writeId: string): Promise<string | undefined> {
    try {
      const properties = await this.container.getBlobClient(name).getProperties();
      return properties.metadata?.[WRITE_ID] === writeId ? properties.etag : undefined;
    } catch {
      return undefined;
    }
  }

  private botbuilder(): BlobsStorage {
    const options = this.options.pipeline ? { storagePipelineOptions: this.options.pipeline } : {};
    this.blobsStorage ??=
      'connectionString' in this.options
        ? new BlobsStorage(this.options.connectionString, this.containerName, options)
        : new BlobsStorage('', this.containerName, options, containerUrlOf(this.options.accountUrl, this.containerName), this.options.credential);
    return this.blobsStorage;
  }

  private dropBotbuilder(storage: BlobsStorage | undefined): void {
    if (storage && this.blobsStorage === storage) this.blobsStorage = undefined;
  }
}

/**
 * The blob name of a key: encodeURIComponent, so ':', ';', '@', '/', '%', '?', '#' and spaces
 * are safe and every name sits at the container root; trailing dots are escaped too (Azure
 * mishandles names ending in '.', and "." or ".." would be resolved away as URL path segments).
 */
export function blobNameOf(key: string): string {
  if (key === '') throw new Error('BlobStore: a key must not be empty');
  const encoded = encodeURIComponent(key);
  const trailingDots = /\.+$/.exec(encoded)?.[0].length ?? 0;
  const name = trailingDots ? encoded.slice(0, -trailingDots) + '%2E'.repeat(trailingDots) : encoded;
  if (name.length > MAX_BLOB_NAME) {
    throw new Error(`BlobStore: the key "${key.slice(0, 60)}…" is too long for a blob name (${name.length} > ${MAX_BLOB_NAME})`);
  }
  return name;
}

/** The key of a blob name, or undefined for blobs that are not ours. */
export function keyOf(name: string): string | undefined {
  if (name.includes('/')) return undefined;
  try {
    return decodeURIComponent(name);
  } catch {
    return undefined;
  }
}

/** A blob-name prefix under which every key starting with `prefix` lies. */
function namePrefixOf(prefix: string): string {
  // Trailing dots are escaped only at the end of a whole name, so leave them out of the prefix;
  // a lone surrogate at the end cannot be encoded, so leave it out too (list() filters anyway).
  const safe = prefix.replace(/[.\uD800-\uDBFF]+$/, '');
  try {
    return encodeURIComponent(safe);
  } catch {
    return '';
  }
}

/**
 * True when BlobsStorage (sanitizeBlobKey: drop empty '/' segments after the first, join at
 * most 255 of them with '/', encodeURIComponent, cut at 1024) names `key` exactly as blobNameOf.
 */
export function botbuilderNames(key: string, name: string): boolean {
  const segments = key.split('/');
  // sanitizeBlobKey keeps a leading empty segment ("/a") but drops every later one ("a//b", "a/").
  return name === encodeURIComponent(key) && segments.length <= 255 && segments.slice(1).every((s) => s !== '');
}

function unwrap<T>(key: string, body: unknown): T {
  if (typeof body !== 'object' || body === null || !('value' in body)) {
    throw new Error(`BlobStore: the blob of ${key} was not written by BlobStore (no "value" envelope)`);
  }
  return (body as Envelope<T>).value;
}

function requireEtag(key: string, etag: string | undefined): string {
  if (!etag) throw new Error(`BlobStore: the storage service returned no eTag for ${key}`);
  return etag;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof RestError ? error.statusCode : undefined;
}

async function streamToString(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Creates a container once, on first use; a failed attempt (or reset()) lets the next call try again. */
export class ContainerCreator {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly container: ContainerClient) {}

  ensure(): Promise<unknown> {
    if (!this.ready) {
      const attempt = this.container.createIfNotExists();
      this.ready = attempt;
      attempt.catch(() => {
        if (this.ready === attempt) this.ready = undefined;
      });
    }
    return this.ready;
  }

  reset(): void {
    this.ready = undefined;
  }
}
