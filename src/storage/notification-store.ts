/** Sync-error reports received on POST /api/notify, kept so a "Request clear" tap can find its user. */
import type { KeyValueStore } from './key-value-store';

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

export class NotificationStore {
  constructor(private readonly store: KeyValueStore) {}

  async save(notification: SyncErrorNotification): Promise<void> {
    await this.store.write(PREFIX + notification.id, notification, { kind: 'absent' });
  }

  async get(id: string): Promise<SyncErrorNotification | undefined> {
    return (await this.store.read<SyncErrorNotification>(PREFIX + id))?.value;
  }

  /** Marks the notification as turned into a request; false when someone else already did. */
  async claim(id: string, requestId: string): Promise<boolean> {
    const item = await this.store.read<SyncErrorNotification>(PREFIX + id);
    if (!item || item.value.requestId) return false;
    try {
      await this.store.write(PREFIX + id, { ...item.value, requestId }, { kind: 'etag', etag: item.etag });
      return true;
    } catch {
      return false; // lost the race to another tap
    }
  }
}
