// Regression (export review): with the collector down, what the service wrote about it flooded its
// logs when they mattered most. A real process (createTelemetry, OTEL_LOG_LEVEL=info as NodeSDK
// users set it, OTLP to a closed port on 127.0.0.1, metric export every 200 ms, a forceFlush every
// 500 ms) wrote, in 4 s, a line per failed metric export from OTel's PeriodicExportingMetricReader
// (its global error handler: the error as JSON with its stack trace, ~900 characters each), and
// each failed flush or shutdown step as plumbline's "flush/shutdown step failed" with the Error
// inspected over 8 to 10 lines of stack and fields. plumbline now says each kind of failure in
// one line (message and code, no stack): the first at once, then at most one per minute with how
// many more; the metric export, its own, is reported by plumbline rather than by the reader. Every
// failure stays counted on /metrics. What OTel's span and log processors write is theirs
// (docs/telemetry.md says how to quiet it).
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO } from '../packaging/packed.js';

const exec = promisify(execFile);

/** A port on 127.0.0.1 nothing listens on: one that was just free. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const SERVICE = `import { createTelemetry, defineTelemetry } from './src/index.ts';
const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: { id: { type: 'string' } } } },
  counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome'] } },
});
const telemetry = createTelemetry(spec, { logDestination: { write: () => true } });
const requests = telemetry.metrics.counter('shop.requests');
const traffic = setInterval(() => {
  telemetry.tracer.startSpan('GET /orders').end();
  requests.add(1, { outcome: 'ok' });
  telemetry.log.event('order.placed', { id: 'o-1' });
}, 20);
const until = Date.now() + 4000;
while (Date.now() < until) {
  await Promise.all([telemetry.forceFlush(), new Promise((resolve) => setTimeout(resolve, 500))]);
}
clearInterval(traffic);
const counted = telemetry.metrics.serialize().body.split('\\n').filter((line) =>
  /^plumbline_(telemetry_dropped_total\\{signal="metric_batch",reason="export_failed"\\}|otlp_metric_export_failures_total\\{reason="error"\\})/.test(line));
await telemetry.shutdown();
for (const line of counted) console.log('## ' + line);`;

it('failed-export-floods-logs-with-stack-traces: one line per kind of failure, each failure counted', async () => {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')),
  ) as Record<string, string>;
  const { stdout, stderr } = await exec(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', SERVICE],
    {
      cwd: REPO,
      env: {
        ...base,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await closedPort()}`,
        OTEL_LOG_LEVEL: 'info',
        OTEL_METRIC_EXPORT_INTERVAL: '200',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_BLRP_SCHEDULE_DELAY: '200',
        OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      },
    },
  );
  const all = `${stdout}${stderr}`.split('\n').filter((line) => line.trim() !== '');
  const counts = all.filter((line) => line.startsWith('## '));
  const output = all.filter((line) => !line.startsWith('## '));
  const shown = output.join('\n');

  // Every failed metric export counted (about 20 in 4 s at 200 ms), on both families.
  const value = (pattern: RegExp) =>
    Number(
      counts
        .find((line) => pattern.test(line))
        ?.split(' ')
        .at(-1),
    );
  const dropped = value(/^## plumbline_telemetry_dropped_total/);
  expect(dropped, counts.join('\n')).toBeGreaterThanOrEqual(5);
  expect(value(/^## plumbline_otlp_metric_export_failures_total/)).toBeGreaterThanOrEqual(5);

  // No line is a stack frame or an inspected error's field: each failure is said in one line.
  expect(
    output.filter((line) => /^\s+(at |\w+: |\{|\}|\[|\])/.test(line) || /^[[\]{}]$/.test(line)),
    shown,
  ).toEqual([]);
  // The metric export's failures: one line from plumbline, naming the cause, none from the reader.
  // Before: 0 and about one per export (each with its stack trace as JSON).
  const metricLines = output.filter((line) => /metric/i.test(line) && /fail/i.test(line));
  expect(metricLines, shown).toEqual([
    expect.stringMatching(
      /^plumbline: OTLP metric export failed: fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
    ),
  ]);
  // The failed flushes: the first said, the rest within the minute counted into the next line
  // (a forceFlush every 500 ms failed about 4 times). Shutdown's steps in a line each.
  const flushLines = output.filter((line) => line.includes('step failed in forceFlush()'));
  expect(flushLines, shown).toEqual([
    expect.stringMatching(
      /^plumbline: flush\/shutdown step failed in forceFlush\(\): .*ECONNREFUSED 127\.0\.0\.1:\d+$/,
    ),
  ]);
  const shutdownLines = output.filter((line) => line.includes('step failed in shutdown()'));
  expect(shutdownLines.length, shown).toBeGreaterThan(0);
  for (const line of shutdownLines)
    expect(line).toMatch(/^plumbline: flush\/shutdown step failed in shutdown\(\): .*ECONNREFUSED/);
  // Nor does any line of plumbline's own carry a stack trace inline.
  for (const line of output.filter((line) => line.startsWith('plumbline:')))
    expect(line, shown).not.toMatch(/"stack"|\bat .*:\d+:\d+\)?$/);
  // What is left is OTel's: its span and log processors' global error handler (the error as JSON,
  // stack included, per failed batch) and the OTLP exporters' retry notes at info.
}, 60_000);
