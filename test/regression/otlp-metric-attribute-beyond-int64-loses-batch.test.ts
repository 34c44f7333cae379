// Regression (review): OtlpJsonMetricExporter wrote every integer-valued number attribute as
// `{intValue: String(v)}`: 2 ** 64 became "18446744073709552000" and 1e21 "1e+21", neither an
// int64, and the collector answered 400, losing the whole batch (the spec's instruments too) at
// every interval. Now an integer in int64 is written as its exact decimal and one beyond it as a
// doubleValue, as in OTel JS's protobuf serializer. The receiver here checks numbers the way the
// collector's OTLP/JSON decoder does (its answers to these bodies, otelcol 0.161: "1e+21" and
// "18446744073709552000" as intValue 400, 1e+21 as doubleValue 200). Real HTTP.
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry, OtlpJsonMetricExporter } from '../../src/index.js';
import { startDecodingReceiver } from '../support/decoding-receiver.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const INT64 = /^-?\d+$/;

/** What in an OTLP/JSON body a collector's decoder refuses: intValue not a decimal int64. */
function refusedNumbers(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refusedNumbers(item, found);
  else if (typeof node === 'object' && node !== null)
    for (const [key, value] of Object.entries(node)) {
      if (key === 'intValue') {
        const fits =
          typeof value === 'string' &&
          INT64.test(value) &&
          BigInt(value) >= -(2n ** 63n) &&
          BigInt(value) < 2n ** 63n;
        if (!fits) found.push(`intValue ${JSON.stringify(value)}`);
      } else refusedNumbers(value, found);
    }
  return found;
}

/** A collector that answers 400 to a body it could not decode, 200 otherwise. */
const collector = () => startDecodingReceiver((body) => refusedNumbers(body), cleanups);

const spec = defineTelemetry({
  service: { name: 'jobs' },
  events: {},
  counters: { 'jobs.done': { description: 'Jobs done.', attributes: ['queue'] } },
});

describe('number attributes in OTLP/JSON', () => {
  it("writes integers beyond int64 as doubles, so the batch (the spec's instruments too) is accepted", async () => {
    const target = await collector();
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    metrics.counter('jobs.done').add(1, { queue: 'mail' });
    const exporter = new OtlpJsonMetricExporter({ endpoint: target.url, maxAttempts: 1 });
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 3_600_000,
      metricProducers: [metrics.producer],
    });
    const provider = new MeterProvider({ readers: [reader] });
    cleanups.push(() => provider.shutdown());
    // An app's own instrument beside the spec's, with number attributes on both sides of int64.
    const inodes = provider.getMeter('app').createCounter('fs.inodes.scanned');
    inodes.add(1, { 'fs.id': 2 ** 64 });
    inodes.add(1, { 'fs.id': 1e21 });
    inodes.add(1, { 'fs.id': -(2 ** 64) });
    inodes.add(1, { 'fs.id': 2 ** 60 });
    inodes.add(1, { 'fs.id': 42 });
    await reader.forceFlush();

    expect(target.answers, 'collector answers').toEqual([200]);
    const sent = JSON.stringify(target.bodies[0]);
    expect(sent).toContain('{"key":"fs.id","value":{"doubleValue":18446744073709552000}}');
    expect(sent).toContain('{"key":"fs.id","value":{"doubleValue":1e+21}}');
    expect(sent).toContain('{"key":"fs.id","value":{"doubleValue":-18446744073709552000}}');
    // Inside int64 an integer stays one, written exactly (String(2 ** 60) ends in 000).
    expect(sent).toContain('{"key":"fs.id","value":{"intValue":"1152921504606846976"}}');
    expect(sent).toContain('{"key":"fs.id","value":{"intValue":"42"}}');
    // The spec's instrument went out in the same accepted request.
    expect(sent).toContain('"name":"jobs.done"');
    expect(exporter.failedExports, 'failed exports').toBe(0);
  });
});
