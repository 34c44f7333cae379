// Regression: an inbound `ot=th` that the trace's own randomness fails (randomness < th: the
// caller should not have sampled the trace, an inconsistent decision) was copied through as the
// stricter threshold, so a rule-kept trace went out with `th:f` (adjusted count 16) instead of
// `th:0`. The OTel spec ("TraceState: Probability Sampling", general requirements) says a sampler
// should erase a threshold that is apparently inconsistent: it is erased, and the threshold this
// sampler applied is written. A consistent inbound threshold still wins when it is stricter.
import { defaultTextMapGetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';

function exportedOt(tracestate: string, traceId = '4bf92f3577b34da6a3ce929d0e0e4736'): string | undefined {
  const exporter = new InMemorySpanExporter();
  const processor = new TailSamplingProcessor(
    { decisionWaitMs: 0, policies: [{ name: 'gold', kind: 'attribute', key: 'tier', values: ['gold'] }] },
    new SimpleSpanProcessor(exporter),
  );
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [processor],
  });
  // A real caller's headers, extracted by the W3C propagator as an HTTP server would.
  const headers = { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, tracestate };
  const parent = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  expect(trace.getSpanContext(parent)?.traceState?.get('ot')).toBe(tracestate.replace(/^.*ot=/, ''));
  provider
    .getTracer('regression')
    .startSpan('consume', { attributes: { tier: 'gold' } }, parent)
    .end();
  const [span] = exporter.getFinishedSpans();
  expect(span?.spanContext().traceId).toBe(traceId);
  return span?.spanContext().traceState?.get('ot');
}

describe('an inconsistent inbound threshold', () => {
  it('is erased when the trace ID randomness fails it', () => {
    // Randomness ce929d0e0e4736 < f0000000000000: th:f should have dropped this trace upstream.
    expect(exportedOt('ot=th:f')).toBe('th:0');
  });

  it('is erased when the explicit rv fails it, and rv is kept', () => {
    expect(exportedOt('ot=th:8;rv:00000000000001')).toBe('th:0;rv:00000000000001');
  });

  it('is kept when the randomness passes it (the stricter threshold wins)', () => {
    expect(exportedOt('ot=th:c')).toBe('th:c');
    expect(exportedOt('ot=th:8;rv:80000000000000')).toBe('th:8;rv:80000000000000');
  });
});
