// Regression (log review): the lines an event's rate budget leaves out are counted on the next
// line of the event that is written (`suppressed`). When no such line came (the storm ended, the
// process shut down), the count was only on plumbline_log_suppressed_total: a reader of the log
// file could not know lines were left out. Closing the event log (telemetry.shutdown() closes
// it) now writes one summary line per event with a pending count, and the line schema, hence
// `check live`, accepts it. Real parts: createTelemetry writing its event log to a file and
// exporting OTLP/HTTP logs to the check's listener on 127.0.0.1, the check following the file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { createEventLogger, createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'request.rejected': {
      level: 'warn',
      budget: { linesPerSecond: 1, key: 'reason' },
      fields: {
        reason: { type: 'string', enum: ['invalid', 'overloaded'] },
        detail: { type: 'string', required: false },
      },
    },
    'cache.evicted': {
      level: 'info',
      budget: { linesPerSecond: 2 },
      fields: { keys: { type: 'integer' } },
    },
  },
});

const dir = mkdtempSync(join(tmpdir(), 'suppressed-at-close-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('writes the counts no line carried when the log closes, one line per event', async () => {
  const captured = captureLines();
  let suppressed = 0;
  const log = createEventLogger(spec, {
    destination: captured.destination,
    now: () => 1_000,
    onSuppressed: () => suppressed++,
  });
  for (let i = 0; i < 4; i++) log.event('request.rejected', { reason: 'invalid' });
  for (let i = 0; i < 3; i++) log.event('request.rejected', { reason: 'overloaded' });
  for (let i = 0; i < 5; i++) log.event('cache.evicted', { keys: i });
  expect(suppressed).toBe(3 + 2 + 3);
  await log.close();
  const summaries = captured.lines.filter((line) => line.summary === true);
  // Per event, as plumbline_log_suppressed_total{event} counts them (the key's budgets added up).
  expect(summaries.map(({ event, level, suppressed }) => ({ event, level, suppressed }))).toEqual([
    { event: 'request.rejected', level: 'warn', suppressed: 5 },
    { event: 'cache.evicted', level: 'info', suppressed: 3 },
  ]);
  expect(Object.keys(summaries[0]!)).toEqual([
    'level',
    'time',
    'service',
    'event',
    'schema_version',
    'summary',
    'suppressed',
  ]);
  // Every line left out is on a line of the log, once.
  expect(captured.lines.reduce((sum, line) => sum + ((line.suppressed as number | undefined) ?? 0), 0)).toBe(
    suppressed,
  );
});

it('telemetry.shutdown() writes them, and check live takes the line and its OTLP record', async () => {
  const eventLog = join(dir, 'events.ndjson');
  const check = await startLiveCheck({ spec, logs: eventLog, otlpListen: '127.0.0.1:0' });
  const telemetry = createTelemetry(spec, {
    otlpEndpoint: check.otlpEndpoint!,
    tailSampling: false,
    logDestination: eventLog,
  });
  for (let i = 0; i < 50; i++) telemetry.log.event('cache.evicted', { keys: i });
  await telemetry.shutdown();

  const lines = readFileSync(eventLog, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const summary = lines.find((line) => line.summary === true);
  expect(summary).toMatchObject({ event: 'cache.evicted', level: 'info', service: 'edge', summary: true });
  // Each call is a line or counted on one.
  const written = lines.filter((line) => line.summary !== true).length;
  expect(written + lines.reduce((sum, line) => sum + ((line.suppressed as number | undefined) ?? 0), 0)).toBe(
    50,
  );

  const report = await check.finish();
  expect(report.observed.logLines).toBe(lines.length);
  expect(report.observed.logRecords).toBe(lines.length);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source}): ${d.detail}`)).toEqual([]);
  expect(report.ok).toBe(true);
});
