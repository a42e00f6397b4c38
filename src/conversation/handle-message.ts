/** One chat message in, the bot's replies out. No botbuilder here: the transport adapts. */
import { renderHelpCard, renderUserCard, escapeCardText } from '../cards';
import { DirectoryError, toDirectoryError } from '../directory/directory-error';
import { assessClear } from '../workflow/assess-clear';
import { startClear } from '../workflow/start-clear';
import type { WorkflowDeps } from '../workflow/deps';
import type { Actor } from '../workflow/types';
import { explainDirectoryError } from './explain-error';
import { parseCommand } from './parse-command';
import { card, Reply, text } from './replies';
import type { Target } from './target';

export interface ConversationDeps extends WorkflowDeps {
  /** Cards say so when the directory is the local sandbox. */
  sandbox: boolean;
}

export interface IncomingMessage {
  text: string;
  actor: Actor;
  conversationId: string;
  tenantId: string;
}

/** Messages above this size are refused before parsing. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

export async function handleMessage(deps: ConversationDeps, message: IncomingMessage): Promise<Reply[]> {
  const size = Buffer.byteLength(message.text, 'utf8');
  if (size > MAX_MESSAGE_BYTES) {
    return [text(`That message is ${Math.ceil(size / 1024)} KB; I only read messages up to 16 KB. Send one command, e.g. \`clear immutable id for alice@contoso.com\`.`)];
  }
  const command = parseCommand(message.text);
  switch (command.kind) {
    case 'help':
      return [card(renderHelpCard({ sandbox: deps.sandbox }))];
    case 'unknown':
      return [card(renderHelpCard({ sandbox: deps.sandbox, reason: `I didn't understand "${escapeCardText(shorten(message.text))}".` }))];
    case 'invalid':
      return [text(command.message)];
    case 'show':
      return withDirectoryErrors(command.target, async () => {
        const snapshot = await deps.directory.findUser(command.target);
        return [card(renderUserCard({ snapshot, blockers: assessClear(snapshot), purpose: 'show', sandbox: deps.sandbox }))];
      });
    case 'clear':
      return withDirectoryErrors(command.target, async () => {
        const result = await startClear(deps, {
          target: command.target,
          requester: message.actor,
          conversationId: message.conversationId,
          tenantId: message.tenantId,
          ...(command.reason ? { reason: command.reason } : {}),
        });
        return [
          card(
            renderUserCard({
              snapshot: result.snapshot,
              blockers: result.blockers,
              purpose: 'clear',
              sandbox: deps.sandbox,
              requestedBy: message.actor.name,
              ...(result.request ? { requestId: result.request.id } : {}),
            }),
          ),
        ];
      });
  }
}

async function withDirectoryErrors(target: Target, run: () => Promise<Reply[]>): Promise<Reply[]> {
  try {
    return await run();
  } catch (error) {
    const e = error instanceof DirectoryError ? error : toDirectoryError(error, 'The user');
    return [text(explainDirectoryError(e, target.value))];
  }
}

function shorten(value: string): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 60)}…` : oneLine;
}
