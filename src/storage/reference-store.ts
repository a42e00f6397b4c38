/**
 * Teams conversation references (what the bot needs to post later: service URL, tenant,
 * conversation, team), kept durably so channel posts survive restarts and other instances.
 * Stored as plain JSON; the transport converts them to and from botbuilder's type.
 */
import type { KeyValueStore } from './key-value-store';
import { onceUntilDone } from './once-until-done';

export interface StoredReference {
  serviceUrl: string;
  channelId: string;
  tenantId: string;
  conversation: { id: string; conversationType?: string; isGroup?: boolean; tenantId?: string };
  bot?: { id: string; name?: string };
  /** Teams team id (19:…) when the conversation is in a team; distinct from the team's Entra group id. */
  teamId?: string;
  /** Teams channel id (19:…) for channel conversations. */
  channelIdInTeam?: string;
  savedAt: string;
}

const PREFIX = 'ref_';
/**
 * convref_<conversation id> → { tenantId }: a card copy or a thread knows only its conversation id,
 * and this makes its reference two direct reads instead of a listing of every reference.
 */
const BY_CONVERSATION = 'convref_';
/** chanref_<channel id> and teamref_<team id> → { tenantId, conversationId }: posting to a channel finds its reference without a listing. */
const BY_CHANNEL = 'chanref_';
const BY_TEAM = 'teamref_';
/** The team reference saved last: where a channel in no known team is tried. */
const LATEST_TEAM = 'meta_latest_team_ref';
/** Present once every reference of the store has its entries above (stores written before them are indexed once). */
const INDEXED = 'meta_reference_index_v2';

interface Pointer {
  tenantId: string;
  conversationId: string;
}
/** An unchanged reference is still re-saved this often, so `savedAt` says the bot was reached recently. */
const RESAVE_AFTER_MS = 60 * 60 * 1000;
/** References this process remembers having written (one per active conversation). */
const WRITTEN_LIMIT = 10_000;

export class ReferenceStore {
  /** key → what this process last wrote there (without savedAt), and when. */
  private readonly written = new Map<string, { fingerprint: string; at: number }>();
  /** Gives every reference saved before convref_ entries existed its entry, once per store. */
  private readonly ensureIndexed = onceUntilDone(async () => {
    if (await this.store.read(INDEXED)) return;
    // Oldest first, so the latest team pointer ends on the team saved last.
    for (const reference of (await this.all()).sort((a, b) => a.savedAt.localeCompare(b.savedAt))) await this.writePointers(reference);
    await this.store.write(INDEXED, { at: new Date().toISOString() });
  });

  constructor(private readonly store: KeyValueStore) {}

  /** Saves (or refreshes) the reference of a conversation. Keyed like the Teams Toolkit: tenant + conversation. */
  async save(reference: StoredReference): Promise<void> {
    const key = this.key(reference.tenantId, reference.conversation.id);
    // Once per process, so a new store is marked indexed before its first reference (never scanned later).
    await this.ensureIndexed();
    this.written.delete(key);
    await this.store.write(key, reference);
    await this.writePointers(reference);
    this.remember(key, reference);
  }

  /**
   * Saves the reference unless this process already wrote the same one within the hour: every
   * message carries its conversation's reference, and a storage write per message would cost more
   * than the rest of a turn. Install, uninstall and removal always go through save()/remove().
   */
  async saveIfChanged(reference: StoredReference): Promise<boolean> {
    const key = this.key(reference.tenantId, reference.conversation.id);
    const last = this.written.get(key);
    if (last && last.fingerprint === fingerprintOf(reference) && Date.now() - last.at < RESAVE_AFTER_MS) return false;
    await this.save(reference);
    return true;
  }

  async remove(tenantId: string, conversationId: string): Promise<void> {
    const key = this.key(tenantId, conversationId);
    this.written.delete(key);
    await this.store.delete(key);
    const pointer = await this.store.read<{ tenantId: string }>(BY_CONVERSATION + base(conversationId));
    if (pointer?.value.tenantId === tenantId) await this.store.delete(BY_CONVERSATION + base(conversationId));
  }

  /** Drops every reference of a team (uninstall or team deleted). */
  async removeTeam(tenantId: string, teamId: string): Promise<void> {
    for (const reference of await this.all(tenantId)) {
      if (reference.teamId === teamId) await this.remove(tenantId, reference.conversation.id);
    }
  }

  async get(tenantId: string, conversationId: string): Promise<StoredReference | undefined> {
    return (await this.store.read<StoredReference>(this.key(tenantId, base(conversationId))))?.value;
  }

  /**
   * Finds a reference through which a channel can be reached: the channel itself, else its team
   * (a team's id is its General channel's id), else the team the bot was last reached in — Teams
   * refuses the post if the channel is not in a team where the bot is installed, and the caller
   * says so. Each step is a direct read of an index entry.
   */
  async findForChannel(channelId: string): Promise<StoredReference | undefined> {
    const own = await this.findConversation(channelId);
    if (own) return own;
    const inTeam = await this.follow(BY_CHANNEL + channelId);
    if (inTeam?.channelIdInTeam === channelId) return inTeam;
    const team = await this.follow(BY_TEAM + channelId);
    if (team?.teamId === channelId) return team;
    const latest = await this.follow(LATEST_TEAM);
    if (latest?.teamId) return latest;
    // The latest team's reference was removed (uninstall): look for another, rarely.
    return (await this.all()).filter((r) => r.teamId).sort((a, b) => b.savedAt.localeCompare(a.savedAt))[0];
  }

  private async follow(pointerKey: string): Promise<StoredReference | undefined> {
    const pointer = await this.store.read<Pointer>(pointerKey);
    return pointer ? this.get(pointer.value.tenantId, pointer.value.conversationId) : undefined;
  }

  private async writePointers(reference: StoredReference): Promise<void> {
    const pointer: Pointer = { tenantId: reference.tenantId, conversationId: base(reference.conversation.id) };
    await this.store.write(BY_CONVERSATION + pointer.conversationId, { tenantId: reference.tenantId });
    if (reference.channelIdInTeam) await this.store.write(BY_CHANNEL + reference.channelIdInTeam, pointer);
    if (reference.teamId) {
      await this.store.write(BY_TEAM + reference.teamId, pointer);
      await this.store.write(LATEST_TEAM, pointer);
    }
  }

  /** The reference of a conversation id, whatever the tenant: its convref_ entry names the tenant, so no listing. */
  async findConversation(conversationId: string): Promise<StoredReference | undefined> {
    await this.ensureIndexed();
    const pointer = await this.store.read<{ tenantId: string }>(BY_CONVERSATION + base(conversationId));
    if (!pointer) return undefined;
    const reference = await this.get(pointer.value.tenantId, conversationId);
    return reference && base(reference.conversation.id) === base(conversationId) ? reference : undefined;
  }


  private async all(tenantId?: string): Promise<StoredReference[]> {
    const keys = await this.store.list(tenantId ? `${PREFIX}${tenantId}_` : PREFIX);
    const items = await Promise.all(keys.map((k) => this.store.read<StoredReference>(k)));
    return items.flatMap((i) => (i ? [i.value] : []));
  }

  private remember(key: string, reference: StoredReference): void {
    if (this.written.size >= WRITTEN_LIMIT) this.written.delete(this.written.keys().next().value as string);
    this.written.set(key, { fingerprint: fingerprintOf(reference), at: Date.now() });
  }

  private key(tenantId: string, conversationId: string): string {
    return `${PREFIX}${tenantId}_${base(conversationId)}`;
  }
}

/** Everything a reference says except when it was saved. */
function fingerprintOf(reference: StoredReference): string {
  const { savedAt: _savedAt, ...rest } = reference;
  return JSON.stringify(rest);
}

function base(conversationId: string): string {
  const i = conversationId.indexOf(';messageid=');
  return i === -1 ? conversationId : conversationId.slice(0, i);
}
