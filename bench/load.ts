/**
 * The load: Teams-shaped activities from N people in N personal chats, posted to a bot over
 * loopback HTTP like Teams posts them, and the two operations the benchmark times.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { defaultSeed, type RunningSandbox, type SeedData } from '../src/sandbox';
import { Verbs } from '../src/cards/verbs';
import type { BenchConnector } from './connector';

export const BOT_ACCOUNT = { id: '28:immutable-id-bot', name: 'Immutable ID Helper' };

export interface Person {
  id: string;
  aadObjectId: string;
  name: string;
}

/** The i-th benchmark person: an approver who asks in their own personal chat. */
export function personFor(i: number): Person {
  return { id: `bench-person-${i}`, aadObjectId: `be0c0000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `Bench Person ${i}` };
}

/** The i-th target user in the sandbox: a copy of alice (cloud-only now, stale immutable id: clearable). */
export function targetUpn(i: number): string {
  return `bench${i}@contoso.com`;
}

/** The immutable id target user i is seeded with (and given back before each request for it). */
export function seededImmutableId(i: number): string {
  return Buffer.from(targetId(i).replace(/-/g, ''), 'hex').toString('base64');
}

function targetId(i: number): string {
  return `be0c1000-0000-4000-8000-${String(i).padStart(12, '0')}`;
}

/**
 * Flows rotate over this many targets per person, and a target's immutable id is given back just
 * before it is asked for again: a change still finishing in the background (a slow tap answers
 * "Working…", a lease takeover settles later) never meets the next request for the same user.
 */
export const TARGETS_PER_PERSON = 4;

/** The target of person i's k-th flow among n people. */
export function flowTarget(i: number, k: number, n: number): number {
  return i + n * (k % TARGETS_PER_PERSON);
}

/** The default seed plus `count` clearable users, each with its own immutable id. */
export function benchSeed(count: number): SeedData {
  const seed = defaultSeed();
  const alice = seed.users.find((u) => u.userPrincipalName === 'alice@contoso.com');
  if (!alice) throw new Error('the sandbox seed has no alice@contoso.com to copy');
  for (let i = 0; i < count; i++) {
    const upn = targetUpn(i);
    const id = targetId(i);
    seed.users.push({
      ...structuredClone(alice),
      id,
      displayName: `Bench User ${i}`,
      userPrincipalName: upn,
      mail: upn,
      mailNickname: `bench${i}`,
      proxyAddresses: [`SMTP:${upn}`],
      onPremisesImmutableId: seededImmutableId(i),
      onPremisesUserPrincipalName: upn,
      onPremisesSamAccountName: `bench${i}`,
    });
  }
  return seed;
}

export interface Target {
  botUrl: string;
  connector: BenchConnector;
  tenantId: string;
  /** Distinguishes conversations of different bots (and runs) on the shared connector. */
  prefix: string;
}

function conversationId(target: Target, i: number): string {
  return `a:${target.prefix}-${i}`;
}

function baseActivity(target: Target, i: number): Record<string, unknown> {
  const from = personFor(i);
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: target.connector.url,
    timestamp: new Date().toISOString(),
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: BOT_ACCOUNT,
    conversation: { id: conversationId(target, i), tenantId: target.tenantId, conversationType: 'personal' },
    channelData: { tenant: { id: target.tenantId } },
    locale: 'en-US',
  };
}

async function post(botUrl: string, activity: Record<string, unknown>): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

/** Person i says `text` in their chat; resolves with the turn's latency (the bot answers the POST when its turn ends). */
export async function say(target: Target, i: number, text: string): Promise<number> {
  const result = await post(target.botUrl, { ...baseActivity(target, i), type: 'message', text, textFormat: 'plain' });
  if (result.status !== 200) throw new Error(`message answered ${result.status}: ${result.text.slice(0, 300)}`);
  return result.ms;
}

export interface PendingRequest {
  i: number;
  requestId: string;
  requestMs: number;
}

/** The last answer to each conversation's approval tap (to explain a failed flow). */
const lastTaps = new Map<string, string>();

/** Person i asks to clear target user t (their own by default); resolves with the request id on the Confirm card. */
export async function requestClear(target: Target, sandbox: RunningSandbox, i: number, t = i): Promise<PendingRequest> {
  const upn = targetUpn(t);
  const user = sandbox.getUser(upn);
  if (!user) throw new Error(`the sandbox has no ${upn}`);
  user.onPremisesImmutableId = seededImmutableId(t);
  const conversation = conversationId(target, i);
  target.connector.forget(conversation);
  const requestMs = await say(target, i, `clear immutable id for ${upn}`);
  const requestId = target.connector.lastRequestId(conversation);
  if (!requestId) {
    throw new Error(
      `no Confirm card for ${upn}; the bot said: ${target.connector.lastMessage(conversation) ?? 'nothing'}; this chat's last approval was answered: ${lastTaps.get(conversation) ?? 'none'}`,
    );
  }
  return { i, requestId, requestMs };
}

/** Person i taps a card button (Action.Execute) with this verb and request (or job) id; resolves with the invoke's answer. */
export async function tapCard(target: Target, i: number, verb: string, requestId: string): Promise<{ text: string; ms: number }> {
  const tap = await post(target.botUrl, {
    ...baseActivity(target, i),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: `card-of-${requestId}`,
    value: { action: { type: 'Action.Execute', verb, data: { requestId } }, trigger: 'manual' },
  });
  if (tap.status !== 200) throw new Error(`tap answered ${tap.status}: ${tap.text.slice(0, 300)}`);
  return tap;
}

export function conversationOf(target: Target, i: number): string {
  return conversationId(target, i);
}

export interface ApprovalTiming {
  /** Time the approver waits for the tap's answer. */
  approveMs: number;
  /** Tap to outcome card (equals approveMs unless the tap answered "Working…" first). */
  outcomeMs: number;
}

/**
 * The same person (an approver) taps Confirm and waits for the outcome; then the target's
 * immutable id is put back so the next flow can clear it again.
 */
export async function approve(target: Target, sandbox: RunningSandbox, pending: PendingRequest): Promise<ApprovalTiming> {
  const { i, requestId } = pending;
  const conversation = conversationId(target, i);
  const tap = await tapCard(target, i, Verbs.approve, requestId);
  lastTaps.set(conversation, tap.text.slice(0, 600));
  const started = performance.now() - tap.ms;
  // Over the card deadline the tap answers "Working…" and the outcome replaces the card later.
  // An answer that is not "Working…" is the outcome, cleared or not (e.g. a Graph timeout under load).
  const working = tap.text.includes('Working on it');
  const deadline = Date.now() + 120_000;
  while (working && target.connector.updates(conversation) === 0) {
    if (Date.now() > deadline) throw new Error(`no outcome for request ${requestId} within 120 s: ${tap.text.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const outcomeMs = performance.now() - started;
  return { approveMs: tap.ms, outcomeMs };
}
