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
  /** Memory of Buffers and other objects outside the V8 heap. */
  externalBytes: number;
}

if (process.send) {
  process.on('message', (message: unknown) => {
    const ask = message as { type?: string; gc?: boolean; snapshot?: string } | null;
    if (ask?.type !== 'stats') return;
    // Diagnosis only (node --expose-gc): retained heap after a full collection, a heap snapshot.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (ask.gc && gc) gc();
    if (ask.snapshot) require('node:v8').writeHeapSnapshot(ask.snapshot);
    const cpu = process.cpuUsage();
    const stats: ProbeStats = {
      type: 'stats',
      cpuMicros: cpu.user + cpu.system,
      rssBytes: process.memoryUsage.rss(),
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapUsedBytes: process.memoryUsage().heapUsed,
      externalBytes: process.memoryUsage().external,
    };
    process.send?.(stats);
  });
  // The IPC channel must not keep a bot alive that would otherwise exit.
  process.channel?.unref();
}
