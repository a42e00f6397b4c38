/** Log lines are written in order, batched per event-loop turn, and none is lost when the process exits. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createLineWriter } from '../../src/log';

it('writes the lines of one event-loop turn together, in order', async () => {
  const chunks: string[] = [];
  const writer = createLineWriter((chunk) => chunks.push(chunk));
  writer.write('{"event":"a"}');
  writer.write('{"event":"b"}');
  writer.write('{"event":"c"}');
  await new Promise((resolve) => setImmediate(resolve));
  expect(chunks).toEqual(['{"event":"a"}\n{"event":"b"}\n{"event":"c"}\n']);
  writer.write('{"event":"d"}');
  writer.flush();
  expect(chunks).toEqual(['{"event":"a"}\n{"event":"b"}\n{"event":"c"}\n', '{"event":"d"}\n']);
});

it('loses no line when the process exits right after logging', () => {
  const log = path.resolve(__dirname, '../../dist/src/log.js');
  const script = `const l = require(${JSON.stringify(log)}).createLogger({ level: 'info' }); for (let i = 0; i < 500; i++) l.info('line', { i }); l.error('last', {}); process.exit(3);`;
  let out = '';
  try {
    execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  } catch (error) {
    out = (error as { stdout: string }).stdout;
  }
  const events = out.trim().split('\n').map((l) => JSON.parse(l) as { event: string; i?: number });
  expect(events).toHaveLength(501);
  expect(events.slice(0, 500).map((e) => e.i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  expect(events[500]?.event).toBe('last');
});
