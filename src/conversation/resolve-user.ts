/**
 * Turns a display name typed in a command ("show Alice Smith") into one user: one match goes
 * on, several become a short list of buttons that each send the exact command with that
 * user's UPN, none says so. Exact UPNs, mail addresses and object ids pass straight through.
 */
import { escapeCardText, MAX_CHOICES, renderChoicesCard } from '../cards';
import type { Directory } from '../directory/graph-directory';
import type { DirectoryUser } from '../directory/types';
import { card, type Reply, text } from './replies';
import type { Target, UserRef } from './target';

export type ResolvedUser = { ok: true; target: Target } | { ok: false; replies: Reply[] };

export interface ResolveUserDeps {
  directory: Pick<Directory, 'findUsersByName'>;
  sandbox: boolean;
}

/**
 * `commandFor(upn)` writes the command as the user would have typed it with the UPN, e.g.
 * `show alice@contoso.com`: that is what each button of the list sends.
 */
export async function resolveUser(deps: ResolveUserDeps, ref: UserRef, commandFor: (upn: string) => string): Promise<ResolvedUser> {
  if (ref.kind !== 'displayName') return { ok: true, target: ref };
  // One more than we can show, to know whether the list is cut.
  const found = await deps.directory.findUsersByName(ref.value, MAX_CHOICES + 1);
  const name = escapeCardText(ref.value, 120);
  if (found.length === 0) {
    return {
      ok: false,
      replies: [
        text(
          `I found no user whose name starts with **${name}**. Check the spelling, or send their UPN (alice@contoso.com), object id or mail address. ` +
            'A user deleted in the last 30 days is not found by name: look them up by UPN or object id.',
        ),
      ],
    };
  }
  const exact = found.filter((u) => (u.displayName ?? '').toLowerCase() === ref.value.toLowerCase());
  const only = found.length === 1 ? found[0] : exact.length === 1 ? exact[0] : undefined;
  if (only) return { ok: true, target: { kind: 'objectId', value: only.id } };

  const shown = [...found].sort(byName).slice(0, MAX_CHOICES);
  const more = found.length > MAX_CHOICES;
  return {
    ok: false,
    replies: [
      card(
        renderChoicesCard({
          question: more
            ? `More than ${MAX_CHOICES} users' names start with **${name}**. Here are ${MAX_CHOICES}; if yours isn't here, type more of the name or the UPN.`
            : `${found.length} users' names start with **${name}**. Which one do you mean?`,
          choices: shown.map((u) => ({ title: `${u.displayName ?? u.userPrincipalName} (${u.userPrincipalName})`, command: commandFor(u.userPrincipalName) })),
          sandbox: deps.sandbox,
        }),
      ),
    ],
  };
}

function byName(a: DirectoryUser, b: DirectoryUser): number {
  return (a.displayName ?? a.userPrincipalName).localeCompare(b.displayName ?? b.userPrincipalName) || a.userPrincipalName.localeCompare(b.userPrincipalName);
}
