/**
 * Preloaded into every benchmarked bot process (`node -r dist/bench/probe.js …`): answers the
 * benchmark's IPC question "how much CPU and memory have you used?" from the process's own
 * counters, so no bot needs a stats route of its own.
 */

export interface ProbeStats {
  type: 'stats';
  /** process.cpuUsage(): user + system CPU of this process since it started, µs. */
  cpuMicros: number;
  rssBytes: number;
  /** Peak resident set size since start (getrusage maxrss). */
  maxRssBytes: number;
  heapUsedBytes: number;
}

if (process.send) {
  process.on('message', (message: unknown) => {
    if ((message as { type?: string } | null)?.type !== 'stats') return;
    const cpu = process.cpuUsage();
    const stats: ProbeStats = {
      type: 'stats',
      cpuMicros: cpu.user + cpu.system,
      rssBytes: process.memoryUsage.rss(),
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapUsedBytes: process.memoryUsage().heapUsed,
    };
    process.send?.(stats);
  });
  // The IPC channel must not keep a bot alive that would otherwise exit.
  process.channel?.unref();
}
