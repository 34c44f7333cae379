// Regression (session 16): an inbound `ot=th` that the trace's own randomness fails (the caller
// kept a trace its threshold rejects) is erased before the decision since 7daa30d, as the OTel
// spec asks, but the erasure was counted nowhere: a caller sending inconsistent thresholds on every
// request left no trace of it in stats() or on /metrics, though every other correction of inbound
// tracestate is counted (tracestateDropped). It is now stats().inboundThresholdsErased and
// plumbline_sampler_inbound_thresholds_erased_total, 0 from the start, once per trace, kept or
// dropped; a consistent threshold and no threshold are not counted. Real parts: createTelemetry
// with the tail sampler, remote parents extracted by the W3C propagator from real headers,
// /metrics scraped over HTTP.
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

const erased = (text: string) => /^plumbline_sampler_inbound_thresholds_erased_total (\d+)$/m.exec(text)?.[1];

describe('regression: an inconsistent inbound threshold erased, counted nowhere', () => {
  it('counts each erased one in stats() and on /metrics, 0 from the start', async () => {
    telemetry = createTelemetry(spec, { logDestination: captureLines().destination, registerGlobal: false });
    expect(telemetry.sampler!.stats().inboundThresholdsErased).toBe(0);
    expect(erased(await scrapeTelemetry(telemetry))).toBe('0');

    const propagator = new W3CTraceContextPropagator();
    const tracer = telemetry.tracerProvider.getTracer('regression');
    // Randomness ce929d0e0e4736 (the trace ID's last 14 digits): th:f (keep above f0...) is failed,
    // so inconsistent; th:c is passed; rv:00000000000001 fails th:8. Errors are kept, the rest dropped.
    const sent: [string, string | undefined, boolean][] = [
      ['4bf92f3577b34da6a3ce929d0e0e4736', 'ot=th:f', true],
      ['4bf92f3577b34da6a4ce929d0e0e4736', 'ot=th:f', false],
      ['4bf92f3577b34da6a5ce929d0e0e4736', 'ot=th:8;rv:00000000000001,other=x', true],
      ['4bf92f3577b34da6a6ce929d0e0e4736', 'ot=th:c', true],
      ['4bf92f3577b34da6a7ce929d0e0e4736', 'ot=rv:ffffffffffffff', true],
      ['4bf92f3577b34da6a8ce929d0e0e4736', undefined, true],
    ];
    for (const [traceId, tracestate, error] of sent) {
      const headers: Record<string, string> = { traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
      if (tracestate !== undefined) headers['tracestate'] = tracestate;
      const parent = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
      const span = tracer.startSpan('GET /a', {}, parent);
      if (error) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    await telemetry.forceFlush();

    expect(telemetry.sampler!.stats().decisions.errors).toEqual({ keep: 5, drop: 0 });
    expect(telemetry.sampler!.stats().inboundThresholdsErased).toBe(3);
    const after = await scrapeTelemetry(telemetry);
    expect(after).toMatch(/^# TYPE plumbline_sampler_inbound_thresholds_erased_total counter$/m);
    expect(erased(after)).toBe('3');
  });
});
