// Regression: counters took the exemplar keeps the slow buckets needed. A CommonJS express trial
// with the exemplar rule at 2 traces/s and a histogram keeping exemplars from 0.05 s: 200 requests
// in about a second, both series of a counter carried exemplars and the 13 slow requests (about
// 0.18 s) none, with 219 keeps refused. docs/sampling.md promises that half of the keeps are held
// back for empty and old slots so busy ones cannot starve the rare ones, but at 2/s half was one
// token, which held nothing back, and a counter's empty slot counted as rare. Now a counter's slot
// never uses the reserve, and from 2/s up at least one keep is held back. Real parts:
// createTelemetry with the tail sampler, spans through its tracer, /metrics in OpenMetrics.
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  counters: { 'orders.lookups': { description: 'Lookups.', attributes: ['outcome'] } },
  histograms: {
    'orders.request.duration': {
      description: 'Request latency.',
      unit: 's',
      attributes: ['route'],
      buckets: { boundaries: [0.01, 0.05, 0.1, 0.25, 1] },
      exemplars: { minValue: 0.05 },
    },
  },
  sampling: {
    decisionWaitMs: 0,
    policies: [
      { name: 'exemplars', kind: 'exemplar', tracesPerSecond: 2 },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 1 },
    ],
  },
});

let telemetry: Telemetry<typeof spec> | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

/** One request: the counter, then the histogram; returns its trace ID. */
function request(t: Telemetry<typeof spec>, seconds: number, outcome: string): string {
  return t.tracer.startActiveSpan('GET /orders/:id', (span) => {
    t.metrics.counter('orders.lookups').add(1, { outcome });
    t.metrics.histogram('orders.request.duration').record(seconds, { route: '/orders/:id' });
    span.end();
    return span.spanContext().traceId;
  });
}

/** OpenMetrics exemplar trace IDs by the series line they are on. */
function exemplars(t: Telemetry<typeof spec>): Map<string, string> {
  const body = t.metrics.serialize('application/openmetrics-text').body;
  return new Map(
    [...body.matchAll(/^(\S+) \S+ # \{trace_id="([0-9a-f]{32})"/gm)].map((m) => [m[1]!, m[2]!] as const),
  );
}

it('counter-exemplars-starve-slow-buckets: a slow request gets its exemplar after a burst of fast ones', async () => {
  const exporter = new InMemorySpanExporter();
  const t = createTelemetry(spec, {
    logDestination: captureLines().destination,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  telemetry = t;
  // A burst (well under a second: the bucket refills 2 keeps per second) of fast requests on two
  // counter series, below the histogram's minValue, then one slow request.
  for (let i = 0; i < 20; i++) request(t, 0.02, i % 2 === 0 ? 'found' : 'missing');
  const slow = request(t, 0.18, 'found');
  await t.forceFlush();

  const byLine = exemplars(t);
  expect(byLine.get('orders_request_duration_seconds_bucket{route="/orders/:id",le="0.25"}')).toBe(slow);
  // Counters still get exemplars, from what the reserve leaves.
  expect([...byLine.keys()].some((line) => line.startsWith('orders_lookups_total'))).toBe(true);
  // Every exemplar points at an exported trace.
  const exported = new Set(exporter.getFinishedSpans().map((span) => span.spanContext().traceId));
  for (const traceId of byLine.values()) expect(exported).toContain(traceId);
});
