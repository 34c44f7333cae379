// Regression: `check live` held OTLP log records only to their event name, undeclared attributes
// and schema_violations: a record of `cache.evicted` without its required integer `keys`, or with
// `keys: 'three'`, was no deviation over OTLP, where the same call's log line was `event-schema …
// missing field keys`. A record's attributes are now held to its event's line schema as the
// line's fields are (sensitive ones as "[REDACTED]"), through the AnyValue encoding the bridge's
// export uses (integers, doubles, arrays, maps). Real parts: a build of the service made from a
// drifted spec (keys optional, keys a string), createTelemetry writing its event log to a file and
// exporting OTLP/HTTP logs to the check's listener on 127.0.0.1, the check following the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { createTelemetry, defineTelemetry } from '../../src/index.js';

const orderPlaced = {
  level: 'info',
  fields: {
    order_id: { type: 'string' },
    amount: { type: 'number' },
    ratio: { type: 'number' },
    items: { type: 'integer' },
    gift: { type: 'boolean' },
    tags: { type: 'string[]' },
    context: { type: 'object' },
    card_number: { type: 'string', sensitive: true, required: false },
    coupon: { type: 'string', required: false },
  },
} as const;

/** The spec checked. */
const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {
    'order.placed': orderPlaced,
    'cache.evicted': { level: 'info', fields: { keys: { type: 'integer' } } },
    'cache.warmed': { level: 'info', fields: { keys: { type: 'integer' } } },
  },
});
/** The spec the running build was made from: `keys` optional on one event, a string on the other. */
const drifted = defineTelemetry({
  service: { name: 'shop' },
  events: {
    'order.placed': orderPlaced,
    'cache.evicted': { level: 'info', fields: { keys: { type: 'integer', required: false } } },
    'cache.warmed': { level: 'info', fields: { keys: { type: 'string' } } },
  },
});

const dir = mkdtempSync(join(tmpdir(), 'check-live-otlp-fields-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a record missing a required field or with a wrong type is the event-schema deviation its line is', async () => {
  const eventLog = join(dir, 'events.ndjson');
  const check = await startLiveCheck({ spec, logs: eventLog, otlpListen: '127.0.0.1:0' });
  const telemetry = createTelemetry(drifted, {
    otlpEndpoint: check.otlpEndpoint!,
    tailSampling: false,
    logDestination: eventLog,
  });
  telemetry.log.event('cache.evicted', {});
  telemetry.log.event('cache.warmed', { keys: 'three' });
  // Conforming records of every field type: no deviation, whatever AnyValue carries them as.
  telemetry.log.event('order.placed', {
    order_id: 'o-1',
    amount: 12.5,
    ratio: 2, // a number that is an integer: sent as intValue
    items: 3,
    gift: false,
    tags: ['a', 'b'],
    context: { retry: 2, path: ['x', 1], nested: { ok: true } },
    card_number: '4111111111111111',
  });
  telemetry.log.event('order.placed', {
    order_id: 'o-2',
    amount: 0,
    ratio: -0.25,
    items: 0,
    gift: true,
    tags: [],
    context: {},
  });
  await telemetry.shutdown();
  const report = await check.finish();

  expect(report.observed.logLines).toBe(4);
  expect(report.observed.logRecords).toBe(4);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source}): ${d.detail}`)).toEqual([
    'event-schema cache.evicted (logs): missing field keys',
    'event-schema cache.evicted (otlp-logs): missing field keys',
    'event-schema cache.warmed (logs): keys must be integer',
    'event-schema cache.warmed (otlp-logs): keys must be integer',
  ]);
});

it("what a record carries that its line schema allows is no deviation: a budget's suppressed, a security summary", async () => {
  // Found beside the above: over OTLP, a budgeted event's `suppressed` was "not a declared field",
  // and a security summary (written when its window closes, outside any span, as its line is) made
  // its event's records "missing-trace-id … while the others do".
  const budgeted = defineTelemetry({
    service: { name: 'edge' },
    events: {
      'cache.missed': { level: 'info', budget: { linesPerSecond: 1 }, fields: { keys: { type: 'integer' } } },
      'auth.failed': {
        level: 'warn',
        security: true,
        fields: { source: { type: 'string' }, outcome: { type: 'string' } },
      },
    },
  });
  const eventLog = join(dir, 'budgeted.ndjson');
  const securityLog = join(dir, 'security.ndjson');
  const check = await startLiveCheck({
    spec: budgeted,
    logs: [eventLog, securityLog],
    otlpListen: '127.0.0.1:0',
  });
  const telemetry = createTelemetry(budgeted, {
    otlpEndpoint: check.otlpEndpoint!,
    tailSampling: false,
    logDestination: eventLog,
    securityLogDestination: securityLog,
    securityLog: { foldWindowMs: 60_000 },
  });
  for (let i = 0; i < 3; i++) telemetry.log.event('cache.missed', { keys: i });
  // Inside a span: the first sighting carries its trace, the repeats fold into a summary.
  telemetry.tracer.startActiveSpan('POST /login', (span) => {
    for (let i = 0; i < 3; i++) telemetry.log.event('auth.failed', { source: '10.0.0.1', outcome: 'denied' });
    span.end();
  });
  await new Promise((resolve) => setTimeout(resolve, 1100)); // the budget's next second
  telemetry.log.event('cache.missed', { keys: 9 }); // carries suppressed: 2
  await telemetry.log.close();
  await telemetry.shutdown();
  const report = await check.finish();

  expect(report.observed.logRecords).toBe(4);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source}): ${d.detail}`)).toEqual([]);
});
