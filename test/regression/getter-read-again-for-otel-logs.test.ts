// Regression (log review): a plainly valid call is written by the event's compiled serializer,
// which reads each field once; OTel Logs was then handed the caller's object, and the exporter
// read every field again. A getter whose answer changes was written to the line as
// `"status":200` and exported as status "two hundred". The record now carries the values the
// line was written from. Real parts: createTelemetry exporting OTLP/HTTP logs to `check live`'s
// listener on 127.0.0.1, which holds each record to its event's line schema.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { createTelemetry, defineTelemetry } from '../../src/index.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {
    'order.placed': {
      level: 'info',
      fields: {
        order_id: { type: 'string' },
        status: { type: 'integer' },
        card_number: { type: 'string', sensitive: true, required: false },
      },
    },
  },
});

const dir = mkdtempSync(join(tmpdir(), 'getter-otel-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('exports the values the line was written from, each read once', async () => {
  const eventLog = join(dir, 'events.ndjson');
  const check = await startLiveCheck({ spec, logs: eventLog, otlpListen: '127.0.0.1:0' });
  const telemetry = createTelemetry(spec, {
    otlpEndpoint: check.otlpEndpoint!,
    tailSampling: false,
    logDestination: eventLog,
  });
  let reads = 0;
  const fields = {
    order_id: 'o-1',
    get status(): number {
      return reads++ % 2 === 0 ? 200 : ('two hundred' as unknown as number);
    },
    card_number: '4111111111111111',
  };
  telemetry.log.event('order.placed', fields);
  await telemetry.shutdown();

  const [line] = readFileSync(eventLog, 'utf8')
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as Record<string, unknown>);
  expect(line).toMatchObject({ order_id: 'o-1', status: 200, card_number: '[REDACTED]' });
  const report = await check.finish();
  expect(report.observed.logRecords).toBe(1);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source}): ${d.detail}`)).toEqual([]);
  expect(reads).toBe(1);
});
