/**
 * The audit trail on Azure Blob Storage, for several bot processes appending at once: one blob
 * per entry, never overwritten (If-None-Match: *), named
 *   audit/<ISO time>_<per-process sequence>_<entry id>.json
 * so that listing by name gives time order (and append order within one process, even within
 * one millisecond). The target's id is blob metadata too.
 *
 * `history <user>` lists only that user's records: after each entry, an empty index blob
 *   audit-index/<encoded target id>/<the entry's name after audit/>
 * is written, so a per-target list is a prefix listing of that user's index, then the entries it
 * names. A trail written before the index existed is indexed once, on first use (from the target
 * metadata, without reading the entries); audit-index/.complete records it.
 */
import { randomUUID } from 'node:crypto';
import { ContainerClient, RestError, StoragePipelineOptions } from '@azure/storage-blob';
import { normaliseAuditEntry, type AuditEntry, type AuditLog } from './audit-log';
import { BlobAccess, ContainerCreator, containerNameProblem, createContainerClient, DEFAULT_CONTAINER_NAME } from './blob-store';
import { onceUntilDone } from './once-until-done';

export const AUDIT_PREFIX = 'audit/';
export const AUDIT_INDEX_PREFIX = 'audit-index/';
const INDEX_COMPLETE = `${AUDIT_INDEX_PREFIX}.complete`;
const TARGET = 'targetid';
const DEFAULT_LIMIT = 50;
/** Entries downloaded at once by list(). */
const READ_CONCURRENCY = 16;

/** Process-wide, so two logs in one process still order their entries. */
let sequence = 0;

export type BlobAuditLogOptions = BlobAccess & {
  /** Default immutable-id-bot; the same container as the BlobStore is fine. */
  containerName?: string;
  pipeline?: StoragePipelineOptions;
};

export class BlobAuditLog implements AuditLog {
  private readonly container: ContainerClient;
  private readonly containerCreator: ContainerCreator;
  private readonly ensureIndexed = onceUntilDone(() => this.buildIndex());

  constructor(options: BlobAuditLogOptions) {
    const containerName = options.containerName ?? DEFAULT_CONTAINER_NAME;
    const problem = containerNameProblem(containerName);
    if (problem) throw new Error(problem);
    this.container = createContainerClient(options, containerName, options.pipeline);
    this.containerCreator = new ContainerCreator(this.container);
  }

  async append(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
    const full: AuditEntry = { id: randomUUID(), at: new Date().toISOString(), ...entry };
    sequence += 1;
    const name = `${AUDIT_PREFIX}${full.at}_${sequence.toString(36).padStart(8, '0')}_${full.id}.json`;
    const body = JSON.stringify(full);
    await this.ensureContainer();
    await this.ensureIndexed();
    try {
      await this.container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
        // The name is unique: "exists" can only be our own retried upload that already landed.
        conditions: { ifNoneMatch: '*' },
        blobHTTPHeaders: { blobContentType: 'application/json; charset=utf-8' },
        metadata: { [TARGET]: encodeURIComponent(full.target.id) },
      });
    } catch (error) {
      if (!(error instanceof RestError && error.statusCode === 409)) throw error;
    }
    // After the entry, so the index never names an entry that is not there.
    await this.writeIndexBlob(full.target.id, name.slice(AUDIT_PREFIX.length));
    return full;
  }

  private async writeIndexBlob(targetId: string, rest: string): Promise<void> {
    try {
      await this.container.getBlockBlobClient(`${indexPrefixOf(targetId)}${rest}`).upload('', 0, { conditions: { ifNoneMatch: '*' } });
    } catch (error) {
      if (!(error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412))) throw error;
    }
  }

  private async buildIndex(): Promise<void> {
    if (await this.container.getBlobClient(INDEX_COMPLETE).exists()) return;
    const pending: Array<{ targetId: string; rest: string }> = [];
    for await (const blob of this.container.listBlobsFlat({ prefix: AUDIT_PREFIX, includeMetadata: true })) {
      const targetId = decodeMetadata(blob.metadata?.[TARGET]);
      if (blob.name.endsWith('.json') && targetId !== undefined) pending.push({ targetId, rest: blob.name.slice(AUDIT_PREFIX.length) });
    }
    for (let i = 0; i < pending.length; i += READ_CONCURRENCY) {
      await Promise.all(pending.slice(i, i + READ_CONCURRENCY).map((p) => this.writeIndexBlob(p.targetId, p.rest)));
    }
    await this.container.getBlockBlobClient(INDEX_COMPLETE).upload('', 0);
  }

  async list(filter: { targetId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = filter.limit ?? DEFAULT_LIMIT;
    await this.ensureContainer();
    const names: string[] = [];
    if (filter.targetId) {
      await this.ensureIndexed();
      const prefix = indexPrefixOf(filter.targetId);
      for await (const blob of this.container.listBlobsFlat({ prefix })) names.push(AUDIT_PREFIX + blob.name.slice(prefix.length));
    } else {
      for await (const blob of this.container.listBlobsFlat({ prefix: AUDIT_PREFIX })) {
        if (blob.name.endsWith('.json')) names.push(blob.name);
      }
    }
    names.sort().reverse(); // newest first
    const entries: AuditEntry[] = [];
    // Read newest first until `limit` readable entries (an unreadable blob is skipped, like a torn line).
    for (let i = 0; i < names.length && entries.length < limit; i += READ_CONCURRENCY) {
      const batch = names.slice(i, i + READ_CONCURRENCY);
      const read = await Promise.all(batch.map((name) => this.readEntry(name)));
      for (const entry of read) {
        if (entry && (!filter.targetId || entry.target.id === filter.targetId)) entries.push(entry);
      }
    }
    return entries.slice(0, Math.max(0, limit));
  }

  private async readEntry(name: string): Promise<AuditEntry | undefined> {
    try {
      const buffer = await this.container.getBlobClient(name).downloadToBuffer();
      return normaliseAuditEntry(JSON.parse(buffer.toString('utf8')) as AuditEntry);
    } catch (error) {
      if (error instanceof SyntaxError || (error instanceof RestError && error.statusCode === 404)) return undefined;
      throw error;
    }
  }

  private ensureContainer(): Promise<unknown> {
    return this.containerCreator.ensure();
  }
}

function decodeMetadata(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The index folder of a target: its id encoded so that it is one path segment. */
function indexPrefixOf(targetId: string): string {
  return `${AUDIT_INDEX_PREFIX}${encodeURIComponent(targetId)}/`;
}
