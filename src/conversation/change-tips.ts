/** What to do after a hard match or an undo completed, for this user (the clear has its own tips card). */
import { escapeCardText as esc } from '../cards';
import { describeMatchDiagnostics } from '../cards/match-diagnostics';
import { anchorOf } from '../directory/anchor';
import type { UserSnapshot } from '../directory/types';
import { primaryChange } from '../workflow/changes';
import type { ChangeRequest } from '../workflow/types';

export function changeTips(request: ChangeRequest, snapshot: UserSnapshot): string {
  const value = primaryChange(request).after;
  const anchor = value ? anchorOf(value) : null;
  const upn = esc(snapshot.user.userPrincipalName);
  if (request.kind === 'set-immutable-id' && anchor) {
    return [
      `**Next steps for the hard match of ${upn}**`,
      '',
      '1. On the Entra Connect server, run a delta sync: `Start-ADSyncSyncCycle -PolicyType Delta` (or wait for the next cycle, 30 minutes by default).',
      `2. The on-prem object with ObjectGUID \`${anchor.guid}\` (ms-DS-ConsistencyGuid \`${anchor.hex}\`) must be in sync scope: its OU and any group or attribute filter.`,
      `3. If it still does not join: check which attribute Connect uses as source anchor (ms-DS-ConsistencyGuid or objectGUID) and that it holds this value on-prem; look for an export error on the object in Synchronization Service Manager; and send \`show ${upn}\` for what else blocks the match.`,
      `To reverse it, tap **Undo** on the outcome card or send \`undo ${esc(request.id, 128)}\`.`,
      '',
      '**What decides the next sync match**',
      ...describeMatchDiagnostics(snapshot).map((line) => `- ${line}`),
    ].join('\n');
  }
  return [
    `**${upn} has its earlier immutable ID back.**`,
    '',
    'Run a delta sync on the Entra Connect server (`Start-ADSyncSyncCycle -PolicyType Delta`) so it joins the on-prem object that anchor stands for again.',
    '',
    '**What decides the next sync match**',
    ...describeMatchDiagnostics(snapshot).map((line) => `- ${line}`),
  ].join('\n');
}
