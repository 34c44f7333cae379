// Regression (session 15, sampling review): the attribute policy read the spans a trace held, so a
// listed value carried only by a span the per-trace caps cut (maxSpansPerTrace 2: the first child,
// tier=gold, pushed out when the next ended) was unseen and the trace dropped as no-match, while
// the gateway (no caps) kept it: 0 of 1 kept -> 1 of 1. The cut span is shown to the built-in
// policies that ask (`matchesCutSpan`) as it is cut, and a yes is remembered on its trace
// (`TraceView.cutMatches`), as the errors policy remembers a cut error span (`cutErrors`).
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';

it('keeps a trace whose listed attribute was on a span the caps cut', async () => {
  const exporter = new InMemorySpanExporter();
  const processor = new TailSamplingProcessor(
    {
      decisionWaitMs: 0,
      maxSpansPerTrace: 2,
      policies: [{ name: 'gold', kind: 'attribute', key: 'tier', values: ['gold'] }],
    },
    new SimpleSpanProcessor(exporter),
  );
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('x');
  for (const gold of ['b', 'none']) {
    const root = tracer.startSpan('root', { kind: SpanKind.SERVER });
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    tracer.startSpan('b', { attributes: { tier: gold === 'b' ? 'gold' : 'silver' } }, ctx).end();
    tracer.startSpan('a', {}, ctx).end();
    tracer.startSpan('c', {}, ctx).end();
    root.end();
  }
  await provider.forceFlush();
  expect(processor.stats().decisions['gold']).toEqual({ keep: 1, drop: 0 });
  expect(processor.stats().decisions['no-match']).toEqual({ keep: 0, drop: 1 });
  expect(new Set(exporter.getFinishedSpans().map((s) => s.spanContext().traceId)).size).toBe(1);
});
