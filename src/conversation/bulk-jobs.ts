/**
 * Bulk requests in the chat: `clear immutable id for <list>` or `… for members of <group>` →
 * a preview card grouped by reason → the same approval rules as for one user → a background job
 * whose card shows progress (Stop / Resume) and ends with the counts and every failure.
 */
import { BulkVerbs, escapeCardText, renderBulkJobCard } from '../cards';
import { DirectoryError, toDirectoryError } from '../directory/directory-error';
import type { BulkJobStore } from '../storage/bulk-job-store';
import { newRequestId, nowIso } from '../workflow/deps';
import { decideBulkJob, type BulkDecision } from '../workflow/bulk/decide-bulk-job';
import { MAX_BULK_USERS, planBulkJob, type AssessOutcome } from '../workflow/bulk/plan-bulk-job';
import type { BulkItemRecord, BulkJob, BulkKind } from '../workflow/bulk/types';
import type { Actor, CardCopy } from '../workflow/types';
import type { ChatPort } from './chat-port';
import { explainDirectoryError } from './explain-error';
import type { ConversationDeps } from './deps';
import type { BulkSource } from './parse-bulk-targets';
import { card, type CardActionResult, type CardJson, type Reply, text } from './replies';
import { parseTarget } from './target';

/** How one kind looks a user up and decides what it would write (the single-user rules). */
export interface BulkKindPlanner {
  /** "Clear the immutable ID" (card title). */
  action: string;
  assess(deps: ConversationDeps, name: string): Promise<AssessOutcome>;
}

/** Starts, resumes and stops job runners (the app wires it to runBulkJob). */
export interface BulkJobRunner {
  start(jobId: string): void;
}

export interface BulkDeps extends ConversationDeps {
  bulkJobs: BulkJobStore;
  bulkRunner: BulkJobRunner;
  bulkPlanners: Partial<Record<BulkKind, BulkKindPlanner>>;
}

const REQUESTER_ROLE =
  "You need the requester role for this: ask your Teams admin to add you to the bot's requester group (REQUESTER_GROUP_ID) or list (REQUESTER_IDS). Approvers can ask too.";

export const hasBulk = (deps: ConversationDeps): deps is BulkDeps => deps.bulkJobs !== undefined && deps.bulkRunner !== undefined && deps.bulkPlanners !== undefined;

export const trackJob = (job: BulkJob, c: CardJson, role: CardCopy['role'] = 'requester'): Reply => card(c, { requestId: job.id, role });

/** Reads who a bulk request names: the list as given, or the group's transitive user members (every page). */
async function namesOf(deps: ConversationDeps, source: BulkSource): Promise<{ names: string[]; group?: { id: string; name: string } } | { message: string }> {
  if (source.type === 'list') return { names: source.names };
  const groups = await deps.directory.findGroups(source.group);
  if (groups.length === 0) {
    return { message: `I can't find a group called **${escapeCardText(source.group)}** (I look for its display name, mail address or object id). Check the name, or paste the users as a list.` };
  }
  if (groups.length > 1) {
    return { message: `${groups.length} groups are called **${escapeCardText(source.group)}**; name one by its mail address or object id: ${groups.slice(0, 5).map((g) => `\`${g.mail ?? g.id}\``).join(', ')}.` };
  }
  const group = groups[0] as (typeof groups)[number];
  const names: string[] = [];
  let next: string | undefined;
  do {
    const page = await deps.directory.listGroupMembers(group.id, next);
    names.push(...page.users.map((u) => u.id));
    if (names.length > MAX_BULK_USERS) {
      return { message: `**${escapeCardText(group.displayName)}** has more than ${MAX_BULK_USERS} users; one request takes at most ${MAX_BULK_USERS}. Use smaller groups or lists.` };
    }
    next = page.nextPage;
  } while (next);
  if (names.length === 0) return { message: `**${escapeCardText(group.displayName)}** has no user members, so there is nothing to change.` };
  return { names, group: { id: group.id, name: group.displayName } };
}

export interface StartBulkInput {
  kind: BulkKind;
  source: BulkSource;
  actor: Actor;
  conversationId: string;
  tenantId: string;
  reason?: string;
}

/** The preview: reads every user, writes nothing; the card waits for approval. */
export async function startBulkJob(deps: BulkDeps, input: StartBulkInput): Promise<Reply[]> {
  if (!(await deps.roles.canRequest(input.actor))) return [text(REQUESTER_ROLE)];
  let found: Awaited<ReturnType<typeof namesOf>>;
  try {
    found = await namesOf(deps, input.source);
  } catch (error) {
    const e = error instanceof DirectoryError ? error : toDirectoryError(error, 'The group');
    return [text(explainDirectoryError(e, input.source.type === 'group' ? input.source.group : 'those users'))];
  }
  if ('message' in found) return [text(found.message)];
  const planner = deps.bulkPlanners[input.kind];
  if (!planner) return [text('That change is not available for lists and groups yet. Ask for one user at a time.')];
  const plan = await planBulkJob(found.names, (name) => planner.assess(deps, name));
  const now = nowIso(deps);
  const job: BulkJob = {
    id: (deps.newRequestId ?? newRequestId)(),
    kind: input.kind,
    state: 'awaiting-approval',
    source: found.group ? { type: 'group', ...found.group } : { type: 'list', count: found.names.length },
    requester: input.actor,
    ...(input.reason ? { reason: input.reason } : {}),
    conversationId: input.conversationId,
    tenantId: input.tenantId,
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(Date.parse(now) + deps.approvals.requestTtlMs).toISOString(),
    items: plan.items,
    excluded: plan.excluded,
    approvals: [],
    requiredApprovals: deps.roles.config.requiredApprovals,
    cards: [],
    progress: { done: 0, failed: 0, unchanged: 0 },
  };
  await deps.bulkJobs.create(job);
  await deps.audit.append({
    event: 'request.created',
    requestId: job.id,
    actor: input.actor,
    target: { id: job.id, upn: `bulk job (${job.items.length} users)` },
    detail: `Bulk ${job.kind} for ${job.source.type === 'group' ? `members of ${job.source.name}` : `a list of ${found.names.length}`}: ${job.items.length} to change, ${job.excluded.length} cannot be changed`,
  });
  const replies: Reply[] = [trackJob(job, renderJob(deps, job))];
  // Like one user: when someone else must approve, the approvers' channel gets the card too.
  const channel = deps.approvals.channelId;
  const needsOthers = job.requiredApprovals > 1 || deps.roles.config.requireSeparateApprover || !(await deps.roles.canApprove(input.actor));
  if (job.items.length > 0 && channel && deps.chat && job.conversationId !== channel && needsOthers) {
    const posted = await deps.chat.postToChannel(channel, renderJob(deps, job), 'approvers');
    if (posted.ok) await deps.bulkJobs.transition(job.id, () => true, (j) => ({ ...j, cards: [...j.cards, posted.copy] }));
    else replies.push(text(posted.reason === 'not-installed' ? "I couldn't post this to the approvers' channel: the bot is not installed in that team. An approver can approve here." : "Posting to the approvers' channel failed; an approver can approve here."));
  }
  return replies;
}

export function renderJob(deps: Pick<BulkDeps, 'sandbox' | 'bulkPlanners'>, job: BulkJob, records?: readonly BulkItemRecord[]): CardJson {
  return renderBulkJobCard({ job, sandbox: deps.sandbox, action: deps.bulkPlanners[job.kind]?.action ?? 'Change users', ...(records ? { records } : {}) });
}

const DECISIONS: Record<string, BulkDecision> = {
  [BulkVerbs.approve]: 'approve',
  [BulkVerbs.reject]: 'reject',
  [BulkVerbs.cancel]: 'cancel',
  [BulkVerbs.stop]: 'stop',
  [BulkVerbs.resume]: 'resume',
};

export const isBulkVerb = (verb: string): boolean => verb in DECISIONS;

/** A tap on a bulk job's card. */
export async function handleBulkAction(
  deps: BulkDeps,
  input: { verb: string; jobId: string; actor: Actor; conversationId: string; activityId?: string; rejectReason?: string },
): Promise<CardActionResult> {
  const decision = DECISIONS[input.verb];
  if (!decision) return { kind: 'message', text: "I didn't recognise that button. Nothing was changed.", followUps: [] };
  const result = await decideBulkJob({ jobs: deps.bulkJobs, roles: deps.roles, audit: deps.audit, approvals: deps.approvals }, {
    jobId: input.jobId,
    decision,
    actor: input.actor,
    conversationId: input.conversationId,
    ...(input.rejectReason ? { rejectReason: input.rejectReason } : {}),
  });
  const msg = (t: string): CardActionResult => ({ kind: 'message', text: t, followUps: [] });
  switch (result.kind) {
    case 'not-found':
      return msg("I can't find this bulk request any more, so nothing was changed. Send the command again.");
    case 'wrong-conversation':
      return msg('This card belongs to another conversation, so nothing was changed.');
    case 'not-allowed':
      return msg(result.need === 'approver' ? "Only the bot's approvers can do that. Nothing was changed." : 'Only the requester or an approver can cancel this. Nothing was changed.');
    case 'own-request':
      return msg('You asked for this change, and another approver must approve it (four-eyes). Nothing was changed.');
    case 'already-approved-by-you':
      return msg(`You already approved this; it needs ${result.job.requiredApprovals - result.job.approvals.length} more approval(s).`);
    case 'reason-needed':
      return msg('Type the reason for rejecting in the box on the card, then tap **Reject** again. Nothing was changed.');
    case 'already-handled':
      return { kind: 'card', card: renderJob(deps, result.job, await recordsIfFinal(deps, result.job)), followUps: [text(alreadyText(result.job))] };
    case 'approval-recorded':
    case 'changed': {
      const job = result.job;
      await rememberCopy(deps, job, input);
      if (result.kind === 'changed' && result.start) deps.bulkRunner.start(job.id);
      const rendered = renderJob(deps, job);
      await updateOtherCopies(deps, job, rendered, input.activityId);
      return { kind: 'card', card: rendered, followUps: [] };
    }
  }
}

async function recordsIfFinal(deps: BulkDeps, job: BulkJob): Promise<BulkItemRecord[] | undefined> {
  return job.state === 'completed' ? [...(await deps.bulkJobs.items(job.id)).values()] : undefined;
}

function alreadyText(job: BulkJob): string {
  switch (job.state) {
    case 'running':
      return 'This job is already running.';
    case 'stopping':
    case 'stopped':
      return 'This job was stopped; an approver can resume it.';
    case 'completed':
      return 'This job has finished.';
    case 'rejected':
      return `This request was rejected by ${escapeCardText(job.rejectedBy?.name)}. Nothing was changed.`;
    case 'cancelled':
      return `This request was cancelled by ${escapeCardText(job.cancelledBy?.name)}.`;
    case 'expired':
      return 'This request expired. Nothing was changed.';
    default:
      return 'This request is waiting for approval.';
  }
}

/** A tapped copy the job does not know yet (e.g. from a forwarded card) is remembered so it gets updates. */
async function rememberCopy(deps: BulkDeps, job: BulkJob, input: { conversationId: string; activityId?: string }): Promise<void> {
  if (!input.activityId || job.cards.some((c) => c.activityId === input.activityId)) return;
  const role: CardCopy['role'] = input.conversationId.startsWith(deps.approvals.channelId ?? '\u0000') ? 'approvers' : 'requester';
  await deps.bulkJobs.transition(job.id, () => true, (j) => ({ ...j, cards: [...j.cards, { conversationId: input.conversationId, activityId: input.activityId as string, role }] }));
}

/** Updates every copy of the job's card except the one the tap replaces. */
export async function updateOtherCopies(deps: Pick<ConversationDeps, 'chat' | 'log'>, job: BulkJob, rendered: CardJson, exceptActivityId?: string): Promise<void> {
  const chat: ChatPort | undefined = deps.chat;
  if (!chat) return;
  for (const copy of job.cards) {
    if (copy.activityId === exceptActivityId) continue;
    await chat.updateCard(copy, rendered).catch((error: unknown) => deps.log.warn('bulk.card_update_failed', { error: error as Error }));
  }
}

/** The clear-immutable-id planner on the single-user look-up and rules. */
export function assessOutcomeOf(error: unknown, name: string): AssessOutcome {
  const e = error instanceof DirectoryError ? error : toDirectoryError(error, 'The user');
  return { ok: false, notFound: e.code === 'directory.user_not_found', detail: explainDirectoryError(e, name) };
}

/** Parses a name from a list (already validated by the parser). */
export function targetOf(name: string) {
  const parsed = parseTarget(name);
  if (!parsed.ok) throw new Error(`bulk: unvalidated name ${name}`);
  return parsed.target;
}
