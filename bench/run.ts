/**
 * `npm run bench`: the bot against its two floors (a bare echo bot and a job-floor bot), each in
 * its own process, same load, interleaved round by round, against the sandbox directory and a
 * counting Bot connector on loopback. Writes bench/results.json and bench/results.md.
 *
 *   npm run bench                      50 conversations × 20 turns (lookup, then request → approve)
 *   npm run bench -- --conversations 20 --turns 10 --warmup 3 --startups 3
 *   npm run bench -- --long            10,000 request → approve flows after 1,000 to warm up, RSS sampled (--flows N, --long-warmup N)
 *   npm run bench -- --bulk            10,000 users cleared by bulk jobs against the write limit (--bulk-users N,
 *                                      --bulk-window S: the limit's window, scaled at Graph's rate; default 15)
 *   npm run bench -- --cpu-prof        also writes a V8 CPU profile of the bot to bench/profiles/
 *   npm run bench -- --lookup-only     skips the request → approve flows (e.g. to profile lookups)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startSandbox, type RunningSandbox, type RecordedRequest } from '../src/sandbox';
import { BotKind, BotProcess, startBotProcess } from './bot-process';
import type { ProbeStats } from './probe';
import { startBenchConnector, type BenchConnector } from './connector';
import { approve, benchSeed, flowTarget, personFor, requestClear, say, targetUpn, TARGETS_PER_PERSON, type ApprovalTiming, type PendingRequest, type Target } from './load';
import { runBulk, type BulkResult } from './bulk';
import {
  bulkTable,
  flowTable,
  goalsTable,
  longTable,
  lookupGoals,
  lookupTable,
  summarize,
  type FlowResult,
  type LongResult,
  type LongSample,
  type LookupResult,
} from './report';

const KINDS: BotKind[] = ['echo', 'job-floor', 'bot'];
const MB = 1024 * 1024;
const BENCH_DIR = path.resolve(__dirname, '..', '..', 'bench');

interface Options {
  conversations: number;
  turns: number;
  warmup: number;
  startups: number;
  long: boolean;
  flows: number;
  longWarmup: number;
  bulk: boolean;
  bulkUsers: number;
  bulkWindow: number;
  cpuProf: boolean;
  lookupOnly: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      conversations: { type: 'string', default: '50' },
      turns: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '3' },
      startups: { type: 'string', default: '3' },
      long: { type: 'boolean', default: false },
      flows: { type: 'string', default: '10000' },
      'long-warmup': { type: 'string', default: '1000' },
      bulk: { type: 'boolean', default: false },
      'bulk-users': { type: 'string', default: '10000' },
      'bulk-window': { type: 'string', default: '15' },
      'cpu-prof': { type: 'boolean', default: false },
      'lookup-only': { type: 'boolean', default: false },
    },
  });
  const count = (name: string, value: string | undefined, min: number, max: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max} (got ${value})`);
    return n;
  };
  return {
    conversations: count('conversations', values.conversations, 1, 1000),
    turns: count('turns', values.turns, 1, 10_000),
    warmup: count('warmup', values.warmup, 0, 100),
    startups: count('startups', values.startups, 1, 20),
    long: values.long ?? false,
    flows: count('flows', values.flows, 1, 1_000_000),
    longWarmup: count('long-warmup', values['long-warmup'], 0, 1_000_000),
    bulk: values.bulk ?? false,
    bulkUsers: count('bulk-users', values['bulk-users'], 1, 50_000),
    bulkWindow: count('bulk-window', values['bulk-window'], 1, 150),
    cpuProf: values['cpu-prof'] ?? false,
    lookupOnly: values['lookup-only'] ?? false,
  };
}

/** Graph round trips on the wire (a $batch is one; token requests are not Graph calls). */
function graphRoundTrips(requests: RecordedRequest[]): RecordedRequest[] {
  return requests.filter((r) => !r.viaBatch && /^\/(v1\.0|beta)\//.test(r.path));
}

/** "PATCH /users/{id}"-style names of calls, with ids and UPNs folded. */
function callName(r: RecordedRequest): string {
  const p = r.path.replace(/^\/(v1\.0|beta)/, '').replace(/\/users\/[^/]+/, '/users/{id}');
  return `${r.method} ${p}`;
}

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

async function runAll<T>(count: number, work: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => work(i)));
}

interface Accumulator {
  cpuMicros: number;
  latencies: number[];
  wallMs: number;
  graph: number;
  connector: number;
  turns: number;
}

const newAccumulator = (): Accumulator => ({ cpuMicros: 0, latencies: [], wallMs: 0, graph: 0, connector: 0, turns: 0 });

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  process.stdout.write(`bench: ${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, load ${machine.loadAverageAtStart.join(' ')}\n`);

  const n = options.conversations;
  const sandbox = await startSandbox({ seed: benchSeed(n * TARGETS_PER_PERSON) });
  const connector = await startBenchConnector();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'iid-bench-'));
  const graphEnv = {
    AZURE_TENANT_ID: sandbox.tenantId,
    AZURE_CLIENT_ID: sandbox.clientId,
    AZURE_CLIENT_SECRET: sandbox.clientSecret,
    AZURE_AUTHORITY_HOST: sandbox.url,
    GRAPH_ENDPOINT: sandbox.url,
  };
  const envFor = (kind: BotKind): Record<string, string> =>
    kind === 'bot'
      ? {
          ...graphEnv,
          // Every bench person is an approver asking in a personal chat, as on a small helpdesk.
          APPROVER_IDS: Array.from({ length: n }, (_, i) => personFor(i).aadObjectId).join(','),
          DATA_DIR: dataDir,
          // The flood limit would refuse the load itself; the floors have none either.
          RATE_LIMIT_PER_MINUTE: '10000',
          SANDBOX_MODE: 'true',
          LOG_LEVEL: 'info',
        }
      : graphEnv;
  const profileDir = path.join(BENCH_DIR, 'profiles');
  const flagsFor = (kind: BotKind): string[] => [
    ...(options.cpuProf && kind === 'bot' ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ...(process.env.BENCH_DIAGNOSE && kind === 'bot' ? ['--expose-gc'] : []),
  ];
  if (options.cpuProf || process.env.BENCH_DIAGNOSE) mkdirSync(profileDir, { recursive: true });

  const bots = {} as Record<BotKind, BotProcess>;
  const started: BotProcess[] = [];
  try {
    const kinds = options.long || options.bulk ? (['bot'] as BotKind[]) : KINDS;
    // Start-up to listening: cold starts, interleaved; each kind keeps its last process.
    const startups = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<BotKind, number[]>;
    for (let s = 0; s < options.startups; s++) {
      for (const kind of rotate(kinds, s)) {
        const bot = await startBotProcess(kind, envFor(kind), flagsFor(kind));
        startups[kind].push(bot.startupMs);
        if (s < options.startups - 1) await bot.stop();
        else {
          bots[kind] = bot;
          started.push(bot);
        }
      }
    }
    const rssStart = {} as Record<BotKind, number>;
    for (const kind of kinds) rssStart[kind] = (await bots[kind].stats()).rssBytes / MB;
    const targetOf = (kind: BotKind, phase: string): Target => ({ botUrl: bots[kind].url, connector, tenantId: sandbox.tenantId, prefix: `${kind}-${phase}` });
    const results = readResults();

    if (options.bulk) {
      results.bulk = await runBulk({ users: options.bulkUsers, windowSeconds: options.bulkWindow, log: (line) => process.stdout.write(line) }, bots.bot, targetOf('bot', 'bulk'), sandbox);
      results.bulkMachine = machine;
      process.stdout.write(`\n${bulkTable(results.bulk)}\n`);
    } else if (options.long) {
      results.long = await runLong(options, bots.bot, targetOf('bot', 'long'), sandbox);
      results.longMachine = machine;
      process.stdout.write(`\n${longTable(results.long)}\n`);
    } else {
      const lookup = Object.fromEntries(KINDS.map((k) => [k, newAccumulator()])) as Record<BotKind, Accumulator>;
      const lookupRound = async (kind: BotKind, acc?: Accumulator): Promise<void> => {
        const target = targetOf(kind, 'lookup');
        const before = await bots[kind].stats();
        const calls = connector.counts.calls;
        sandbox.clearRequests();
        const t0 = performance.now();
        const latencies = await runAll(n, (i) => say(target, i, `show ${targetUpn(i)}`));
        const wall = performance.now() - t0;
        const after = await bots[kind].stats();
        if (!acc) return;
        acc.cpuMicros += after.cpuMicros - before.cpuMicros;
        acc.latencies.push(...latencies);
        acc.wallMs += wall;
        acc.graph += graphRoundTrips(sandbox.requests()).length;
        acc.connector += connector.counts.calls - calls;
        acc.turns += n;
      };
      // Warm-up (JIT, token cache, connections), every bot; the flows warm up after the lookups.
      for (let w = 0; w < options.warmup; w++) for (const kind of rotate(KINDS, w)) await lookupRound(kind);
      process.stdout.write(`warmed up; ${options.turns} rounds of ${n} concurrent turns per bot\n`);
      for (let r = 0; r < options.turns; r++) {
        for (const kind of rotate(KINDS, r)) await lookupRound(kind, lookup[kind]);
        if ((r + 1) % 5 === 0) process.stdout.write(`  lookup round ${r + 1}/${options.turns}\n`);
      }
      // Memory of the lookup phase, before the flows add their own.
      const afterLookup = {} as Record<BotKind, ProbeStats>;
      for (const kind of KINDS) afterLookup[kind] = await bots[kind].stats();
      if (process.env.BENCH_DEBUG) process.stdout.write(`${JSON.stringify(afterLookup)}\n`);
      const flowTurns = options.lookupOnly ? 0 : options.turns;
      let flowRounds = 0;
      for (let w = 0; w < Math.min(options.warmup, flowTurns); w++) await flowRound(bots.bot, targetOf('bot', 'flow'), sandbox, connector, n, flowRounds++);
      const flowAcc = { ...newAccumulator(), timings: [] as Array<{ requestMs: number } & ApprovalTiming>, requestGraph: 0, calls: {} as Record<string, number> };
      for (let r = 0; r < flowTurns; r++) {
        const round = await flowRound(bots.bot, targetOf('bot', 'flow'), sandbox, connector, n, flowRounds++);
        flowAcc.cpuMicros += round.cpuMicros;
        flowAcc.timings.push(...round.timings);
        flowAcc.wallMs += round.wallMs;
        flowAcc.connector += round.connector;
        flowAcc.requestGraph += round.requestGraph.length;
        flowAcc.graph += round.approvalGraph.length;
        for (const call of round.approvalGraph) flowAcc.calls[callName(call)] = (flowAcc.calls[callName(call)] ?? 0) + 1;
        flowAcc.turns += n;
      }
      const lookupResults = {} as Record<BotKind, LookupResult>;
      for (const kind of KINDS) {
        const acc = lookup[kind];
        const end = afterLookup[kind];
        lookupResults[kind] = {
          turns: acc.turns,
          cpuMsPerTurn: acc.cpuMicros / 1000 / acc.turns,
          latencyMs: summarize(acc.latencies),
          turnsPerSecond: acc.turns / (acc.wallMs / 1000),
          graphRoundTripsPerTurn: acc.graph / acc.turns,
          connectorCallsPerTurn: acc.connector / acc.turns,
          rssMb: { start: rssStart[kind], end: end.rssBytes / MB, peak: end.maxRssBytes / MB },
          startupMs: median(startups[kind]),
        };
      }
      const flowEnd = await bots.bot.stats();
      const flow: FlowResult = {
        flows: flowAcc.turns,
        cpuMsPerFlow: flowAcc.cpuMicros / 1000 / flowAcc.turns,
        requestMs: summarize(flowAcc.timings.map((t) => t.requestMs)),
        approveMs: summarize(flowAcc.timings.map((t) => t.approveMs)),
        outcomeMs: summarize(flowAcc.timings.map((t) => t.outcomeMs)),
        flowsPerSecond: flowAcc.turns / (flowAcc.wallMs / 1000),
        graphRoundTripsPerRequest: flowAcc.requestGraph / flowAcc.turns,
        graphRoundTripsPerApproval: flowAcc.graph / flowAcc.turns,
        approvalCalls: Object.fromEntries(Object.entries(flowAcc.calls).map(([k, v]) => [k, v / flowAcc.turns])),
        connectorCallsPerFlow: flowAcc.connector / flowAcc.turns,
        rssMbAfter: { end: flowEnd.rssBytes / MB, peak: flowEnd.maxRssBytes / MB },
      };
      const goals = lookupGoals(lookupResults);
      Object.assign(results, {
        machine: { ...machine, loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
        options: { conversations: n, turns: options.turns, warmup: options.warmup, startups: options.startups },
        startupsMs: startups,
        lookup: lookupResults,
        flow,
        goals,
      });
      const markdown = [
        `${n} concurrent conversations × ${options.turns} turns per bot, interleaved round by round after ${options.warmup} warm-up rounds; ` +
          `${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, load average ${machine.loadAverageAtStart.join(' ')} at start.`,
        '',
        lookupTable(lookupResults),
        '',
        ...(flow.flows > 0 ? [flowTable(flow, lookupResults['job-floor'].cpuMsPerTurn), ''] : []),
        goalsTable(goals),
      ].join('\n');
      writeFileSync(path.join(BENCH_DIR, 'results.md'), `${markdown}\n`);
      process.stdout.write(`\n${markdown}\n`);
    }
    writeFileSync(path.join(BENCH_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\nwrote bench/results.json and bench/results.md\n`);
  } finally {
    for (const bot of started) await bot.stop();
    await connector.close();
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * One round of request → approve → outcome in every conversation: first every request
 * (concurrently), then every approval, so each phase's Graph calls can be counted on its own.
 */
async function flowRound(bot: BotProcess, target: Target, sandbox: RunningSandbox, connector: BenchConnector, n: number, round: number) {
  const before = await bot.stats();
  const calls = connector.counts.calls;
  sandbox.clearRequests();
  const t0 = performance.now();
  const pending = await runAll(n, (i) => requestClear(target, sandbox, i, flowTarget(i, round, n)));
  const requestGraph = graphRoundTrips(sandbox.requests());
  sandbox.clearRequests();
  const approvals = await runAll(n, (i) => approve(target, sandbox, pending[i] as PendingRequest));
  const wallMs = performance.now() - t0;
  const after = await bot.stats();
  return {
    cpuMicros: after.cpuMicros - before.cpuMicros,
    timings: pending.map((p, i) => ({ requestMs: p.requestMs, ...(approvals[i] as ApprovalTiming) })),
    wallMs,
    connector: connector.counts.calls - calls,
    requestGraph,
    approvalGraph: graphRoundTrips(sandbox.requests()),
  };
}

/** The long mode: options.flows request → approve flows over n conversations, RSS sampled as it goes. */
async function runLong(options: Options, bot: BotProcess, target: Target, sandbox: RunningSandbox): Promise<LongResult> {
  // BENCH_DIAGNOSE=1 (with --expose-gc on the bot): samples after a full GC, heap snapshots at the second and last sample.
  const diagnose = Boolean(process.env.BENCH_DIAGNOSE);
  const n = Math.min(options.conversations, options.flows);
  const flowsOf = new Array<number>(n).fill(0);
  const flow = async (i: number): Promise<void> => {
    const k = flowsOf[i] ?? 0;
    flowsOf[i] = k + 1;
    await approve(target, sandbox, await requestClear(target, sandbox, i, flowTarget(i, k, n)));
  };
  // Warm-up: V8 sizes its heap for the load in the first minute; growth is measured from there on.
  let warmed = 0;
  await runAll(n, async (i) => {
    while (warmed < options.longWarmup) {
      warmed++;
      await flow(i);
    }
  });
  process.stdout.write(`warmed up with ${warmed} flows\n`);
  const first = await bot.stats();
  const samples: LongSample[] = [{ flows: 0, rssMb: first.rssBytes / MB, heapMb: first.heapUsedBytes / MB, flowsPerSecond: NaN, cpuMsPerFlow: NaN }];
  const every = Math.max(n, Math.round(options.flows / 20));
  let next = 0;
  let done = 0;
  let nextSample = every;
  const t0 = performance.now();
  // Per-interval throughput and CPU: a per-flow cost that grows with the stored requests shows here.
  let last = { at: t0, flows: 0, cpuMicros: first.cpuMicros };
  const sample = async (): Promise<void> => {
    sandbox.clearRequests();
    const s = await bot.stats(diagnose ? { gc: true, ...(done + every > options.flows || samples.length === 2 ? { snapshot: path.join(BENCH_DIR, 'profiles', `heap-${done}.heapsnapshot`) } : {}) } : {});
    const now = performance.now();
    const flows = done - last.flows;
    const point: LongSample = {
      flows: done,
      rssMb: s.rssBytes / MB,
      heapMb: s.heapUsedBytes / MB,
      flowsPerSecond: flows / ((now - last.at) / 1000),
      cpuMsPerFlow: (s.cpuMicros - last.cpuMicros) / 1000 / flows,
    };
    last = { at: now, flows: done, cpuMicros: s.cpuMicros };
    samples.push(point);
    process.stdout.write(
      `  ${done} flows, RSS ${point.rssMb.toFixed(0)} MB, heap ${point.heapMb.toFixed(0)} MB, external ${(s.externalBytes / MB).toFixed(0)} MB, ` +
        `${point.flowsPerSecond.toFixed(1)} flows/s, CPU ${point.cpuMsPerFlow.toFixed(1)} ms per flow\n`,
    );
  };
  await runAll(n, async (i) => {
    while (next < options.flows) {
      next++;
      await flow(i);
      done++;
      if (done >= nextSample) {
        nextSample += every;
        await sample();
      }
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  if (samples[samples.length - 1]?.flows !== done) await sample();
  const end = await bot.stats();
  const start = first.rssBytes / MB;
  return {
    flows: done,
    seconds,
    samples,
    rssMb: { start, end: end.rssBytes / MB, peak: end.maxRssBytes / MB, growth: end.rssBytes / MB - start },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function readResults(): Record<string, unknown> & { long?: LongResult; longMachine?: unknown; bulk?: BulkResult; bulkMachine?: unknown } {
  const file = path.join(BENCH_DIR, 'results.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
