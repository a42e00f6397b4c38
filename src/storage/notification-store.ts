/** Sync-error reports received on POST /api/notify, kept so a "Request clear" tap can find its user. */
import { EtagConflictError, KeyValueStore } from './key-value-store';

export interface SyncErrorNotification {
  id: string;
  receivedAt: string;
  userPrincipalName: string;
  /** Object id when the user was found. */
  targetId?: string;
  error: string;
  detail: string;
  /** Set once someone turned it into a change request. */
  requestId?: string;
}

const PREFIX = 'notification_';
const SIGNATURE_PREFIX = 'notifysig_';

export class NotificationStore {
  constructor(private readonly store: KeyValueStore) {}

  async save(notification: SyncErrorNotification): Promise<void> {
    await this.store.write(PREFIX + notification.id, notification, { kind: 'absent' });
  }

  async get(id: string): Promise<SyncErrorNotification | undefined> {
    return (await this.store.read<SyncErrorNotification>(PREFIX + id))?.value;
  }

  /**
   * Marks the notification as turned into request `requestId`, through a compare-and-set: false
   * when someone else already did (or won the race). A storage failure throws: it is an outage,
   * not someone else's request.
   */
  async claim(id: string, requestId: string): Promise<boolean> {
    const item = await this.store.read<SyncErrorNotification>(PREFIX + id);
    if (!item || item.value.requestId) return false;
    try {
      await this.store.write(PREFIX + id, { ...item.value, requestId }, { kind: 'etag', etag: item.etag });
      return true;
    } catch (error) {
      if (error instanceof EtagConflictError) return false; // lost the race to another tap
      throw error;
    }
  }

  /** Undoes a claim whose request could not be created, so the report can be requested again. */
  async release(id: string, requestId: string): Promise<void> {
    const item = await this.store.read<SyncErrorNotification>(PREFIX + id);
    if (!item || item.value.requestId !== requestId) return;
    const { requestId: _dropped, ...rest } = item.value;
    await this.store.write(PREFIX + id, rest, { kind: 'etag', etag: item.etag });
  }

  /**
   * Records a notification signature until `until` (create-if-absent, so two instances receiving
   * the same replay at once cannot both take it); false when it is already there.
   */
  async remember(signature: string, until: Date): Promise<boolean> {
    try {
      await this.store.write(SIGNATURE_PREFIX + signature, { until: until.toISOString() }, { kind: 'absent' });
      return true;
    } catch (error) {
      if (error instanceof EtagConflictError) return false;
      throw error;
    }
  }

  async forget(signature: string): Promise<void> {
    await this.store.delete(SIGNATURE_PREFIX + signature);
  }

  /** Deletes signatures whose window has passed (housekeeping); resolves with how many. */
  async purgeSignatures(now: Date): Promise<number> {
    let purged = 0;
    for (const key of await this.store.list(SIGNATURE_PREFIX)) {
      const item = await this.store.read<{ until: string }>(key);
      if (item && Date.parse(item.value.until) <= now.getTime()) {
        await this.store.delete(key);
        purged++;
      }
    }
    return purged;
  }
}
