/**
 * The one card of a bulk job, in every state: the preview (who will be changed, who cannot and
 * why, grouped by reason: the first 25 names of each group, the rest as a count), progress with
 * Stop, stopped with Resume, and the final counts with every failure and its reason.
 */
import type { BulkExclusion, BulkItemRecord, BulkJob, ExclusionReason } from '../workflow/bulk/types';
import { CardTemplate, type AdaptiveCardJson } from './card-json';
import { escapeCardText, sanitizeBotText } from './escape';
import { formatUtc } from './format';
import template from './bulk-job.card.json';
import { Verbs } from './verbs';

/** Names shown per group; the rest of the group is a count. */
export const NAMES_PER_GROUP = 25;
/** Failures listed on the final card (28 KB budget); every failure stays in the audit and `history`. */
export const FAILURES_SHOWN = 40;

export const BulkVerbs = {
  approve: Verbs.bulkApprove,
  reject: Verbs.bulkReject,
  cancel: Verbs.bulkCancel,
  stop: Verbs.bulkStop,
  resume: Verbs.bulkResume,
} as const;

interface Action {
  title: string;
  verb: string;
  style: 'positive' | 'destructive' | 'default';
}

/** An action as the template binds it: `styled` picks the variant with a style (plain data, no comparison in the template). */
type BoundAction = Action & { styled: boolean };

interface BulkCardViewModel {
  sandbox: boolean;
  jobId: string;
  title: string;
  subtitle: string;
  facts: { title: string; value: string }[];
  hasStatusLine: boolean;
  statusLine: string;
  statusStyle: string;
  hasChanging: boolean;
  changingCount: number;
  changingNames: string;
  hasGroups: boolean;
  excludedCount: number;
  groups: { heading: string; why: string; names: string }[];
  hasFailures: boolean;
  failureCount: number;
  failures: { line: string }[];
  hasFailuresCut: boolean;
  failuresCut: string;
  hasPreviousValues: boolean;
  previousValues: string;
  showRejectInput: boolean;
  hasActions: boolean;
  actions: BoundAction[];
}

const card = new CardTemplate<BulkCardViewModel>('bulk-job', template);

const REASONS: Record<ExclusionReason, { heading: string; why: string }> = {
  'not-found': { heading: 'Not found', why: 'No user has this UPN, object id or address.' },
  synced: { heading: 'Still synced', why: 'Entra Connect still syncs these users; take them out of sync scope first.' },
  federated: { heading: 'Federated domain', why: 'Their UPN is in a federated domain, which must keep a source anchor; move the UPN to a managed domain first.' },
  protected: { heading: 'Protected account', why: 'Admin-role holders and protected-group members are never changed in bulk.' },
  'already-empty': { heading: 'Already empty', why: 'Nothing to clear.' },
  other: { heading: 'Could not be checked', why: 'Looking these users up failed; ask for them again one by one.' },
};

const ORDER: ExclusionReason[] = ['not-found', 'synced', 'federated', 'protected', 'already-empty', 'other'];

/** Escaped names, the first 25, then "and N more". */
function listNames(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_PER_GROUP).map((n) => escapeCardText(n, 120));
  const more = names.length - shown.length;
  return shown.join(', ') + (more > 0 ? `, and ${more} more` : '');
}

/** The exclusions grouped by reason, in a fixed order, names sorted. */
export function groupExclusions(excluded: readonly BulkExclusion[]): { reason: ExclusionReason; names: string[] }[] {
  return ORDER.flatMap((reason) => {
    const names = excluded.filter((e) => e.reason === reason).map((e) => e.name).sort((a, b) => a.localeCompare(b));
    return names.length ? [{ reason, names }] : [];
  });
}

export interface BulkCardInput {
  job: BulkJob;
  sandbox: boolean;
  /** Final card: the per-user records (failures and their reasons). */
  records?: readonly BulkItemRecord[];
  /** What the kind does, e.g. "Clear the immutable ID" (bot-written). */
  action: string;
}

export function renderBulkJobCard(input: BulkCardInput): AdaptiveCardJson {
  const { job } = input;
  const total = job.items.length;
  const { done, failed, unchanged } = job.progress;
  const left = Math.max(0, total - done - failed - unchanged);
  const source = job.source.type === 'group' ? `members of ${escapeCardText(job.source.name, 200)}` : `a list of ${job.source.count} user${job.source.count === 1 ? '' : 's'}`;
  const groups = groupExclusions(job.excluded);
  const preview = job.state === 'awaiting-approval';
  const facts: { title: string; value: string }[] = [
    { title: 'Asked by', value: escapeCardText(job.requester.name) },
    ...(job.reason ? [{ title: 'Reason', value: escapeCardText(job.reason, 300) }] : []),
    { title: 'Will change', value: String(total) },
    { title: 'Cannot change', value: String(job.excluded.length) },
  ];
  if (!preview) {
    facts.push({ title: 'Done', value: String(done) }, { title: 'Failed', value: String(failed) }, { title: 'Left', value: String(left) });
    if (unchanged > 0) facts.push({ title: 'Changed by others meanwhile', value: String(unchanged) });
  }
  if (job.approvals.length > 0) facts.push({ title: 'Approved by', value: job.approvals.map((a) => escapeCardText(a.actor.name)).join(', ') });
  if (preview && job.requiredApprovals > 1) facts.push({ title: 'Approvals', value: `${job.approvals.length} of ${job.requiredApprovals}` });

  let statusLine = '';
  let statusStyle = 'default';
  let actions: Action[] = [];
  let title = `${input.action} — ${total} user${total === 1 ? '' : 's'}`;
  switch (job.state) {
    case 'awaiting-approval':
      statusLine = total > 0 ? 'Nothing is written until an approver approves.' : 'Nobody in this list can be changed, so there is nothing to approve.';
      actions = total > 0
        ? [{ title: 'Approve', verb: BulkVerbs.approve, style: 'positive' }, { title: 'Reject', verb: BulkVerbs.reject, style: 'destructive' }, { title: 'Cancel', verb: BulkVerbs.cancel, style: 'default' }]
        : [];
      break;
    case 'running':
      statusLine = `Running: ${done} done, ${failed} failed, ${left} left. Updated ${formatUtc(job.updatedAt)}.`;
      actions = [{ title: 'Stop', verb: BulkVerbs.stop, style: 'destructive' }];
      break;
    case 'stopping':
      statusLine = `Stopping after the current user (asked by ${escapeCardText(job.stoppedBy?.name)}).`;
      break;
    case 'stopped':
      statusLine = `Stopped by ${escapeCardText(job.stoppedBy?.name)}: ${done} done, ${failed} failed, ${left} left. Resume goes on where it stopped.`;
      statusStyle = 'warning';
      actions = [{ title: 'Resume', verb: BulkVerbs.resume, style: 'positive' }, { title: 'Cancel', verb: BulkVerbs.cancel, style: 'default' }];
      break;
    case 'completed':
      title = `${input.action} — finished`;
      statusLine = `Finished ${formatUtc(job.finishedAt)}: ${done} changed, ${failed} failed${unchanged ? `, ${unchanged} changed by others meanwhile` : ''}, ${job.excluded.length} not changeable.`;
      statusStyle = failed > 0 ? 'warning' : 'good';
      break;
    case 'rejected':
      statusLine = `Rejected by ${escapeCardText(job.rejectedBy?.name)}: ${escapeCardText(job.rejectionReason, 300)}. Nothing was written.`;
      statusStyle = 'attention';
      break;
    case 'cancelled':
      statusLine = `Cancelled by ${escapeCardText(job.cancelledBy?.name)}. ${done > 0 ? `${done} users had been changed before.` : 'Nothing was written.'}`;
      break;
    case 'expired':
      statusLine = 'Expired: nobody approved it in time. Nothing was written.';
      break;
  }

  const failures = (input.records ?? []).filter((r) => r.status === 'failed');
  const shownFailures = failures.slice(0, FAILURES_SHOWN).map((r) => ({ line: `${escapeCardText(r.upn, 120)}: ${sanitizeBotText(r.detail ?? 'failed', 300)}` }));
  const changed = (input.records ?? []).filter((r) => r.status === 'done').length;

  return card.expand({
    sandbox: input.sandbox,
    jobId: job.id,
    title,
    subtitle: `For ${source}.`,
    facts,
    hasStatusLine: statusLine !== '',
    statusLine,
    statusStyle,
    hasChanging: preview && total > 0,
    changingCount: total,
    changingNames: listNames(job.items.map((i) => i.upn).sort((a, b) => a.localeCompare(b))),
    hasGroups: preview && groups.length > 0,
    excludedCount: job.excluded.length,
    groups: preview ? groups.map((g) => ({ heading: `${REASONS[g.reason].heading} (${g.names.length})`, why: REASONS[g.reason].why, names: listNames(g.names) })) : [],
    hasFailures: shownFailures.length > 0,
    failureCount: failures.length,
    failures: shownFailures,
    hasFailuresCut: failures.length > shownFailures.length,
    failuresCut: `…and ${failures.length - shownFailures.length} more failures: \`history <user>\` shows each one.`,
    hasPreviousValues: job.state === 'completed' && changed > 0,
    previousValues: `The previous values of the ${changed} changed users are in the audit record of each user (\`history <user>\`); send \`csv ${job.id}\` in our personal chat for them as a CSV file.`,
    showRejectInput: preview && total > 0,
    hasActions: actions.length > 0,
    actions: actions.map((a): BoundAction => ({ ...a, styled: a.style !== 'default' })),
  });
}
