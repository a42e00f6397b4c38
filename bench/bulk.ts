/**
 * `npm run bench -- --bulk`: bulk clears against the sandbox's identity write limit. Users are
 * generated in groups of at most 1,000 (one bulk request's limit); each group is one bulk request
 * (`clear immutable id for members of <group>`) in its own approver's chat, every preview is
 * approved at once, and the jobs run side by side in the bot, sharing its write pacer. Throughput
 * is the accepted writes per second as a share of the limit's rate; the outcome of every user is
 * counted from the bot's own summaries and checked against the directory.
 */
import { performance } from 'node:perf_hooks';
import type { RecordedRequest, RunningSandbox } from '../src/sandbox';
import { GRAPH_IDENTITY_WRITE_LIMIT, type WriteLimit } from '../src/sandbox/write-limit';
import { Verbs } from '../src/cards/verbs';
import type { BotProcess } from './bot-process';
import { conversationOf, say, tapCard, type Target } from './load';

/** The most users one bulk request takes (the bot refuses bigger groups). */
export const USERS_PER_JOB = 1000;

export interface BulkResult {
  users: number;
  jobs: number;
  /** The limit the sandbox enforced, and whether it is Graph's own or scaled to the same rate. */
  limit: WriteLimit & { scaledFrom?: WriteLimit };
  /** Approval taps to the last job's "has finished". */
  seconds: number;
  /** First to last accepted write (the pacing alone). */
  writeSeconds: number;
  acceptedWrites: number;
  /** Writes the sandbox answered 429. */
  throttled: number;
  /** acceptedWrites ÷ seconds ÷ (limit writes ÷ limit seconds). */
  shareOfLimit: number;
  /** The same over the write phase only. */
  shareOfLimitWhileWriting: number;
  /** Summed from the bot's "has finished: N changed, N failed…" lines. */
  outcomes: { changed: number; failed: number; changedByOthers: number; excluded: number };
  /** Users whose immutable id is still set afterwards, and users written more than once. */
  notCleared: number;
  writtenTwice: number;
  previewSeconds: number;
  cpuMsPerUser: number;
  rssMb: { end: number; peak: number };
}

/** Graph's limit at the same rate over a shorter window (a 150 s window lets a first burst through). */
export function scaledLimit(windowSeconds: number): BulkResult['limit'] {
  const base = GRAPH_IDENTITY_WRITE_LIMIT;
  if (windowSeconds === base.perSeconds) return { ...base };
  return { writes: Math.max(1, Math.round((base.writes * windowSeconds) / base.perSeconds)), perSeconds: windowSeconds, scaledFrom: { ...base } };
}

const FINISHED = /has finished: (\d+) changed, (\d+) failed(?:, (\d+) changed by others meanwhile)?, (\d+) could not be changed/;

const isWrite = (r: RecordedRequest): boolean => r.method === 'PATCH' && /\/users\/[^/]+$/.test(r.path);

export async function runBulk(
  options: { users: number; windowSeconds: number; log: (line: string) => void },
  bot: BotProcess,
  target: Target,
  sandbox: RunningSandbox,
): Promise<BulkResult> {
  const limit = scaledLimit(options.windowSeconds);
  sandbox.setWriteLimit({ writes: limit.writes, perSeconds: limit.perSeconds });
  const jobs = Math.ceil(options.users / USERS_PER_JOB);
  const groups: string[] = [];
  const userIds: string[] = [];
  for (let j = 0; j < jobs; j++) {
    const size = Math.min(USERS_PER_JOB, options.users - j * USERS_PER_JOB);
    const name = `Bench bulk ${j + 1}`;
    userIds.push(...sandbox.addGeneratedUsers('bulk', size, name).users.map((u) => u.id));
    groups.push(name);
  }
  options.log(
    `bulk: ${options.users} users in ${jobs} groups; write limit ${limit.writes} writes per ${limit.perSeconds} s` +
      (limit.scaledFrom ? ` (Graph's ${limit.scaledFrom.writes} per ${limit.scaledFrom.perSeconds} s scaled to the same rate, ${(limit.writes / limit.perSeconds).toFixed(1)} writes/s; --bulk-window 150 for Graph's own window)` : ' (Graph\'s own)') +
      '\n',
  );

  // Previews (reads only), all requests at once.
  const p0 = performance.now();
  const jobIds = await Promise.all(
    groups.map(async (group, j) => {
      await say(target, j, `clear immutable id for members of ${group}`);
      const jobId = target.connector.lastRequestId(conversationOf(target, j), Verbs.bulkApprove);
      if (!jobId) throw new Error(`no bulk preview with Approve for ${group}; the bot said: ${target.connector.lastMessage(conversationOf(target, j)) ?? 'nothing'}`);
      return jobId;
    }),
  );
  const previewSeconds = (performance.now() - p0) / 1000;
  options.log(`bulk: ${jobs} previews in ${previewSeconds.toFixed(0)} s; approving all\n`);

  sandbox.clearRequests();
  const before = await bot.stats();
  const t0 = performance.now();
  await Promise.all(jobIds.map((jobId, j) => tapCard(target, j, Verbs.bulkApprove, jobId)));
  const finished = new Map<number, RegExpExecArray>();
  let lastReport = performance.now();
  while (finished.size < jobs) {
    for (let j = 0; j < jobs; j++) {
      if (finished.has(j)) continue;
      const line = target.connector.texts(conversationOf(target, j)).map((t) => FINISHED.exec(t)).find(Boolean);
      if (line) finished.set(j, line);
    }
    if (performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      const written = sandbox.requests().filter((r) => isWrite(r) && r.status >= 200 && r.status < 300).length;
      options.log(`  ${written} users written, ${finished.size}/${jobs} jobs finished, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = await bot.stats();

  const writes = sandbox.requests().filter(isWrite);
  const accepted = writes.filter((r) => r.status >= 200 && r.status < 300);
  const perUser = new Map<string, number>();
  for (const w of accepted) perUser.set(w.path, (perUser.get(w.path) ?? 0) + 1);
  const times = accepted.map((w) => Date.parse(w.at));
  const writeSeconds = times.length > 1 ? (Math.max(...times) - Math.min(...times)) / 1000 : 0;
  const rate = limit.writes / limit.perSeconds;
  const sum = (k: number): number => [...finished.values()].reduce((n, m) => n + Number(m[k] ?? 0), 0);
  return {
    users: options.users,
    jobs,
    limit,
    seconds,
    writeSeconds,
    acceptedWrites: accepted.length,
    throttled: writes.filter((r) => r.status === 429).length,
    shareOfLimit: accepted.length / seconds / rate,
    // n writes spaced evenly span n − 1 gaps.
    shareOfLimitWhileWriting: writeSeconds > 0 ? (accepted.length - 1) / writeSeconds / rate : NaN,
    outcomes: { changed: sum(1), failed: sum(2), changedByOthers: sum(3), excluded: sum(4) },
    notCleared: userIds.filter((id) => sandbox.getUser(id)?.onPremisesImmutableId !== null).length,
    writtenTwice: [...perUser.values()].filter((n) => n > 1).length,
    previewSeconds,
    cpuMsPerUser: (after.cpuMicros - before.cpuMicros) / 1000 / options.users,
    rssMb: { end: after.rssBytes / (1024 * 1024), peak: after.maxRssBytes / (1024 * 1024) },
  };
}
