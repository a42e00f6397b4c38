/**
 * Undo: a completed change's audit record keeps every value it replaced; a new request writes
 * them back, through approval like any change.
 */
import type { UserSnapshot } from '../directory/types';
import { kindModule } from './change-kinds';
import { createRequest, type RequestInput } from './create-request';
import type { WorkflowDeps } from './deps';
import { assessChange } from './look-up';
import type { AttributeChange, Blocker, ChangeRequest } from './types';

export interface StartUndoInput extends RequestInput {
  /** The completed request whose change to reverse. */
  requestId: string;
}

export type StartUndoResult =
  | { kind: 'not-allowed' }
  | { kind: 'not-found' }
  /** Only a completed change can be undone; `request` says what happened to it instead. */
  | { kind: 'not-completed'; request: ChangeRequest }
  | { kind: 'ok'; original: ChangeRequest; snapshot: UserSnapshot; changes: AttributeChange[]; blockers: Blocker[]; request?: ChangeRequest };

/** Checks the requester role and the original request, re-reads the user (throws DirectoryError), saves the undo if nothing blocks. */
export async function startUndo(deps: WorkflowDeps, input: StartUndoInput): Promise<StartUndoResult> {
  if (!(await deps.roles.canRequest(input.requester))) return { kind: 'not-allowed' };
  // A change archived after REQUEST_RETENTION can still be undone: the archive keeps the request.
  const original = (await deps.requests.get(input.requestId)) ?? (await deps.requests.getArchived(input.requestId));
  if (!original) return { kind: 'not-found' };
  if (original.state !== 'completed') return { kind: 'not-completed', request: original };
  const recorded = await recordedChanges(deps, original);
  const snapshot = await deps.directory.findUser({ kind: 'objectId', value: original.targetId });
  const changes = kindModule('undo').plan(snapshot, { reverse: recorded });
  const blockers = await assessChange(deps, 'undo', snapshot, changes);
  if (blockers.length > 0) return { kind: 'ok', original, snapshot, changes, blockers };
  const request = await createRequest(deps, 'undo', snapshot, changes, input, { undoOf: original.id });
  return { kind: 'ok', original, snapshot, changes, blockers, request };
}

/** What the change did, as its audit record kept it (the rollback record); the request's own list when the record is missing. */
async function recordedChanges(deps: WorkflowDeps, original: ChangeRequest): Promise<AttributeChange[]> {
  const entries = await deps.audit.list({ targetId: original.targetId, limit: 500 });
  const succeeded = entries.find((e) => e.requestId === original.id && (e.event === 'change.succeeded' || e.event === 'change.reconciled') && e.changes);
  return succeeded?.changes ?? original.changes;
}
