// Regression (soak trial): an errors policy with a budget and the baseline budget, both keyed by
// http.route, reported one threshold per route: `stats().thresholds` and the gauge
// plumbline_sampler_keep_probability{key} held a single entry for "/a", one policy's threshold
// hiding the other's. `stats().thresholdsByPolicy` keeps both, and the gauge has a policy label.
import { ROOT_CONTEXT, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { scrapeTelemetry } from '../support/scrape-telemetry.js';

const spec = defineTelemetry({
  service: { name: 'shop', version: '1.0.0' },
  events: {},
  sampling: {
    decisionWaitMs: 0,
    policies: [
      { name: 'errors', kind: 'errors', budget: { tracesPerSecond: 1, key: 'http.route' } },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 1, key: 'http.route' },
    ],
  },
});

let telemetry: Telemetry | undefined;
afterEach(async () => telemetry?.shutdown());

describe('budget thresholds of two policies overwrite each other', () => {
  it('reports each budget policy its own threshold per key', async () => {
    telemetry = createTelemetry(spec, { logDestination: captureLines().destination, registerGlobal: false });
    const tracer = telemetry.tracerProvider.getTracer('regression');
    // Far over both budgets: errors under the errors budget, the rest under the baseline.
    for (let i = 0; i < 400; i++) {
      const span = tracer.startSpan('GET /a', { attributes: { 'http.route': '/a' } }, ROOT_CONTEXT);
      if (i % 2 === 0) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    const stats = telemetry.sampler!.stats();
    expect(Object.keys(stats.thresholdsByPolicy).sort()).toEqual(['baseline', 'errors']);
    expect(stats.thresholdsByPolicy.errors!['/a']!.probability).toBeLessThan(1);
    expect(stats.thresholdsByPolicy.baseline!['/a']!.probability).toBeLessThan(1);

    const text = await scrapeTelemetry(telemetry);
    const gauge = text.split('\n').filter((line) => line.startsWith('plumbline_sampler_keep_probability{'));
    expect(gauge.map((line) => line.replace(/\} .*/, '}')).sort()).toEqual([
      'plumbline_sampler_keep_probability{policy="baseline",key="/a"}',
      'plumbline_sampler_keep_probability{policy="errors",key="/a"}',
    ]);
  });
});
