/** Percentiles, ratios and the markdown tables of the benchmark (pure functions). */
import type { BotKind } from './bot-process';
import type { BulkResult } from './bulk';

/** Nearest-rank percentile of unsorted values; NaN when there are none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
}

export function summarize(values: number[]): LatencySummary {
  return { p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99) };
}

export interface LookupResult {
  turns: number;
  cpuMsPerTurn: number;
  latencyMs: LatencySummary;
  turnsPerSecond: number;
  graphRoundTripsPerTurn: number;
  connectorCallsPerTurn: number;
  rssMb: { start: number; end: number; peak: number };
  startupMs: number;
}

export interface FlowResult {
  flows: number;
  cpuMsPerFlow: number;
  requestMs: LatencySummary;
  approveMs: LatencySummary;
  outcomeMs: LatencySummary;
  flowsPerSecond: number;
  graphRoundTripsPerRequest: number;
  graphRoundTripsPerApproval: number;
  /** What the approval's round trips were, e.g. { 'GET /users/{id}': 2, 'PATCH /users/{id}': 1 }. */
  approvalCalls: Record<string, number>;
  connectorCallsPerFlow: number;
  /** The bot's RSS after the flows (they follow the lookups in the same process). */
  rssMbAfter: { end: number; peak: number };
}

export interface LongSample {
  flows: number;
  rssMb: number;
  heapMb: number;
  /** Since the previous sample. */
  flowsPerSecond: number;
  cpuMsPerFlow: number;
}

export interface LongResult {
  flows: number;
  seconds: number;
  samples: LongSample[];
  rssMb: { start: number; end: number; peak: number; growth: number };
}

export interface Goal {
  what: string;
  value: number;
  limit: number;
  met: boolean;
}

const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const ms = (n: number): string => fmt(n, n < 10 ? 2 : 1);

/** The goals of issue 10 that the lookup run measures. */
export function lookupGoals(results: Record<BotKind, LookupResult>): Goal[] {
  const bot = results.bot;
  const floor = results['job-floor'];
  const echo = results.echo;
  const goal = (what: string, value: number, limit: number): Goal => ({ what, value, limit, met: value <= limit });
  return [
    goal('Graph round trips per lookup', bot.graphRoundTripsPerTurn, 1),
    goal('CPU per turn ÷ job floor', bot.cpuMsPerTurn / floor.cpuMsPerTurn, 1.05),
    goal('p50 ÷ job floor', bot.latencyMs.p50 / floor.latencyMs.p50, 1.1),
    goal('p99 ÷ job floor', bot.latencyMs.p99 / floor.latencyMs.p99, 1.1),
    goal('peak RSS ÷ echo bot', bot.rssMb.peak / echo.rssMb.peak, 1.2),
    goal('start-up ÷ echo bot', bot.startupMs / echo.startupMs, 1.3),
  ];
}

export function lookupTable(results: Record<BotKind, LookupResult>): string {
  const kinds: BotKind[] = ['echo', 'job-floor', 'bot'];
  const row = (label: string, cell: (r: LookupResult) => string, ratio?: (b: LookupResult, f: LookupResult, e: LookupResult) => string): string =>
    `| ${label} | ${kinds.map((k) => cell(results[k])).join(' | ')} | ${ratio ? ratio(results.bot, results['job-floor'], results.echo) : ''} |`;
  const r = (a: number, b: number): string => `${fmt(a / b)}×`;
  return [
    '| lookup (`show <upn>`) | echo bot | job floor | this bot | ratio |',
    '| --- | --- | --- | --- | --- |',
    row('CPU per turn (ms)', (x) => ms(x.cpuMsPerTurn), (b, f) => `${r(b.cpuMsPerTurn, f.cpuMsPerTurn)} job floor`),
    row('p50 per turn (ms)', (x) => ms(x.latencyMs.p50), (b, f) => `${r(b.latencyMs.p50, f.latencyMs.p50)} job floor`),
    row('p95 per turn (ms)', (x) => ms(x.latencyMs.p95), (b, f) => `${r(b.latencyMs.p95, f.latencyMs.p95)} job floor`),
    row('p99 per turn (ms)', (x) => ms(x.latencyMs.p99), (b, f) => `${r(b.latencyMs.p99, f.latencyMs.p99)} job floor`),
    row('turns per second', (x) => fmt(x.turnsPerSecond, 0), (b, f) => `${r(b.turnsPerSecond, f.turnsPerSecond)} job floor`),
    row('Graph round trips per turn', (x) => fmt(x.graphRoundTripsPerTurn)),
    row('connector calls per turn', (x) => fmt(x.connectorCallsPerTurn)),
    row('RSS start / end / peak (MB)', (x) => `${fmt(x.rssMb.start, 0)} / ${fmt(x.rssMb.end, 0)} / ${fmt(x.rssMb.peak, 0)}`, (b, _f, e) => `peak ${r(b.rssMb.peak, e.rssMb.peak)} echo`),
    row('start-up to listening (ms)', (x) => fmt(x.startupMs, 0), (b, _f, e) => `${r(b.startupMs, e.startupMs)} echo`),
  ].join('\n');
}

export function flowTable(flow: FlowResult, floorCpuMsPerTurn: number): string {
  const l = (s: LatencySummary): string => `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`;
  const calls = Object.entries(flow.approvalCalls)
    .map(([k, v]) => `${k} × ${fmt(v)}`)
    .join(', ');
  return [
    '| request → approve → outcome | this bot |',
    '| --- | --- |',
    `| flows | ${flow.flows} |`,
    `| CPU per flow (ms) | ${ms(flow.cpuMsPerFlow)} (${fmt(flow.cpuMsPerFlow / floorCpuMsPerTurn)}× a job-floor turn) |`,
    `| request turn p50 / p95 / p99 (ms) | ${l(flow.requestMs)} |`,
    `| approve tap p50 / p95 / p99 (ms) | ${l(flow.approveMs)} |`,
    `| tap to outcome p50 / p95 / p99 (ms) | ${l(flow.outcomeMs)} |`,
    `| flows per second | ${fmt(flow.flowsPerSecond, 1)} |`,
    `| Graph round trips per request | ${fmt(flow.graphRoundTripsPerRequest)} |`,
    `| Graph round trips per approval | ${fmt(flow.graphRoundTripsPerApproval)} (${calls}) |`,
    `| connector calls per flow | ${fmt(flow.connectorCallsPerFlow)} |`,
    `| RSS end / peak after the flows (MB) | ${fmt(flow.rssMbAfter.end, 0)} / ${fmt(flow.rssMbAfter.peak, 0)} |`,
  ].join('\n');
}

export function goalsTable(goals: Goal[]): string {
  return [
    '| goal | measured | limit | |',
    '| --- | --- | --- | --- |',
    ...goals.map((g) => `| ${g.what} | ${fmt(g.value)} | ≤ ${fmt(g.limit)} | ${g.met ? 'met' : '**missed**'} |`),
  ].join('\n');
}

export function longTable(long: LongResult): string {
  return [
    '| long run | this bot |',
    '| --- | --- |',
    `| request → approve flows | ${long.flows} in ${fmt(long.seconds, 0)} s |`,
    `| RSS start / end / peak (MB) | ${fmt(long.rssMb.start, 0)} / ${fmt(long.rssMb.end, 0)} / ${fmt(long.rssMb.peak, 0)} |`,
    `| RSS growth (MB) | ${fmt(long.rssMb.growth, 1)} (goal < 50: ${long.rssMb.growth < 50 ? 'met' : '**missed**'}) |`,
    `| RSS samples (flows: MB) | ${long.samples.map((x) => `${x.flows}: ${fmt(x.rssMb, 0)}`).join(', ')} |`,
    `| flows per second, per interval | ${long.samples.slice(1).map((x) => fmt(x.flowsPerSecond, 1)).join(', ')} |`,
    `| CPU per flow (ms), per interval | ${long.samples.slice(1).map((x) => fmt(x.cpuMsPerFlow, 1)).join(', ')} |`,
  ].join('\n');
}

export function bulkTable(bulk: BulkResult): string {
  const { limit, outcomes } = bulk;
  const limitText = `${limit.writes} writes per ${limit.perSeconds} s${limit.scaledFrom ? ` (Graph's ${limit.scaledFrom.writes} per ${limit.scaledFrom.perSeconds} s at the same rate)` : ''}`;
  const lost = bulk.users - outcomes.changed - outcomes.failed - outcomes.changedByOthers;
  return [
    '| bulk clear | this bot |',
    '| --- | --- |',
    `| users (jobs of ≤ 1,000, run side by side) | ${bulk.users} (${bulk.jobs}) |`,
    `| sandbox write limit | ${limitText} |`,
    `| approval to last job finished | ${fmt(bulk.seconds, 0)} s (previews before it: ${fmt(bulk.previewSeconds, 0)} s) |`,
    `| accepted writes | ${bulk.acceptedWrites} |`,
    `| throughput, share of the limit | ${fmt(bulk.shareOfLimit * 100, 1)} % (goal ≥ 90 %: ${bulk.shareOfLimit >= 0.9 ? 'met' : '**missed**'}); ${fmt(bulk.shareOfLimitWhileWriting * 100, 1)} % from the first write to the last |`,
    `| writes answered 429 | ${bulk.throttled} |`,
    `| outcomes | ${outcomes.changed} changed, ${outcomes.failed} failed, ${outcomes.changedByOthers} changed by others, ${outcomes.excluded} excluded, ${lost} unaccounted |`,
    `| directory afterwards | ${bulk.notCleared} not cleared, ${bulk.writtenTwice} written twice |`,
    `| CPU per user (ms) | ${ms(bulk.cpuMsPerUser)} |`,
    `| RSS end / peak (MB) | ${fmt(bulk.rssMb.end, 0)} / ${fmt(bulk.rssMb.peak, 0)} |`,
  ].join('\n');
}
