// Regression: a counter's `add` inside a span took an exemplar and asked the tail sampler to keep
// its trace, with no way to say no for one counter: at about 4 requests/s a team's service kept
// 101 of 101 traces, 37 of them for exemplars, 1 ms 400 answers included (a TypeScript fastify
// trial). A counter now takes `exemplars: { enabled: false }`, as a histogram does. Real parts:
// createTelemetry with the tail sampler, spans through its tracer, /metrics in OpenMetrics.
import { expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  counters: {
    'orders.rejected': { description: 'Rejected orders.', exemplars: { enabled: false } },
    'orders.placed': { description: 'Placed orders.' },
  },
  sampling: {
    decisionWaitMs: 0,
    policies: [
      { name: 'exemplars', kind: 'exemplar' },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 0.001 },
    ],
  },
});

it('counter-exemplars-cannot-be-turned-off: a counter with exemplars off keeps no trace', async () => {
  const t = createTelemetry(spec, { logDestination: captureLines().destination });
  try {
    for (let i = 0; i < 3; i++)
      t.tracer.startActiveSpan('POST /orders', (span) => {
        t.metrics.counter('orders.rejected').add(1);
        span.end();
      });
    await t.forceFlush();
    expect(t.sampler!.stats().decisions.exemplars!.keep).toBe(0);
    const body = t.metrics.serialize('application/openmetrics-text').body;
    expect(body).toMatch(/^orders_rejected_total 3$/m); // counted, with no exemplar on the line
    // The counter beside it, exemplars on by default, still keeps one.
    t.tracer.startActiveSpan('POST /orders', (span) => {
      t.metrics.counter('orders.placed').add(1);
      span.end();
    });
    await t.forceFlush();
    expect(t.sampler!.stats().decisions.exemplars!.keep).toBe(1);
    expect(t.metrics.serialize('application/openmetrics-text').body).toMatch(
      /^orders_placed_total 1 # \{trace_id="[0-9a-f]{32}",span_id="[0-9a-f]{16}"\} 1/m,
    );
  } finally {
    await t.shutdown();
  }
});
