// Regression (found beside the int64 one): OtlpJsonMetricExporter put doubles into the body with
// JSON.stringify, which writes NaN and ±Infinity as null; the collector refuses `"asDouble":null`
// and `"doubleValue":null` with 400 (otelcol 0.161), so one gauge set to Infinity (plumbline's
// gauge refuses only NaN) or an app instrument's NaN lost the whole batch at every interval. The
// proto3 JSON mapping spells them "NaN", "Infinity" and "-Infinity", which the collector takes.
// Real HTTP; the receiver refuses nulls where the collector does.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry, OtlpJsonMetricExporter } from '../../src/index.js';
import { startDecodingReceiver } from '../support/decoding-receiver.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const DOUBLE_FIELDS = new Set(['asDouble', 'doubleValue', 'sum', 'min', 'max']);

/** Doubles a collector's OTLP/JSON decoder refuses: null, or a string other than the mapping's. */
function refusedDoubles(node: unknown, path = '', found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item, i) => refusedDoubles(item, `${path}[${i}]`, found));
  else if (typeof node === 'object' && node !== null)
    for (const [key, value] of Object.entries(node)) {
      // `sum` is also a metric's Sum message: an object, looked into.
      const isDouble = DOUBLE_FIELDS.has(key) && (typeof value !== 'object' || value === null);
      const ok = typeof value === 'number' || ['NaN', 'Infinity', '-Infinity'].includes(value as string);
      if (isDouble && !ok) found.push(`${path}.${key} ${JSON.stringify(value)}`);
      else refusedDoubles(value, `${path}.${key}`, found);
    }
  return found;
}

/** A collector that answers 400 to a body it could not decode, 200 otherwise. */
const collector = () => startDecodingReceiver((body) => refusedDoubles(body), cleanups);

const spec = defineTelemetry({
  service: { name: 'jobs' },
  events: {},
  counters: { 'jobs.done': { description: 'Jobs done.', attributes: ['queue'] } },
  gauges: { 'queue.lag': { description: 'Seconds the oldest job waits.', unit: 's' } },
});

describe('non-finite doubles in OTLP/JSON', () => {
  it('are written as the proto3 JSON mapping spells them, so the batch is accepted', async () => {
    const target = await collector();
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    metrics.counter('jobs.done').add(1, { queue: 'mail' });
    metrics.gauge('queue.lag').set(Infinity);
    const { resourceMetrics } = await metrics.producer.collect();
    const exporter = new OtlpJsonMetricExporter({ endpoint: target.url, maxAttempts: 1 });
    const result = await new Promise<ExportResult>((resolve) => exporter.export(resourceMetrics, resolve));

    expect(target.answers, 'collector answers').toEqual([200]);
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    const sent = JSON.stringify(target.bodies[0]);
    expect(sent).toMatch(/"name":"queue\.lag".*?"asDouble":"Infinity"/);
    expect(sent).toContain('"name":"jobs.done"');
  });
});
