// Regression: sub-keys of the caller's `ot` tracestate value that the spec's grammar refuses were
// copied into the kept spans' `ot` beside our `th`: a malformed member (`Bad:1`, `foo`), an `rv`
// that is not 14 lowercase hex digits (ignored for the decision, the trace ID was used) and a key
// given twice. A strict reader refuses the whole value (the collector's pkg/sampling parser
// answers a syntax error for a bad member or rv), so our threshold was lost downstream. They are
// left out now (counted), the first of a repeated key stays, and a repeated `th` is erased: with
// two values the caller's probability is unknown. An uppercase `th` was, and is, ignored.
import { defaultTextMapGetter, ROOT_CONTEXT } from '@opentelemetry/api';
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

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'; // randomness ce929d0e0e4736

function exportedOt(ot: string): string | undefined {
  const exporter = new InMemorySpanExporter();
  const processor = new TailSamplingProcessor(
    { decisionWaitMs: 0, policies: [{ name: 'gold', kind: 'attribute', key: 'tier', values: ['gold'] }] },
    new SimpleSpanProcessor(exporter),
  );
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [processor],
  });
  const headers = { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`, tracestate: `ot=${ot}` };
  const parent = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  provider
    .getTracer('regression')
    .startSpan('consume', { attributes: { tier: 'gold' } }, parent)
    .end();
  const [span] = exporter.getFinishedSpans();
  expect(span?.spanContext().traceId).toBe(TRACE_ID);
  return span?.spanContext().traceState?.get('ot');
}

// The spec's `ot` grammar, as the collector checks it.
const OT_LIST = /^[a-z][a-z0-9]*:[a-zA-Z0-9._-]*(?:;[a-z][a-z0-9]*:[a-zA-Z0-9._-]*)*$/;

describe("malformed sub-keys of the caller's ot value", () => {
  it('leaves out members the grammar refuses', () => {
    const ot = exportedOt('rv:ce929d0e0e4736;Bad:1;foo;x:a b;x1:ok');
    expect(ot).toBe('th:0;rv:ce929d0e0e4736;x1:ok');
    expect(ot).toMatch(OT_LIST);
  });

  it('leaves out an rv that is not 14 lowercase hex digits', () => {
    expect(exportedOt('rv:abc')).toBe('th:0');
    expect(exportedOt('rv:CE929D0E0E4736')).toBe('th:0');
  });

  it('keeps the first of a repeated key', () => {
    expect(exportedOt('rv:80000000000000;rv:00000000000001;x:1;x:2')).toBe('th:0;rv:80000000000000;x:1');
  });

  it('erases a repeated th', () => {
    expect(exportedOt('th:c;th:0')).toBe('th:0');
  });

  it('ignores an uppercase th', () => {
    expect(exportedOt('th:F')).toBe('th:0');
  });
});
