/**
 * The sync-error watch: Graph cannot filter users on onPremisesProvisioningErrors, so each pass
 * reads every user page by page ($select only what is needed, $top=999, @odata.nextLink; the
 * directory retries throttled pages per Retry-After) and posts each error (user, property,
 * value) not seen before to the approvers' channel, once. A complete pass that no longer finds
 * a posted error turns its card to "resolved".
 */
import { escapeCardText, renderSyncErrorCard } from '../cards';
import type { ChatPort } from '../conversation/chat-port';
import { explainDirectoryError } from '../conversation/explain-error';
import type { ConversationDeps } from '../conversation/handle-message';
import { text } from '../conversation/replies';
import { parseTarget } from '../conversation/target';
import { DirectoryError, toDirectoryError } from '../directory/directory-error';
import type { ProvisioningError, SyncErrorUser } from '../directory/types';
import { immutableIdToGuid } from '../directory/immutable-id';
import type { NotificationStore } from '../storage/notification-store';
import { syncErrorKey, type SyncErrorStore, type WatchedSyncError } from '../storage/sync-error-store';
import { newRequestId, nowIso } from '../workflow/deps';
import { lookUp, type Assessment } from '../workflow/look-up';

export interface WatchDeps extends ConversationDeps {
  chat: ChatPort;
  notifications: NotificationStore;
  syncErrors: SyncErrorStore;
  /** Whether the bot is installed in the team of the approvers' channel (a saved reference). */
  isChannelInstalled(channelId: string): Promise<boolean>;
}

export type WatchPassResult =
  | { status: 'completed'; pages: number; errors: number; posted: number; resolved: number }
  | { status: 'stopped'; pages: number; errors: number; posted: number }
  | { status: 'skipped'; reason: 'no-channel' | 'not-installed' };

/** A card claimed but never posted (the process died in between) is posted again after this. */
const UNPOSTED_RETRY_MS = 10 * 60_000;

/** One pass over all users; stops between pages (and errors) when `signal` aborts. */
export async function runSyncErrorPass(deps: WatchDeps, signal?: AbortSignal): Promise<WatchPassResult> {
  const channelId = deps.approvals.channelId;
  if (!channelId) return { status: 'skipped', reason: 'no-channel' };
  if (!(await deps.isChannelInstalled(channelId))) return { status: 'skipped', reason: 'not-installed' };
  const seen = new Set<string>();
  let pages = 0;
  let errors = 0;
  let posted = 0;
  let next: string | undefined;
  do {
    if (signal?.aborted) return { status: 'stopped', pages, errors, posted };
    const page = await deps.directory.listSyncErrors(next);
    pages += 1;
    for (const user of page.users) {
      for (const error of user.errors) {
        if (signal?.aborted) return { status: 'stopped', pages, errors, posted };
        errors += 1;
        const key = syncErrorKey(user.id, error.propertyCausingError, error.value);
        seen.add(key);
        if (await postIfNew(deps, channelId, key, user, error)) posted += 1;
      }
    }
    next = page.nextPage;
  } while (next);

  // Only a complete pass can say an error is gone.
  let resolved = 0;
  for (const open of await deps.syncErrors.listOpen()) {
    if (seen.has(open.key)) continue;
    await markResolved(deps, open);
    resolved += 1;
  }
  return { status: 'completed', pages, errors, posted, resolved };
}

async function postIfNew(deps: WatchDeps, channelId: string, key: string, user: SyncErrorUser, error: ProvisioningError): Promise<boolean> {
  const existing = await deps.syncErrors.get(key);
  if (existing && !existing.value.resolvedAt) {
    if (existing.value.card) return false;
    if (Date.now() - Date.parse(existing.value.claimedAt) < UNPOSTED_RETRY_MS) return false;
  }
  const { assessment, lookupError } = await findHolder(deps, user, error.value);
  const anchorGuid = await anchorOf(deps, user.id);
  const holder = assessment?.snapshot.user;
  const record: WatchedSyncError = {
    key,
    userId: user.id,
    userPrincipalName: user.userPrincipalName,
    property: error.propertyCausingError,
    value: error.value,
    ...(holder ? { holder: { id: holder.id, userPrincipalName: holder.userPrincipalName, displayName: holder.displayName } } : {}),
    notificationId: newRequestId(),
    claimedAt: nowIso(deps),
  };
  // The first pass (of any instance) to claim the error posts it.
  if (!(await deps.syncErrors.claim(record, existing))) return false;
  await deps.notifications.save({
    id: record.notificationId,
    receivedAt: record.claimedAt,
    userPrincipalName: user.userPrincipalName,
    ...(holder ? { targetId: holder.id } : {}),
    error: error.category,
    detail: `${error.propertyCausingError} ${error.value} is already held by ${holder ? holder.userPrincipalName : 'another object'}`,
  });
  const card = renderSyncErrorCard({
    ...cardInput(deps, record, error.category),
    ...(assessment ?? { blockers: [] }),
    ...(lookupError ? { lookupError } : {}),
    ...(anchorGuid ? { matchAnchorGuid: anchorGuid } : {}),
  });
  const result = await deps.chat.postToChannel(channelId, card, 'approvers');
  if (!result.ok) {
    deps.log.warn('watch.post_failed', { reason: result.reason });
    return false;
  }
  await deps.syncErrors.save({ ...record, card: result.copy });
  deps.log.info('watch.error_posted', { userId: user.id, property: error.propertyCausingError });
  return true;
}

/** The on-prem object's anchor as a GUID (what a hard match of the holder would write), when it has one. */
async function anchorOf(deps: WatchDeps, userId: string): Promise<string | undefined> {
  try {
    const values = await deps.directory.readUser(userId, ['onPremisesImmutableId']);
    const anchor = values.onPremisesImmutableId;
    return anchor ? (immutableIdToGuid(anchor) ?? undefined) : undefined;
  } catch {
    return undefined; // the card still offers what it can
  }
}

/** Who holds the conflicting value: a UPN, or a proxy address ("SMTP:x@y" / "smtp:x@y"). */
async function findHolder(deps: WatchDeps, user: SyncErrorUser, value: string): Promise<{ assessment?: Assessment; lookupError?: string }> {
  const address = value.replace(/^smtp:/i, '');
  const target = parseTarget(address);
  if (!target.ok) return {};
  try {
    const assessment = await lookUp(deps, target.target);
    return assessment.snapshot.user.id === user.id ? {} : { assessment };
  } catch (error) {
    const e = error instanceof DirectoryError ? error : toDirectoryError(error, 'The user');
    if (e.code === 'directory.user_not_found') return {};
    return { lookupError: explainDirectoryError(e, address) };
  }
}

function cardInput(deps: WatchDeps, record: WatchedSyncError, category: string) {
  return {
    upn: record.userPrincipalName,
    error: category,
    detail: '',
    notificationId: record.notificationId,
    sandbox: deps.sandbox,
    conflict: { property: record.property, value: record.value, ...(record.holder ? { holder: record.holder } : {}) },
  };
}

async function markResolved(deps: WatchDeps, open: WatchedSyncError): Promise<void> {
  const resolvedAt = nowIso(deps);
  // "Request clear" turned the message into that request's card: keep it (it may still wait for a decision) and say so in the thread.
  const requestId = (await deps.notifications.get(open.notificationId).catch(() => undefined))?.requestId;
  if (open.card && requestId) {
    const note = text(
      `✅ The sync error on **${escapeCardText(open.userPrincipalName)}** (${escapeCardText(open.property, 40)}) is gone: the latest scan no longer finds it. The request made from it stays as it is; cancel it (\`cancel ${requestId}\`) if it is no longer needed.`,
    );
    await deps.chat.postTo(open.card.conversationId, [note]).catch((error: unknown) => deps.log.warn('watch.resolve_note_failed', { error: error as Error }));
  } else if (open.card) {
    const card = renderSyncErrorCard({ ...cardInput(deps, open, 'PropertyConflict'), blockers: [], resolvedAt });
    await deps.chat.updateCard(open.card, card).catch((error: unknown) => deps.log.warn('watch.resolve_update_failed', { error: error as Error }));
  }
  await deps.syncErrors.save({ ...open, resolvedAt });
  deps.log.info('watch.error_resolved', { userId: open.userId, property: open.property });
}

export interface WatchStatus {
  enabled: boolean;
  /** off | no-channel | not-installed | watching */
  state: 'off' | 'no-channel' | 'not-installed' | 'watching';
  detail: string;
  intervalMs: number;
  lastPass?: WatchPassResult & { finishedAt: string };
}

/** Runs passes on a timer; one at a time; close() stops a pass between pages. */
export class SyncErrorWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private running: Promise<WatchPassResult> | undefined;
  private lastPass: WatchStatus['lastPass'];
  private state: WatchStatus['state'];
  private warned = false;

  constructor(
    private readonly deps: WatchDeps,
    /** `sandbox`: the Agents Playground adds the bot to its team only when that chat opens, so "not installed" at start is expected there. */
    private readonly options: { enabled: boolean; intervalMs: number; sandbox?: boolean },
  ) {
    this.state = !options.enabled ? 'off' : deps.approvals.channelId ? 'watching' : 'no-channel';
  }

  /** Says once why it cannot scan, runs a first pass and then one every interval. */
  async start(): Promise<void> {
    if (!this.options.enabled) return;
    await this.refreshState();
    this.warnOnce();
    const tick = (): void => {
      this.runPass().catch((error: unknown) => this.deps.log.error('watch.pass_failed', { error: error as Error }));
    };
    setImmediate(tick).unref?.();
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
  }

  /** One pass now (or the one already running). */
  runPass(): Promise<WatchPassResult> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        const result = await runSyncErrorPass(this.deps, this.stopping.signal);
        if (result.status === 'skipped') {
          this.state = result.reason;
          this.warnOnce();
        } else {
          this.state = 'watching';
          this.lastPass = { ...result, finishedAt: new Date().toISOString() };
          this.deps.log.info('watch.pass', { ...result });
        }
        return result;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async status(): Promise<WatchStatus> {
    if (this.options.enabled && !this.running) await this.refreshState();
    return { enabled: this.options.enabled, state: this.state, detail: DETAILS[this.state], intervalMs: this.options.intervalMs, ...(this.lastPass ? { lastPass: this.lastPass } : {}) };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }

  private async refreshState(): Promise<void> {
    const channelId = this.deps.approvals.channelId;
    if (!channelId) this.state = 'no-channel';
    else this.state = (await this.deps.isChannelInstalled(channelId)) ? 'watching' : 'not-installed';
  }

  private warnOnce(): void {
    if (this.warned || (this.state !== 'no-channel' && this.state !== 'not-installed')) return;
    this.warned = true;
    const event = `watch.${this.state.replace('-', '_')}`;
    if (this.options.sandbox && this.state === 'not-installed') this.deps.log.info(event, { message: `${DETAILS[this.state]} (in the Agents Playground: open the team's channel)` });
    else this.deps.log.warn(event, { message: DETAILS[this.state] });
  }
}

const DETAILS: Record<WatchStatus['state'], string> = {
  off: 'WATCH_SYNC_ERRORS is not true',
  'no-channel': 'WATCH_SYNC_ERRORS=true but APPROVAL_CHANNEL_ID is not set: there is no channel to post sync errors in, so the watch does not scan',
  'not-installed': 'the bot is not installed in the team of APPROVAL_CHANNEL_ID: add it to that team; the watch does not scan until then',
  watching: 'scanning users for sync errors',
};
