// Regression (session 15): since 668fb54/e35d486 the tail sampler leaves out of a kept span's
// tracestate the inbound parts that would break the W3C limits (other vendors' members past 32
// members or 512 characters) or the `ot` grammar, and counts them (SpanForwarder's
// tracestateDropped), but nothing read the count: not stats(), not /metrics, so an operator could
// not see that callers' tracestate was being cut. It is now stats().tracestateDropped and
// plumbline_sampler_tracestate_dropped_total, 0 from the start. Real parts: createTelemetry with
// the tail sampler, remote parents extracted by the W3C propagator from real headers, /metrics
// scraped over HTTP.
import { defaultTextMapGetter, ROOT_CONTEXT, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { scrapeTelemetry } from '../support/scrape-telemetry.js';

let telemetry: Telemetry | undefined;
afterEach(async () => telemetry?.shutdown());

const spec = defineTelemetry({
  service: { name: 'shop', version: '1.0.0' },
  events: {},
  sampling: { decisionWaitMs: 0, policies: [{ name: 'errors', kind: 'errors' }] },
});

const dropped = (text: string) => /^plumbline_sampler_tracestate_dropped_total (\d+)$/m.exec(text)?.[1];

describe('regression: tracestate parts left out, counted nowhere', () => {
  it('counts them in stats() and on /metrics, 0 from the start', async () => {
    telemetry = createTelemetry(spec, { logDestination: captureLines().destination, registerGlobal: false });
    expect(telemetry.sampler!.stats().tracestateDropped).toBe(0);
    expect(dropped(await scrapeTelemetry(telemetry))).toBe('0');

    const propagator = new W3CTraceContextPropagator();
    // 32 other vendors' members: adding ot=th:0 leaves the last one out (the W3C limit is 32).
    const tracestate = Array.from({ length: 32 }, (_, i) => `v${i}=x`).join(',');
    const tracer = telemetry.tracerProvider.getTracer('regression');
    for (let i = 0; i < 3; i++) {
      const traceId = `${'0'.repeat(31)}${i + 1}`.replace(/^0/, 'a');
      const parent = propagator.extract(
        ROOT_CONTEXT,
        { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, tracestate },
        defaultTextMapGetter,
      );
      const span = tracer.startSpan('GET /a', {}, parent);
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    await telemetry.forceFlush();

    expect(telemetry.sampler!.stats().decisions.errors).toEqual({ keep: 3, drop: 0 });
    expect(telemetry.sampler!.stats().tracestateDropped).toBe(3);
    const after = await scrapeTelemetry(telemetry);
    expect(after).toMatch(/^# TYPE plumbline_sampler_tracestate_dropped_total counter$/m);
    expect(dropped(after)).toBe('3');
  });
});
