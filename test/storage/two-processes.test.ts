/**
 * Scale-out: two bot processes share Azure Blob state (Azurite) and the same directory (the
 * sandbox Graph emulator over HTTPS). Approvers tap Approve in both at once: exactly one PATCH.
 *
 * Each "process" is a complete, separate set of workflow dependencies: its own BlobStore and
 * BlobAuditLog objects, its own credential, Graph client and role policy. Only the container
 * and the directory are shared, as between two App Service instances.
 */
import { ClientSecretCredential } from '@azure/identity';
import { GraphDirectory } from '../../src/directory/graph-directory';
import { silentLogger } from '../../src/log';
import { RunningSandbox, SANDBOX_UPNS, SANDBOX_USERS, startSandbox } from '../../src/sandbox';
import type { AuditEntry } from '../../src/storage/audit-log';
import { createStorage } from '../../src/storage/create-storage';
import { RequestStore } from '../../src/storage/request-store';
import { approveRequest, ApproveResult } from '../../src/workflow/approve-request';
import type { WorkflowDeps } from '../../src/workflow/deps';
import { ConfiguredRoles } from '../../src/workflow/roles';
import { startClear } from '../../src/workflow/start-clear';
import type { ChangeRequest } from '../../src/workflow/types';
import { RunningAzurite, startAzurite } from '../helpers/azurite';
import { uniqueContainer } from './backends';

const HELEN = { aadObjectId: '4e1e4000-0000-4000-8000-00000000000c', name: 'Helen Helpdesk' };
const ADELE = { aadObjectId: 'ade1e000-0000-4000-8000-00000000000d', name: 'Adele Approver' };
const AARON = { aadObjectId: 'aa204000-0000-4000-8000-00000000000e', name: 'Aaron Approver' };
const CHANNEL = '19:helpdesk@thread.tacv2';

let azurite: RunningAzurite;
let sandbox: RunningSandbox;
beforeAll(async () => {
  [azurite, sandbox] = await Promise.all([startAzurite(), startSandbox()]);
});
afterAll(async () => {
  await Promise.all([azurite?.stop(), sandbox?.close()]);
});
beforeEach(() => {
  sandbox.reset();
});

/** One bot process: everything built afresh, over the shared container. */
function botProcess(containerName: string): WorkflowDeps {
  const credential = new ClientSecretCredential(sandbox.tenantId, sandbox.clientId, sandbox.clientSecret, {
    authorityHost: sandbox.url,
    disableInstanceDiscovery: true,
  });
  const directory = new GraphDirectory({ credential, endpoint: sandbox.url });
  const { store, audit } = createStorage({ connectionString: azurite.connectionString, containerName, dataDir: 'unused' });
  return {
    directory,
    requests: new RequestStore(store),
    audit,
    roles: new ConfiguredRoles(
      {
        approverIds: [ADELE.aadObjectId, AARON.aadObjectId],
        requesterIds: [],
        requireSeparateApprover: false,
        requiredApprovals: 1,
      },
      directory,
    ),
    protection: { allowPrivilegedTargets: false },
    approvals: { reminderAfterMs: 3_600_000, requestTtlMs: 86_400_000, unsyncCheckIntervalMs: 900_000 },
    log: silentLogger,
    verifyMaxWaitMs: 600,
  };
}

const patches = () => sandbox.requests().filter((r) => r.method === 'PATCH');

async function requestClear(deps: WorkflowDeps, upn: string): Promise<ChangeRequest> {
  const started = await startClear(deps, {
    target: { kind: 'address', value: upn },
    requester: HELEN,
    conversationId: `${CHANNEL};messageid=1712345678901`,
    tenantId: sandbox.tenantId,
    reason: 'INC0012345',
  });
  if (started.kind !== 'ok' || !started.request) throw new Error(`no request for ${upn}: ${JSON.stringify(started)}`);
  return started.request;
}

function auditOf(entries: AuditEntry[], requestId: string, event: AuditEntry['event']): AuditEntry[] {
  return entries.filter((e) => e.requestId === requestId && e.event === event);
}

describe('two bot processes sharing Azure Blob state', () => {
  it('approvers tapping Approve in both at once: exactly one PATCH', async () => {
    const container = uniqueContainer('scale');
    const [a, b] = [botProcess(container), botProcess(container)];
    const request = await requestClear(a, SANDBOX_UPNS.alice);
    expect(await b.requests.get(request.id)).toEqual(request); // B sees A's request
    sandbox.clearRequests();

    const [fromA, fromB] = await Promise.all([
      approveRequest(a, { requestId: request.id, actor: ADELE, conversationId: CHANNEL }),
      approveRequest(b, { requestId: request.id, actor: AARON, conversationId: `${CHANNEL};messageid=1712345678901` }),
    ]);

    expect(patches()).toHaveLength(1);
    expect(patches()[0]).toMatchObject({ path: `/v1.0/users/${SANDBOX_USERS.alice}`, body: { onPremisesImmutableId: null }, status: 204 });
    expect(sandbox.getUser(SANDBOX_USERS.alice)?.onPremisesImmutableId).toBeNull();

    const results: ApproveResult[] = [fromA, fromB];
    const done = results.filter((r) => r.kind === 'done');
    expect(done).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'already-handled')).toHaveLength(1);
    const winner = done[0] as Extract<ApproveResult, { kind: 'done' }>;
    expect(winner.request).toMatchObject({ state: 'completed', outcome: { status: 'completed' } });

    for (const p of [a, b]) {
      expect(await p.requests.get(request.id)).toMatchObject({ state: 'completed', approvedBy: winner.request.approvedBy });
      const entries = await p.audit.list({ limit: 1000 });
      expect(auditOf(entries, request.id, 'request.created')).toHaveLength(1);
      expect(auditOf(entries, request.id, 'request.approved')).toHaveLength(1);
      expect(auditOf(entries, request.id, 'change.intent')).toHaveLength(1);
      expect(auditOf(entries, request.id, 'change.succeeded')).toEqual([
        expect.objectContaining({ actor: winner.request.approvedBy, before: request.changes[0]?.before, after: null }),
      ]);
    }
  });

  it('holds round after round, whichever process created the request and whoever taps first', async () => {
    const container = uniqueContainer('scale');
    const processes = [botProcess(container), botProcess(container), botProcess(container)];
    for (let round = 0; round < 4; round++) {
      sandbox.reset();
      const creator = processes[round % processes.length]!;
      const request = await requestClear(creator, SANDBOX_UPNS.alice);
      sandbox.clearRequests();
      // Every process taps, with both approvers, at once: six taps, one change.
      const order = round % 2 === 0 ? processes : [...processes].reverse();
      const results = await Promise.all(
        order.flatMap((p) =>
          [ADELE, AARON].map((actor) => approveRequest(p, { requestId: request.id, actor, conversationId: CHANNEL })),
        ),
      );
      expect(patches()).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'done')).toHaveLength(1);
      expect(results.filter((r) => r.kind !== 'done').every((r) => r.kind === 'already-handled')).toBe(true);
      const entries = await processes[(round + 1) % processes.length]!.audit.list({ limit: 1000 });
      expect(auditOf(entries, request.id, 'change.intent')).toHaveLength(1);
      expect(auditOf(entries, request.id, 'change.succeeded')).toHaveLength(1);
    }
    // The whole trail, from any process: four requests, each created once and changed once.
    const all = await processes[0]!.audit.list({ limit: 1000 });
    expect(all.filter((e) => e.event === 'request.created')).toHaveLength(4);
    expect(all.filter((e) => e.event === 'change.succeeded')).toHaveLength(4);
  });
});
