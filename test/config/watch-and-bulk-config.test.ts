/** WATCH_SYNC_ERRORS, WATCH_INTERVAL, BULK_MAX_WRITES_PER_MINUTE: defaults and what is refused. */
import { loadConfig } from '../../src/config';
import { base, configProblems } from './config-problems';

const problemsOf = (env: Record<string, string>): string => configProblems({ ...base, ...env }).join('\n');

describe('the sync-error watch settings', () => {
  it('is off by default and scans hourly when turned on', () => {
    expect(loadConfig(base).watch).toEqual({ enabled: false, intervalMs: 3_600_000 });
    expect(loadConfig({ ...base, WATCH_SYNC_ERRORS: 'true', WATCH_INTERVAL: '15m' }).watch).toEqual({ enabled: true, intervalMs: 900_000 });
    expect(loadConfig({ ...base, WATCH_INTERVAL: '1m' }).watch.intervalMs).toBe(60_000);
  });

  it('refuses an interval under a minute and values that are not durations or booleans', () => {
    expect(problemsOf({ WATCH_INTERVAL: '30s' })).toMatch(/WATCH_INTERVAL: "30s" is shorter than 1 minute/);
    expect(problemsOf({ WATCH_INTERVAL: 'hourly' })).toMatch(/WATCH_INTERVAL: "hourly" is not a duration/);
    expect(problemsOf({ WATCH_SYNC_ERRORS: 'sometimes' })).toMatch(/WATCH_SYNC_ERRORS: "sometimes" is not true or false/);
  });
});

describe('the bulk write limit', () => {
  it('defaults to 1,150 writes a minute (96 % of Graph\'s 1,200, so a stall does not drop a job below 90 %) and stays within it', () => {
    expect(loadConfig(base).bulk.maxWritesPerMinute).toBe(1150);
    expect(loadConfig({ ...base, BULK_MAX_WRITES_PER_MINUTE: '600' }).bulk.maxWritesPerMinute).toBe(600);
    expect(problemsOf({ BULK_MAX_WRITES_PER_MINUTE: '5000' })).toMatch(/BULK_MAX_WRITES_PER_MINUTE: "5000" must be a whole number from 1 to 1200/);
    expect(problemsOf({ BULK_MAX_WRITES_PER_MINUTE: 'fast' })).toMatch(/BULK_MAX_WRITES_PER_MINUTE/);
  });
});
