/** `undo <request id>` (and the Undo button): a request that writes back what a completed change replaced. */
import { renderChangeCard } from '../../cards';
import { startUndo } from '../../workflow/start-undo';
import type { Actor } from '../../workflow/types';
import { type ConversationDeps, REQUESTER_ROLE } from '../deps';
import { withDirectoryErrors } from '../explain-error';
import { offerRequest } from '../offer-request';
import { card, Reply, text } from '../replies';
import { changeCardWords } from '../request-cards';
import type { CommandHandler } from './command';

export const undo: CommandHandler<'undo'> = (deps, message, command) =>
  requestUndo(deps, { requestId: command.requestId, actor: message.actor, conversationId: message.conversationId, tenantId: message.tenantId });

/** Opens the undo request for `requestId`; the replies say why not when it can't. */
export function requestUndo(deps: ConversationDeps, input: { requestId: string; actor: Actor; conversationId: string; tenantId: string }): Promise<Reply[]> {
  return withDirectoryErrors('that user', async () => {
    const result = await startUndo(deps, { requestId: input.requestId, requester: input.actor, conversationId: input.conversationId, tenantId: input.tenantId });
    switch (result.kind) {
      case 'not-allowed':
        return [text(REQUESTER_ROLE)];
      case 'not-found':
        return [text(`I can't find request ${input.requestId}, so there is nothing to undo. The id is on the outcome card and in the user's \`history\`.`)];
      case 'not-completed':
        return [text(`Request ${input.requestId} did not change anything (it is ${result.request.state}), so there is nothing to undo.`)];
    }
    if (!result.request) {
      const change = result.changes[0];
      return [
        card(
          renderChangeCard({
            snapshot: result.snapshot,
            currentValue: result.snapshot.user.onPremisesImmutableId,
            newValue: change?.after ?? null,
            ...changeCardWords({ kind: 'undo', undoOf: result.original.id }),
            blockers: result.blockers,
            sandbox: deps.sandbox,
            requestedBy: input.actor.name,
            notice: "This change can't be undone now: nothing was changed.",
          }),
        ),
      ];
    }
    return offerRequest(deps, result.request);
  }, text, deps.log);
}
