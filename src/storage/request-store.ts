/** Change requests on a KeyValueStore, with state transitions that only one caller can win. */
import { normaliseRequest } from '../workflow/normalise-request';
import { FINAL_STATES, type ChangeRequest, type RequestState } from '../workflow/types';
import { EtagConflictError, KeyValueStore } from './key-value-store';

const PREFIX = 'request_';

/** Every read goes through normaliseRequest, so requests stored by earlier versions still work. */
export class RequestStore {
  /** Keys of requests seen in a final state: they never change state again, so listing open ones skips them. */
  private readonly settled = new Set<string>();

  constructor(private readonly store: KeyValueStore) {}

  private async read(id: string): Promise<{ value: ChangeRequest; etag: string } | undefined> {
    return this.readKey(PREFIX + id);
  }

  private async readKey(key: string): Promise<{ value: ChangeRequest; etag: string } | undefined> {
    const item = await this.store.read<ChangeRequest>(key);
    return item ? { value: normaliseRequest(item.value), etag: item.etag } : undefined;
  }

  async get(id: string): Promise<ChangeRequest | undefined> {
    return (await this.read(id))?.value;
  }

  async create(request: ChangeRequest): Promise<void> {
    await this.store.write(PREFIX + request.id, request, { kind: 'absent' });
  }

  /**
   * Moves a request from one of `from` to what `update` returns, if nobody else moved it first.
   * Returns the updated request, or `{ lost: current }` when its state is not in `from`.
   */
  async transition(
    id: string,
    from: readonly RequestState[],
    update: (current: ChangeRequest) => ChangeRequest,
  ): Promise<{ won: ChangeRequest } | { lost: ChangeRequest | undefined }> {
    for (;;) {
      const item = await this.read(id);
      if (!item || !from.includes(item.value.state)) return { lost: item?.value };
      const next = { ...update(item.value), updatedAt: new Date().toISOString() };
      try {
        await this.store.write(PREFIX + id, next, { kind: 'etag', etag: item.etag });
        return { won: next };
      } catch (error) {
        if (!(error instanceof EtagConflictError)) throw error;
      }
    }
  }

  /** Applies update whatever the state (e.g. to remember where a card was posted). */
  async update(id: string, update: (current: ChangeRequest) => ChangeRequest): Promise<ChangeRequest | undefined> {
    for (;;) {
      const item = await this.read(id);
      if (!item) return undefined;
      const next = update(item.value);
      try {
        await this.store.write(PREFIX + id, next, { kind: 'etag', etag: item.etag });
        return next;
      } catch (error) {
        if (!(error instanceof EtagConflictError)) throw error;
      }
    }
  }

  /** Requests in any of these states (for start-up reconciliation and reminders). */
  async listByState(states: readonly RequestState[]): Promise<ChangeRequest[]> {
    // Housekeeping lists open requests every minute: without this it would re-read the whole history each time.
    const onlyOpen = !states.some((state) => FINAL_STATES.includes(state));
    const keys = (await this.store.list(PREFIX)).filter((k) => !(onlyOpen && this.settled.has(k)));
    const items = await Promise.all(keys.map(async (k) => ({ key: k, item: await this.readKey(k) })));
    for (const { key, item } of items) if (item && FINAL_STATES.includes(item.value.state)) this.settled.add(key);
    return items.flatMap(({ item }) => (item && states.includes(item.value.state) ? [item.value] : []));
  }
}
