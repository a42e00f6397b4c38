/**
 * Every duration setting is checked once at start with a minimum and a maximum: a zero, a tiny or
 * a huge value stops start-up with a message naming the variable, instead of expiring every
 * request (REQUEST_TTL=0), spinning a 1 ms timer (SWEEP_INTERVAL=0 or beyond the timer limit), or
 * being replaced silently after the check (SWEEP_INTERVAL, GRAPH_TIMEOUT_MS).
 */
import { loadConfig } from '../../src/config';
import { base, configProblems } from './config-problems';

const problemsOf = (env: Record<string, string>): string => configProblems({ ...base, ...env }).join('\n');

describe('duration settings', () => {
  it.each([
    ['SWEEP_INTERVAL', '0', /SWEEP_INTERVAL: "0" is shorter than 5 seconds/],
    ['SWEEP_INTERVAL', '1ms', /SWEEP_INTERVAL: "1ms" is shorter than/],
    ['SWEEP_INTERVAL', '30d', /SWEEP_INTERVAL: "30d" is longer than 1 hour/],
    ['SWEEP_INTERVAL', 'often', /SWEEP_INTERVAL: "often" is not a duration/],
    ['REQUEST_TTL', '0', /REQUEST_TTL: "0" is shorter than 5 minutes/],
    ['REQUEST_TTL', '1s', /REQUEST_TTL: "1s" is shorter than 5 minutes/],
    ['REQUEST_TTL', '90d', /REQUEST_TTL: "90d" is longer than 30 days/],
    ['REMINDER_AFTER', '0', /REMINDER_AFTER: "0" is shorter than 1 minute/],
    ['REMINDER_AFTER', '60d', /REMINDER_AFTER: "60d" is longer than 30 days/],
    ['WATCH_INTERVAL', '30d', /WATCH_INTERVAL: "30d" is longer than 7 days/],
    ['GRAPH_TIMEOUT_MS', '0', /GRAPH_TIMEOUT_MS: "0" must be a whole number from 1000 to 300000/],
    ['REQUEST_RETENTION', '0', /REQUEST_RETENTION: "0" is shorter than 1 hour/],
    ['REQUEST_RETENTION', '10m', /REQUEST_RETENTION: "10m" is shorter than 1 hour/],
    ['REQUEST_RETENTION', '4000d', /REQUEST_RETENTION: "4000d" is longer than/],
    ['REQUEST_RETENTION', 'forever', /REQUEST_RETENTION: "forever" is not a duration/],
    ['TENANT_FACTS_TTL', '0', /TENANT_FACTS_TTL: "0" is shorter than 1 minute/],
    ['AUTH_METADATA_TIMEOUT', '0', /AUTH_METADATA_TIMEOUT: "0" is shorter than 1 second/],
    ['AUTH_METADATA_TIMEOUT', '5m', /AUTH_METADATA_TIMEOUT: "5m" is longer than 1 minute/],
    ['GRAPH_TIMEOUT_MS', 'soon', /GRAPH_TIMEOUT_MS: "soon" must be a whole number/],
  ])('refuses %s=%s at start, naming it', (name, value, message) => {
    expect(problemsOf({ [name]: value })).toMatch(message);
  });

  it('keeps closed requests 90 days by default; REQUEST_RETENTION takes e.g. 30d', () => {
    expect(loadConfig(base).approvals.retentionMs).toBe(90 * 24 * 3600_000);
    expect(loadConfig({ ...base, REQUEST_RETENTION: '30d' }).approvals.retentionMs).toBe(30 * 24 * 3600_000);
  });

  it('lists every bad duration at once', () => {
    const problems = problemsOf({ SWEEP_INTERVAL: '0', REQUEST_TTL: '0', GRAPH_TIMEOUT_MS: '1' });
    expect(problems).toMatch(/SWEEP_INTERVAL/);
    expect(problems).toMatch(/REQUEST_TTL/);
    expect(problems).toMatch(/GRAPH_TIMEOUT_MS/);
  });

  it('takes values inside the bounds and keeps the defaults', () => {
    const config = loadConfig({ ...base, SWEEP_INTERVAL: '30s', REQUEST_TTL: '2h', REMINDER_AFTER: '90m', GRAPH_TIMEOUT_MS: '5000' });
    expect(config.sweepIntervalMs).toBe(30_000);
    expect(config.approvals.requestTtlMs).toBe(2 * 3600_000);
    expect(config.approvals.reminderAfterMs).toBe(90 * 60_000);
    expect(config.graphTimeoutMs).toBe(5000);
    const defaults = loadConfig(base);
    expect([defaults.sweepIntervalMs, defaults.approvals.requestTtlMs, defaults.approvals.reminderAfterMs, defaults.graphTimeoutMs]).toEqual([60_000, 24 * 3600_000, 4 * 3600_000, 30_000]);
  });
});
