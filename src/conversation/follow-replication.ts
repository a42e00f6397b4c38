/** Turns every copy of a "waiting for directory replication" card into "cleared" once reads show it. */
import { recheckReplication, replicationRecheckDelays } from '../workflow/recheck-replication';
import type { ChangeRequest } from '../workflow/types';
import type { ConversationDeps } from './deps';
import { broadcast } from './request-cards';

/**
 * Starts the background re-reads for a request whose outcome is still waiting for replication;
 * returns at once. Nothing is lost if the process stops first: the card keeps saying "waiting",
 * which stays true, and `show` reads the user again.
 */
export function followReplication(deps: ConversationDeps, request: ChangeRequest): Promise<void> | undefined {
  if (request.outcome?.status !== 'completed-pending-replication' || !deps.chat) return undefined;
  return recheckReplication(deps, request.id, replicationRecheckDelays(deps.verifyMaxWaitMs))
    .then(async (updated) => {
      if (updated) await broadcast(deps, updated);
    })
    .catch((error: unknown) => deps.log.warn('replication.follow_failed', { requestId: request.id, error: error as Error }));
}
