/** One chat message in, the bot's replies out. No botbuilder here: the transport adapts. */
import { DirectoryError } from '../directory/directory-error';
import { runCommand } from './commands';
import type { ConversationDeps, IncomingMessage } from './deps';
import { explainDirectoryError } from './explain-error';
import { parseCommand } from './parse-command';
import { Reply, text } from './replies';

export type { ConversationDeps, IncomingMessage } from './deps';

/** Messages above this size are refused before parsing. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

/** Answers one message; a Graph failure anywhere (even in a role check) becomes a specific message. */
export async function handleMessage(deps: ConversationDeps, message: IncomingMessage): Promise<Reply[]> {
  try {
    return await dispatch(deps, message);
  } catch (error) {
    if (error instanceof DirectoryError) {
      deps.log.warn('graph.failure_reported', { error });
      return [text(explainDirectoryError(error, 'that user'))];
    }
    throw error;
  }
}

async function dispatch(deps: ConversationDeps, message: IncomingMessage): Promise<Reply[]> {
  const size = Buffer.byteLength(message.text, 'utf8');
  if (size > MAX_MESSAGE_BYTES) {
    return [text(`That message is ${Math.ceil(size / 1024)} KB; I only read messages up to 16 KB. Send one command, e.g. \`clear immutable id for alice@contoso.com\`.`)];
  }
  const wait = deps.rateLimiter?.take(message.actor.aadObjectId || message.actor.name);
  if (wait !== undefined && wait > 0) {
    return [text(`You're sending commands faster than I accept (at most ${deps.rateLimiter?.perMinute} a minute). Please wait ${Math.ceil(wait / 1000)} s and try again.`)];
  }
  return runCommand(deps, message, parseCommand(message.text));
}
