// Regression: past `maxLinesPerWindow` distinct sources in a window, the security stream folds the
// rest into one summary line of its own, `"event":"(many)"` (security-stream.ts), which the
// published line schema allows (`plumbline schema export`) and the OTel Logs bridge sends as well.
// `check live` read it as an event the spec does not declare: `undeclared-event (many)` from the
// security log and from OTLP logs, exit 1, on a service doing exactly what plumbline does. The
// summary is now checked against the schema's own branch for it (and its sample for sensitive
// fields) and fails nothing when it conforms. Real parts: createTelemetry writing its event and
// security logs to files and exporting OTLP/HTTP logs to the check's listener on 127.0.0.1.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { createTelemetry, defineTelemetry } from '../../src/index.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: {
        source: { type: 'string' },
        outcome: { type: 'string' },
        token: { type: 'string', sensitive: true, required: false },
      },
    },
  },
});

const dir = mkdtempSync(join(tmpdir(), 'check-live-many-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('the security overflow summary, in the log and over OTLP, is no undeclared event', async () => {
  const eventLog = join(dir, 'events.ndjson');
  const securityLog = join(dir, 'security.ndjson');
  const check = await startLiveCheck({ spec, logs: [eventLog, securityLog], otlpListen: '127.0.0.1:0' });
  const telemetry = createTelemetry(spec, {
    otlpEndpoint: check.otlpEndpoint!,
    tailSampling: false,
    logDestination: eventLog,
    securityLogDestination: securityLog,
    securityLog: { foldWindowMs: 60_000, maxLinesPerWindow: 2 },
  });
  // Five sources, two lines a window: three sources fold into the "(many)" summary.
  for (let i = 0; i < 5; i++)
    telemetry.log.event('auth.failed', { source: `10.0.0.${i}`, outcome: 'wrong_token', token: 't0k3n' });
  // Closes the window (writes the summary, and gives it to OTel Logs), then flushes OTLP logs.
  await telemetry.log.close();
  await telemetry.shutdown();

  const written = readFileSync(securityLog, 'utf8').trim().split('\n');
  const many = written
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((l) => l.event === '(many)');
  expect(many, written.join('\n')).toMatchObject({ source: '(many)', summary: true, count: 3 });

  const report = await check.finish();
  expect(report.observed.logLines).toBe(3);
  expect(report.observed.logRecords).toBe(3);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source}): ${d.detail}`)).toEqual([]);
  expect(report.ok).toBe(true);
});

it('a "(many)" line that breaks its schema, or leaks a sensitive field in its sample, is still reported', async () => {
  const path = join(dir, 'forged.ndjson');
  const envelope = { time: '2026-01-01T00:00:00.000Z', level: 'warn', service: 'edge', schema_version: '1' };
  const sample = { event: 'auth.failed', source: '10.0.0.9', outcome: 'wrong_token', count: 1 };
  appendFileSync(
    path,
    [
      // no count
      { ...envelope, event: '(many)', source: '(many)', summary: true, sample },
      // the sample's token in clear
      {
        ...envelope,
        event: '(many)',
        source: '(many)',
        summary: true,
        count: 2,
        first_time: envelope.time,
        last_time: envelope.time,
        sample: { ...sample, token: 't0k3n' },
      },
    ]
      .map((line) => JSON.stringify(line) + '\n')
      .join(''),
  );
  const check = await startLiveCheck({ spec, logs: path });
  const report = await check.finish();
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source}): ${d.detail}`)).toEqual([
    'event-schema (many) (logs): missing field count',
    'sensitive-unredacted auth.failed.token (logs): sensitive field token in clear',
  ]);
});
