/**
 * The audit trail on Azure Blob Storage, for several bot processes appending at once: one blob
 * per entry, never overwritten (If-None-Match: *), named
 *   audit/<ISO time>_<per-process sequence>_<entry id>.json
 * so that listing by name gives time order (and append order within one process, even within
 * one millisecond). The target's id is blob metadata, so a filtered list reads only the entries
 * it returns.
 */
import { randomUUID } from 'node:crypto';
import { ContainerClient, RestError, StoragePipelineOptions } from '@azure/storage-blob';
import { normaliseAuditEntry, type AuditEntry, type AuditLog } from './audit-log';
import { BlobAccess, ContainerCreator, containerNameProblem, createContainerClient, DEFAULT_CONTAINER_NAME } from './blob-store';

export const AUDIT_PREFIX = 'audit/';
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
    return full;
  }

  async list(filter: { targetId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = filter.limit ?? DEFAULT_LIMIT;
    await this.ensureContainer();
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix: AUDIT_PREFIX, includeMetadata: true })) {
      if (!blob.name.endsWith('.json')) continue;
      if (filter.targetId && decodeMetadata(blob.metadata?.[TARGET]) !== filter.targetId) continue;
      names.push(blob.name);
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
