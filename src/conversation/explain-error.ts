/** Turns a directory failure into a specific chat message: what went wrong and what to do. */
import { DirectoryError } from '../directory/directory-error';
import { escapeCardText } from '../cards';
import type { Logger } from '../log';

/** A message for the chat; `subject` is what the user asked about, as they typed it. */
export function explainDirectoryError(error: DirectoryError, subject: string): string {
  const who = escapeCardText(subject);
  const d = error.details;
  const graphSays = d.graphCode ? ` (HTTP ${d.status} ${d.graphCode})` : d.status ? ` (HTTP ${d.status})` : '';
  const trace = d.requestId ? `\n\nGraph request-id: ${d.requestId}` : '';
  switch (error.code) {
    case 'directory.user_not_found':
      // Not a fault: no status code or request id, just what to try next.
      return (
        `I couldn't find **${who}** in the directory. Check the spelling, or try another identifier: the object id, ` +
        'a mail address, or the display name (e.g. `show Alice Smith`). If the user was deleted in the last 30 days, ' +
        'they are under **Deleted users** in the Entra admin center, where they can be restored.'
      );
    case 'directory.ambiguous':
      return `More than one user matches **${who}**: ${escapeCardText(error.message)}. Use the UPN or object id of the one you mean.`;
    case 'directory.forbidden':
      return (
        `Microsoft Graph refused${graphSays}: the bot is not allowed to do this. Its app registration needs the application permission ` +
        '**User.ReadWrite.All** (and **Domain.Read.All**) with admin consent. To change a user who holds an admin role, ' +
        "the app's service principal must itself hold **Privileged Authentication Administrator** (User Administrator covers ordinary users only). " +
        `Ask your Entra administrator.${trace}`
      );
    case 'directory.throttled':
      return `Microsoft Graph is throttling requests${graphSays} and still was after retrying${d.retryAfterSeconds !== undefined ? ` (it asked to wait ${d.retryAfterSeconds} s)` : ''}. Nothing was changed. Please try again in a minute.${trace}`;
    case 'directory.unavailable':
      return `Microsoft Graph is temporarily unavailable${graphSays} and still was after retrying. Nothing was changed. Please try again in a few minutes.${trace}`;
    case 'directory.timeout':
      return "Microsoft Graph didn't answer in time. Nothing was changed as far as I know; check the user with `show` before trying again.";
    case 'directory.network':
      return "I couldn't reach Microsoft Graph (network error). Nothing was changed. If this keeps happening, the bot's host may have lost its outbound connection to Graph; tell whoever runs the bot.";
    case 'directory.auth_failed':
      return "I couldn't get a token for Microsoft Graph, so nothing was looked up or changed. Either Entra ID is not answering right now (try again in a few minutes), or the bot's Graph credentials are wrong or expired (AZURE_TENANT_ID, AZURE_CLIENT_ID, and the client secret or certificate); tell whoever runs the bot if it persists.";
    case 'directory.synced_user':
    case 'directory.federated':
    case 'directory.bad_request':
      return (
        `Microsoft Graph refused the change${graphSays}${d.graphMessage ? `: "${escapeCardText(d.graphMessage)}"` : ''}. ` +
        'This happens when the user is still synced from on-premises (take the on-prem object out of sync scope and wait for the soft delete), ' +
        'or when the UPN is in a federated domain (move the UPN to a managed domain first). Send `show ' +
        `${who}\` to see the current state.${trace}`
      );
    default:
      return `Microsoft Graph answered with an unexpected error${graphSays}. Nothing was changed. Try again, and if it keeps happening tell whoever runs the bot.${trace}`;
  }
}

/**
 * Runs a command about `subject`; a Graph failure becomes the specific message (and is logged with
 * its code, status and Graph request id), anything else is a bug or outage for onTurnError.
 */
export async function withDirectoryErrors<T extends { type: string }>(
  subject: string,
  run: () => Promise<T[]>,
  explain: (message: string) => T,
  log?: Logger,
): Promise<T[]> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DirectoryError) {
      log?.warn('graph.failure_reported', { error });
      return [explain(explainDirectoryError(error, subject))];
    }
    throw error;
  }
}
