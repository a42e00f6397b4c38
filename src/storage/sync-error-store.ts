/**
 * What the sync-error watch has already posted, one item per error (user, property, value), so
 * an error is posted once across passes, restarts and instances (the first writer claims it).
 */
import { createHash } from 'node:crypto';
import type { CardCopy } from '../workflow/types';
import { EtagConflictError, type KeyValueStore, type StoredItem } from './key-value-store';

export interface WatchedSyncError {
  key: string;
  userId: string;
  userPrincipalName: string;
  property: string;
  value: string;
  /** Who holds the value (display name and UPN), when found. */
  holder?: { id: string; userPrincipalName: string; displayName: string | null };
  /** The stored notification that the card's buttons carry. */
  notificationId: string;
  claimedAt: string;
  /** Set once the card is in the channel. */
  card?: CardCopy;
  /** Set when a complete pass no longer found the error. */
  resolvedAt?: string;
}

const PREFIX = 'syncerror_';

/** Stable key of one error: the same user, property and value (case-insensitive) is the same error. */
export function syncErrorKey(userId: string, property: string, value: string): string {
  return createHash('sha256').update(`${userId.toLowerCase()}|${property.toLowerCase()}|${value.toLowerCase()}`).digest('hex').slice(0, 40);
}

export class SyncErrorStore {
  constructor(private readonly store: KeyValueStore) {}

  get(key: string): Promise<StoredItem<WatchedSyncError> | undefined> {
    return this.store.read<WatchedSyncError>(PREFIX + key);
  }

  /** Claims a new error for posting; false when another pass or instance already has it. */
  async claim(error: WatchedSyncError, previous?: StoredItem<WatchedSyncError>): Promise<boolean> {
    try {
      await this.store.write(PREFIX + error.key, error, previous ? { kind: 'etag', etag: previous.etag } : { kind: 'absent' });
      return true;
    } catch (e) {
      if (e instanceof EtagConflictError) return false;
      throw e;
    }
  }

  async save(error: WatchedSyncError): Promise<void> {
    await this.store.write(PREFIX + error.key, error);
  }

  /** Every error the watch has posted and not yet seen resolved. */
  async listOpen(): Promise<WatchedSyncError[]> {
    const out: WatchedSyncError[] = [];
    for (const key of await this.store.list(PREFIX)) {
      const item = await this.store.read<WatchedSyncError>(key);
      if (item && !item.value.resolvedAt) out.push(item.value);
    }
    return out;
  }
}
