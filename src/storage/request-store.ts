/**
 * Change requests on a KeyValueStore, with state transitions that only one caller can win.
 *
 * Two indexes keep housekeeping from reading the whole history (a full listing costs O(all
 * requests ever made)):
 *   open_<id>                     one key per open request: listing open requests is O(open);
 *   closed_<YYYY-MM-DDTHH:MM>_<id> one key per closed request, by the minute it closed: archiving
 *                                 lists only the minutes (hours, days…) that just passed the retention.
 * Both are kept by create/transition/update and heal themselves: create writes the open entry before
 * the request, so an open request always has one; an open entry whose request is final (a crash
 * between the two writes) is turned into a closed entry by the next listing; an open entry with no
 * request (a create that failed) is dropped once it is old. Stores written before the indexes
 * existed are indexed once, on first use (the marker key says it was done).
 */
import { normaliseRequest } from '../workflow/normalise-request';
import { FINAL_STATES, type ChangeRequest, type RequestState } from '../workflow/types';
import { EtagConflictError, KeyValueStore } from './key-value-store';
import { onceUntilDone } from './once-until-done';

const PREFIX = 'request_';
const OPEN = 'open_';
const CLOSED = 'closed_';
const ARCHIVE = 'archive_';
/** Present once every request of the store is indexed. */
const INDEXED = 'meta_request_index';
/** The first minute (ISO, "YYYY-MM-DDTHH:MM") whose closed requests are not archived yet. */
const ARCHIVE_CURSOR = 'meta_archive_cursor';
/** An open entry without its request is left alone this long: its create may still be under way. */
const ORPHAN_AFTER_MS = 10 * 60_000;
/** Listings one archiving pass makes at most; a long backlog is caught up over several passes. */
const MAX_LISTS_PER_PASS = 200;
const MINUTE = 60_000;
/** Requests read at once while indexing an old store (one storage round trip each). */
const INDEX_CONCURRENCY = 16;

interface OpenEntry {
  at: string;
}

export interface ArchiveResult {
  archived: ChangeRequest[];
  /** False when the pass stopped early (MAX_LISTS_PER_PASS) and more is left for the next one. */
  complete: boolean;
}

const isFinal = (state: RequestState): boolean => FINAL_STATES.includes(state);

/** Every read goes through normaliseRequest, so requests stored by earlier versions still work. */
export class RequestStore {
  private readonly ensureIndexed = onceUntilDone(() => this.buildIndex());

  constructor(private readonly store: KeyValueStore) {}

  private async read(id: string): Promise<{ value: ChangeRequest; etag: string } | undefined> {
    const item = await this.store.read<ChangeRequest>(PREFIX + id);
    return item ? { value: normaliseRequest(item.value), etag: item.etag } : undefined;
  }

  async get(id: string): Promise<ChangeRequest | undefined> {
    return (await this.read(id))?.value;
  }

  /** A request archived after REQUEST_RETENTION (no longer in the live store), if it was. */
  async getArchived(id: string): Promise<ChangeRequest | undefined> {
    const item = await this.store.read<ChangeRequest>(ARCHIVE + id);
    return item ? normaliseRequest(item.value) : undefined;
  }

  async create(request: ChangeRequest): Promise<void> {
    // Once per process: a store's first request must not be taken for an old store's unindexed one.
    await this.ensureIndexed();
    // The open entry first: a crash between the writes leaves an entry without a request (dropped later), never the reverse.
    if (!isFinal(request.state)) await this.store.write<OpenEntry>(OPEN + request.id, { at: new Date().toISOString() });
    await this.store.write(PREFIX + request.id, request, { kind: 'absent' });
    if (isFinal(request.state)) await this.closeIndex(request).catch(() => undefined);
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
      if (await this.writeIndexed(id, item, next)) return { won: next };
    }
  }

  /** Applies update whatever the state (e.g. to remember where a card was posted). */
  async update(id: string, update: (current: ChangeRequest) => ChangeRequest): Promise<ChangeRequest | undefined> {
    for (;;) {
      const item = await this.read(id);
      if (!item) return undefined;
      const next = update(item.value);
      if (await this.writeIndexed(id, item, next)) return next;
    }
  }

  /** Writes `next` over `current` by eTag, keeping the indexes; false when someone else wrote first. */
  private async writeIndexed(id: string, current: { value: ChangeRequest; etag: string }, next: ChangeRequest): Promise<boolean> {
    const reopens = isFinal(current.value.state) && !isFinal(next.state);
    if (reopens) await this.store.write<OpenEntry>(OPEN + id, { at: new Date().toISOString() });
    try {
      await this.store.write(PREFIX + id, next, { kind: 'etag', etag: current.etag });
    } catch (error) {
      if (error instanceof EtagConflictError) return false;
      throw error;
    }
    // The request is written: index upkeep must not turn that into a failure (the next listing heals it).
    if (!isFinal(current.value.state) && isFinal(next.state)) await this.closeIndex(next).catch(() => undefined);
    return true;
  }

  /** Adds the closed entry, then drops the open one (in that order, so a crash leaves the open entry to heal from). */
  private async closeIndex(request: ChangeRequest): Promise<void> {
    await this.store.write(closedKeyOf(request), { id: request.id });
    await this.store.delete(OPEN + request.id);
  }

  /**
   * Requests in any of these states (for the sweep, start-up reconciliation and reminders). Open
   * states read only the open index and its requests; asking for a final state lists everything.
   */
  async listByState(states: readonly RequestState[]): Promise<ChangeRequest[]> {
    if (states.some(isFinal)) {
      const keys = await this.store.list(PREFIX);
      const items = await Promise.all(keys.map((k) => this.store.read<ChangeRequest>(k)));
      return items.flatMap((item) => (item && states.includes(normaliseRequest(item.value).state) ? [normaliseRequest(item.value)] : []));
    }
    await this.ensureIndexed();
    const ids = (await this.store.list(OPEN)).map((k) => k.slice(OPEN.length));
    const found = await Promise.all(ids.map(async (id) => ({ id, request: await this.get(id) })));
    const open: ChangeRequest[] = [];
    for (const { id, request } of found) {
      // Healing is best effort: a storage fault here must not stop the sweep; the next listing tries again.
      if (!request) await this.dropOrphan(id).catch(() => undefined);
      else if (isFinal(request.state)) await this.closeIndex(request).catch(() => undefined);
      else if (states.includes(request.state)) open.push(request);
    }
    return open;
  }

  private async dropOrphan(id: string): Promise<void> {
    const entry = await this.store.read<OpenEntry>(OPEN + id);
    if (!entry) return;
    const at = Date.parse(entry.value.at);
    if (!Number.isFinite(at) || Date.now() - at > ORPHAN_AFTER_MS) await this.store.delete(OPEN + id);
  }

  /**
   * Archives requests closed before `before` (REQUEST_RETENTION): each moves from request_<id> to
   * archive_<id>, which no hot path lists. Lists only the closed index's minutes since the last pass.
   */
  async archiveClosed(before: Date): Promise<ArchiveResult> {
    await this.ensureIndexed();
    const end = Math.floor(before.getTime() / MINUTE) * MINUTE;
    const cursorItem = await this.store.read<{ next: string }>(ARCHIVE_CURSOR);
    let cursor = cursorItem ? Date.parse(`${cursorItem.value.next}:00.000Z`) : NaN;
    // No cursor (removed by hand): start early; wide year spans make that a few dozen listings, once.
    if (!Number.isFinite(cursor)) cursor = Date.UTC(2000, 0);
    const archived: ChangeRequest[] = [];
    let lists = 0;
    const start = cursor;
    while (cursor < end && lists < MAX_LISTS_PER_PASS) {
      const span = largestSpan(cursor, end);
      lists++;
      for (const key of await this.store.list(CLOSED + span.prefix)) {
        const request = await this.archiveOne(key);
        if (request) archived.push(request);
      }
      cursor = span.next;
    }
    if (cursor !== start || !cursorItem) await this.store.write(ARCHIVE_CURSOR, { next: minuteOf(cursor) });
    return { archived, complete: cursor >= end };
  }

  private async archiveOne(closedKey: string): Promise<ChangeRequest | undefined> {
    const id = closedKey.slice(CLOSED.length + 'YYYY-MM-DDTHH:MM_'.length);
    const item = await this.read(id);
    let archived: ChangeRequest | undefined;
    if (item && isFinal(item.value.state)) {
      await this.store.write(ARCHIVE + id, { ...item.value, archivedAt: new Date().toISOString() });
      await this.store.delete(PREFIX + id);
      archived = item.value;
    }
    await this.store.delete(closedKey);
    return archived;
  }

  private async buildIndex(): Promise<void> {
    if (await this.store.read(INDEXED)) return;
    let earliestClosed = Infinity;
    const keys = await this.store.list(PREFIX);
    for (let i = 0; i < keys.length; i += INDEX_CONCURRENCY) {
      await Promise.all(
        keys.slice(i, i + INDEX_CONCURRENCY).map(async (key) => {
          const item = await this.store.read<ChangeRequest>(key);
          if (!item) return;
          const request = normaliseRequest(item.value);
          if (!isFinal(request.state)) {
            await this.store.write<OpenEntry>(OPEN + request.id, { at: new Date().toISOString() });
          } else {
            await this.store.write(closedKeyOf(request), { id: request.id });
            earliestClosed = Math.min(earliestClosed, closedAtOf(request));
          }
        }),
      );
    }
    // Archiving starts at the oldest closed request found (or now, in a new store): every later close is after it.
    if (!(await this.store.read(ARCHIVE_CURSOR))) {
      await this.store.write(ARCHIVE_CURSOR, { next: minuteOf(Math.floor(Math.min(earliestClosed, Date.now()) / MINUTE) * MINUTE) });
    }
    await this.store.write(INDEXED, { at: new Date().toISOString() });
  }
}

/** When a final request closed: its last update (a transition stamps it), else when it was made. */
function closedAtOf(request: ChangeRequest): number {
  for (const value of [request.updatedAt, request.outcome?.at, request.createdAt]) {
    const at = value ? Date.parse(value) : NaN;
    if (Number.isFinite(at)) return at;
  }
  return Date.now();
}

function closedKeyOf(request: ChangeRequest): string {
  return `${CLOSED}${minuteOf(closedAtOf(request))}_${request.id}`;
}

function minuteOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/**
 * The widest key prefix (a year, month, day, hour or minute of the closed index) that starts at
 * `from` and ends by `end`, so catching up on a long gap takes a few listings, not one a minute.
 */
function largestSpan(from: number, end: number): { prefix: string; next: number } {
  const d = new Date(from);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const candidates: Array<{ length: number; next: number; aligned: boolean }> = [
    { length: 4, next: Date.UTC(y + 1, 0), aligned: from === Date.UTC(y, 0) },
    { length: 7, next: Date.UTC(y, m + 1), aligned: from === Date.UTC(y, m) },
    { length: 10, next: from + 24 * 60 * MINUTE, aligned: from % (24 * 60 * MINUTE) === 0 },
    { length: 13, next: from + 60 * MINUTE, aligned: from % (60 * MINUTE) === 0 },
  ];
  const span = candidates.find((c) => c.aligned && c.next <= end);
  const iso = d.toISOString();
  return span ? { prefix: iso.slice(0, span.length), next: span.next } : { prefix: iso.slice(0, 16), next: from + MINUTE };
}
