/**
 * Teams conversation references (what the bot needs to post later: service URL, tenant,
 * conversation, team), kept durably so channel posts survive restarts and other instances.
 * Stored as plain JSON; the transport converts them to and from botbuilder's type.
 */
import type { KeyValueStore } from './key-value-store';

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

export class ReferenceStore {
  constructor(private readonly store: KeyValueStore) {}

  /** Saves (or refreshes) the reference of a conversation. Keyed like the Teams Toolkit: tenant + conversation. */
  async save(reference: StoredReference): Promise<void> {
    await this.store.write(this.key(reference.tenantId, reference.conversation.id), reference);
  }

  async remove(tenantId: string, conversationId: string): Promise<void> {
    await this.store.delete(this.key(tenantId, conversationId));
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
   * (a team's id is its General channel's id), else any team the bot is in — Teams refuses the
   * post if the channel is not in a team where the bot is installed, and the caller says so.
   */
  async findForChannel(channelId: string): Promise<StoredReference | undefined> {
    const all = await this.all();
    return (
      all.find((r) => base(r.conversation.id) === channelId || r.channelIdInTeam === channelId) ??
      all.find((r) => r.teamId === channelId) ??
      all.filter((r) => r.teamId).sort((a, b) => b.savedAt.localeCompare(a.savedAt))[0]
    );
  }

  /** Any reference for a conversation id, whatever the tenant. */
  async findConversation(conversationId: string): Promise<StoredReference | undefined> {
    return (await this.all()).find((r) => base(r.conversation.id) === base(conversationId));
  }

  private async all(tenantId?: string): Promise<StoredReference[]> {
    const keys = await this.store.list(tenantId ? `${PREFIX}${tenantId}_` : PREFIX);
    const items = await Promise.all(keys.map((k) => this.store.read<StoredReference>(k)));
    return items.flatMap((i) => (i ? [i.value] : []));
  }

  private key(tenantId: string, conversationId: string): string {
    return `${PREFIX}${tenantId}_${base(conversationId)}`;
  }
}

function base(conversationId: string): string {
  const i = conversationId.indexOf(';messageid=');
  return i === -1 ? conversationId : conversationId.slice(0, i);
}
