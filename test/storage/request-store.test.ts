/**
 * Change requests on every store: one winner per transition however many processes race, and
 * pending requests (with their card activity ids), conversation references and the audit trail
 * survive a restart (a new process over the same files or container).
 */
import path from 'node:path';
import { createStorage, DEFAULT_CONTAINER_NAME } from '../../src/storage/create-storage';
import { BlobAuditLog } from '../../src/storage/blob-audit-log';
import { BlobStore } from '../../src/storage/blob-store';
import { FileAuditLog, normaliseAuditEntry } from '../../src/storage/audit-log';
import { FileStore } from '../../src/storage/file-store';
import { EtagConflictError } from '../../src/storage/key-value-store';
import { RequestStore } from '../../src/storage/request-store';
import { ReferenceStore, StoredReference } from '../../src/storage/reference-store';
import type { CardCopy, ChangeRequest, RequestState } from '../../src/workflow/types';
import { AZURITE_KEY, RunningAzurite, startAzurite } from '../helpers/azurite';
import { BACKENDS, makeBacking, removeTempDirs, tempDir, uniqueContainer } from './backends';
import { makeRequest } from '../helpers/change-request';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
  removeTempDirs();
});

const HELEN = { aadObjectId: '4e1e4000-0000-4000-8000-00000000000c', name: 'Helen Helpdesk' };
const approver = (i: number) => ({ aadObjectId: `ade1e000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `Approver ${i}` });

const request = (id: string, state: RequestState = 'awaiting-approval'): ChangeRequest =>
  makeRequest(id, state, { requester: HELEN, reason: 'INC0012345', conversationId: '19:abc@thread.tacv2' });

describe.each(BACKENDS)('requests on the %s store', (name) => {
  it('creates a request once; a second create with the same id fails', async () => {
    const requests = new RequestStore(makeBacking(name, () => azurite.connectionString).store);
    await requests.create(request('r1'));
    await expect(requests.create({ ...request('r1'), reason: 'other' })).rejects.toBeInstanceOf(EtagConflictError);
    expect((await requests.get('r1'))?.reason).toBe('INC0012345');
  });

  it('lets exactly one of many concurrent approvals (one store view per process) win', async () => {
    const backing = makeBacking(name, () => azurite.connectionString);
    await new RequestStore(backing.store).create(request('r1'));
    const contenders = 10;
    const results = await Promise.all(
      Array.from({ length: contenders }, (_, i) =>
        new RequestStore(backing.peer()).transition('r1', ['awaiting-approval'], (r) => ({
          ...r,
          state: 'executing',
          approvedBy: approver(i),
        })),
      ),
    );
    const won = results.flatMap((r) => ('won' in r ? [r.won] : []));
    expect(won).toHaveLength(1);
    for (const r of results) {
      if ('lost' in r) expect(r.lost).toEqual(expect.objectContaining({ state: 'executing', approvedBy: won[0]!.approvedBy }));
    }
    expect(await new RequestStore(backing.peer()).get('r1')).toEqual(won[0]);
  });

  it('lets the change finish once and every later approval lose', async () => {
    const backing = makeBacking(name, () => azurite.connectionString);
    const requests = new RequestStore(backing.store);
    await requests.create(request('r1'));
    await requests.transition('r1', ['awaiting-approval'], (r) => ({ ...r, state: 'executing' }));
    const finishes = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        new RequestStore(backing.peer()).transition('r1', ['executing'], (r) => ({ ...r, state: i === 0 ? 'completed' : 'failed' })),
      ),
    );
    expect(finishes.filter((r) => 'won' in r)).toHaveLength(1);
    expect(await requests.transition('r1', ['awaiting-approval'], (r) => r)).toEqual({ lost: expect.objectContaining({ state: expect.stringMatching(/completed|failed/) }) });
    expect(await requests.transition('missing', ['awaiting-approval'], (r) => r)).toEqual({ lost: undefined });
  });
});

describe('a restart', () => {
  const TENANT = '7e4a0000-0000-4000-8000-000000000000';
  const channelThread = '19:abc@thread.tacv2;messageid=1712345678901';
  const reference: StoredReference = {
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    channelId: 'msteams',
    tenantId: TENANT,
    conversation: { id: '19:abc@thread.tacv2', conversationType: 'channel', isGroup: true, tenantId: TENANT },
    bot: { id: '28:immutable-id-bot', name: 'Immutable ID Helper' },
    teamId: '19:team@thread.tacv2',
    channelIdInTeam: '19:abc@thread.tacv2',
    savedAt: '2030-01-01T00:00:00.000Z',
  };
  const card: CardCopy = { conversationId: channelThread, activityId: '1712345678901', role: 'approvers' };

  it.each(['file', 'blob'] as const)('keeps pending requests, card activity ids, conversation references and the audit trail (%s)', async (mode) => {
    const options = {
      ...(mode === 'blob' ? { connectionString: azurite.connectionString } : {}),
      containerName: uniqueContainer('restart'),
      dataDir: tempDir('iid-restart-'),
    };
    const before = createStorage(options);
    const requests = new RequestStore(before.store);
    await requests.create(request('pending-1'));
    await requests.create(request('pending-2'));
    await requests.create(request('done-1', 'completed'));
    await requests.update('pending-1', (r) => ({ ...r, cards: [...(r.cards ?? []), card] }));
    await new ReferenceStore(before.store).save(reference);
    const audited = [
      await before.audit.append({ event: 'request.created', requestId: 'pending-1', actor: HELEN, target: { id: 'a', upn: 'alice@contoso.com' } }),
      await before.audit.append({ event: 'change.succeeded', requestId: 'done-1', actor: approver(1), target: { id: 'a', upn: 'alice@contoso.com' }, before: 'x', after: null }),
    ];

    const after = createStorage(options); // a new process: new objects over the same state
    expect(after.store).not.toBe(before.store);
    const reopened = new RequestStore(after.store);
    const pending = await reopened.listByState(['awaiting-approval']);
    expect(pending.map((r) => r.id).sort()).toEqual(['pending-1', 'pending-2']);
    expect(await reopened.get('pending-1')).toEqual(await requests.get('pending-1'));
    expect((await reopened.get('pending-1'))?.cards).toEqual([card]);
    const references = new ReferenceStore(after.store);
    expect(await references.get(TENANT, channelThread)).toEqual(reference);
    expect(await references.findForChannel('19:abc@thread.tacv2')).toEqual(reference);
    // Entries written without `changes` read back with the one immutable-id change they describe.
    expect(await after.audit.list()).toEqual([...audited].reverse().map(normaliseAuditEntry));
    if (mode === 'blob') {
      // Blob state is shared: an old and a new process approving the same request, one wins.
      // (Two FileStore objects on one folder do not share their write lock: one process only.)
      const approvals = await Promise.all(
        [reopened, requests].map((r, i) =>
          r.transition('pending-1', ['awaiting-approval'], (x) => ({ ...x, state: 'executing', approvedBy: approver(i) })),
        ),
      );
      expect(approvals.filter((r) => 'won' in r)).toHaveLength(1);
    }
  });
});

describe('createStorage', () => {
  it('uses files under the data directory without a connection string', () => {
    const dataDir = tempDir('iid-files-');
    for (const connectionString of [undefined, '', '   ']) {
      const storage = createStorage({ ...(connectionString !== undefined ? { connectionString } : {}), containerName: DEFAULT_CONTAINER_NAME, dataDir });
      expect(storage.store).toBeInstanceOf(FileStore);
      expect(storage.audit).toBeInstanceOf(FileAuditLog);
      expect(storage.describe).toContain(path.join(dataDir, 'state'));
      expect(storage.describe).toContain(path.join(dataDir, 'audit.jsonl'));
    }
  });

  it('uses Azure Blob Storage with a connection string, and never describes it with the key', () => {
    const storage = createStorage({ connectionString: ` ${azurite.connectionString} `, containerName: 'my-bot', dataDir: 'unused' });
    expect(storage.store).toBeInstanceOf(BlobStore);
    expect(storage.audit).toBeInstanceOf(BlobAuditLog);
    expect(storage.describe).toBe(`Azure Blob Storage container ${azurite.blobEndpoint}/my-bot`);
    expect(storage.describe).not.toContain(AZURITE_KEY);
    expect((storage.store as BlobStore).containerName).toBe('my-bot');
    expect((createStorage({ connectionString: azurite.connectionString, containerName: '', dataDir: '' }).store as BlobStore).containerName).toBe(
      DEFAULT_CONTAINER_NAME,
    );
  });

  it('does not show a SAS token', () => {
    const storage = createStorage({
      connectionString: 'BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sig=SECRETSIG',
      containerName: DEFAULT_CONTAINER_NAME,
      dataDir: '',
    });
    expect(storage.describe).toBe('Azure Blob Storage container https://acct.blob.core.windows.net/immutable-id-bot');
  });

  it('refuses an invalid container name or connection string without echoing the secret', () => {
    expect(() => createStorage({ connectionString: azurite.connectionString, containerName: 'Bad_Name', dataDir: '' })).toThrow(
      /not a valid Azure Blob container name/,
    );
    for (const connectionString of ['AccountName=x;AccountKey=SECRETKEY==', 'DefaultEndpointsProtocol=ftp;AccountName=x;AccountKey=SECRETKEY==', 'nonsense SECRETKEY']) {
      let message = '';
      try {
        createStorage({ connectionString, containerName: DEFAULT_CONTAINER_NAME, dataDir: '' });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^Azure Blob storage: /);
      expect(message).not.toContain('SECRETKEY');
    }
  });
});
