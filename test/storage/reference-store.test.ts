/** Conversation references: written when they change, not on every message; found without reading every one. */
import { MemoryStore } from '../../src/storage/memory-store';
import { ReferenceStore, StoredReference } from '../../src/storage/reference-store';

const TENANT = '6b1c8d8e-5f2a-4c3b-9a1e-5b7c2d3e4f50';

function reference(conversationId: string, overrides: Partial<StoredReference> = {}): StoredReference {
  return {
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    channelId: 'msteams',
    tenantId: TENANT,
    conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT },
    bot: { id: '28:bot', name: 'Immutable ID Helper' },
    savedAt: new Date().toISOString(),
    ...overrides,
  };
}

function countingStore(): { store: MemoryStore; writes: string[]; reads: string[] } {
  const store = new MemoryStore();
  const writes: string[] = [];
  const reads: string[] = [];
  const write = store.write.bind(store);
  const read = store.read.bind(store);
  store.write = (key, value, condition) => {
    writes.push(key);
    return write(key, value, condition);
  };
  store.read = (key) => {
    reads.push(key);
    return read(key);
  };
  return { store, writes, reads };
}

describe('saveIfChanged', () => {
  it('does not write an unchanged reference again', async () => {
    const { store, writes } = countingStore();
    const references = new ReferenceStore(store);
    expect(await references.saveIfChanged(reference('a:1'))).toBe(true);
    expect(await references.saveIfChanged(reference('a:1', { savedAt: new Date(Date.now() + 1000).toISOString() }))).toBe(false);
    expect(writes.filter((k) => k.startsWith('ref_'))).toHaveLength(1);
  });

  it('writes the reference again when the service URL (or anything else) changed', async () => {
    const { store, writes } = countingStore();
    const references = new ReferenceStore(store);
    await references.saveIfChanged(reference('a:1'));
    await references.saveIfChanged(reference('a:1', { serviceUrl: 'https://smba.trafficmanager.net/amer/' }));
    expect(writes.filter((k) => k.startsWith('ref_'))).toHaveLength(2);
    expect((await references.get(TENANT, 'a:1'))?.serviceUrl).toBe('https://smba.trafficmanager.net/amer/');
  });

  it('writes it again after it was removed (uninstall, then a message)', async () => {
    const { store, writes } = countingStore();
    const references = new ReferenceStore(store);
    await references.saveIfChanged(reference('a:1'));
    await references.remove(TENANT, 'a:1');
    await references.saveIfChanged(reference('a:1'));
    expect(writes.filter((k) => k.startsWith('ref_'))).toHaveLength(2);
    expect(await references.get(TENANT, 'a:1')).toBeDefined();
  });

  it('writes it again after its team was removed', async () => {
    const { store, writes } = countingStore();
    const references = new ReferenceStore(store);
    const inTeam = reference('19:general@thread.tacv2', { teamId: '19:general@thread.tacv2' });
    await references.saveIfChanged(inTeam);
    await references.removeTeam(TENANT, '19:general@thread.tacv2');
    await references.saveIfChanged(inTeam);
    expect(writes.filter((k) => k.startsWith('ref_'))).toHaveLength(2);
  });

  it('always writes through save() (install, team restore)', async () => {
    const { store, writes } = countingStore();
    const references = new ReferenceStore(store);
    await references.save(reference('a:1'));
    await references.save(reference('a:1'));
    expect(writes.filter((k) => k.startsWith('ref_'))).toHaveLength(2);
  });
});

describe('findConversation', () => {
  it('reads only the entry of the conversation asked for (its tenant, then the reference), ignoring a thread suffix', async () => {
    const { store, reads } = countingStore();
    const references = new ReferenceStore(store);
    for (let i = 0; i < 20; i++) await references.save(reference(`a:${i}`));
    await references.save(reference('19:ops@thread.tacv2', { conversation: { id: '19:ops@thread.tacv2', conversationType: 'channel', isGroup: true } }));
    reads.length = 0;
    const list = jest.spyOn(store, 'list');
    // A fresh process too: nothing is listed.
    expect((await new ReferenceStore(store).findConversation('19:ops@thread.tacv2;messageid=1700000000000'))?.conversation.id).toBe('19:ops@thread.tacv2');
    expect(reads).toEqual(['meta_reference_index_v2', 'convref_19:ops@thread.tacv2', `ref_${TENANT}_19:ops@thread.tacv2`]);
    expect(await references.findConversation('a:missing')).toBeUndefined();
    expect(list).not.toHaveBeenCalled();
  });

  it('finds references saved before the by-conversation entries existed (indexed once), and forgets removed ones', async () => {
    const store = new MemoryStore();
    const old = reference('a:legacy');
    await store.write(`ref_${TENANT}_a:legacy`, old);
    const references = new ReferenceStore(store);
    expect((await references.findConversation('a:legacy'))?.conversation.id).toBe('a:legacy');
    await references.remove(TENANT, 'a:legacy');
    expect(await references.findConversation('a:legacy')).toBeUndefined();
    expect(await store.list('convref_')).toEqual([]);
  });

  it('does not confuse a conversation whose id ends like another one', async () => {
    const references = new ReferenceStore(new MemoryStore());
    await references.save(reference('x_a:1'));
    expect(await references.findConversation('a:1')).toBeUndefined();
    await references.save(reference('a:1'));
    expect((await references.findConversation('a:1'))?.conversation.id).toBe('a:1');
  });
});

describe('findForChannel', () => {
  const channel = (id: string, teamId: string, savedAt = new Date().toISOString()) =>
    reference(id, { conversation: { id, conversationType: 'channel', isGroup: true, tenantId: TENANT }, teamId, channelIdInTeam: id, savedAt });

  it('finds the channel, else its team, else the team reached last, by key and without listing every reference', async () => {
    const store = new MemoryStore();
    const references = new ReferenceStore(store);
    for (let i = 0; i < 50; i++) await references.save(reference(`a:${i}`));
    await references.save(channel('19:general-a@thread.tacv2', '19:general-a@thread.tacv2', '2026-01-01T00:00:00.000Z'));
    await references.save(channel('19:ops@thread.tacv2', '19:general-a@thread.tacv2', '2026-01-02T00:00:00.000Z'));
    await references.save(channel('19:general-b@thread.tacv2', '19:general-b@thread.tacv2', '2026-01-03T00:00:00.000Z'));
    const list = jest.spyOn(store, 'list');
    const fresh = new ReferenceStore(store);
    expect((await fresh.findForChannel('19:ops@thread.tacv2'))?.conversation.id).toBe('19:ops@thread.tacv2');
    expect((await fresh.findForChannel('19:general-a@thread.tacv2'))?.conversation.id).toBe('19:general-a@thread.tacv2');
    // A channel the bot has not seen: through the team it was reached in last.
    expect((await fresh.findForChannel('19:elsewhere@thread.tacv2'))?.teamId).toBe('19:general-b@thread.tacv2');
    expect(list).not.toHaveBeenCalled();
  });

  it('indexes references saved before the channel entries existed, and still finds another team after the last one left', async () => {
    const store = new MemoryStore();
    await store.write(`ref_${TENANT}_19:general-a@thread.tacv2`, channel('19:general-a@thread.tacv2', '19:general-a@thread.tacv2', '2026-01-01T00:00:00.000Z'));
    await store.write(`ref_${TENANT}_19:general-b@thread.tacv2`, channel('19:general-b@thread.tacv2', '19:general-b@thread.tacv2', '2026-01-03T00:00:00.000Z'));
    const references = new ReferenceStore(store);
    expect((await references.findForChannel('19:elsewhere@thread.tacv2'))?.teamId).toBe('19:general-b@thread.tacv2');
    await references.removeTeam(TENANT, '19:general-b@thread.tacv2');
    expect((await references.findForChannel('19:elsewhere@thread.tacv2'))?.teamId).toBe('19:general-a@thread.tacv2');
    expect(await references.findForChannel('19:general-b@thread.tacv2')).toEqual(expect.objectContaining({ teamId: '19:general-a@thread.tacv2' }));
  });
});
