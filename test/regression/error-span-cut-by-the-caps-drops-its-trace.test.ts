// Regression (sampler review): a span too big for its trace's byte cap (maxBytes / 8) on its own
// is cut and counted. The errors policy reads the held spans, so an error span cut that way was
// unseen: a request whose failing call recorded an exception with a 100,000-character message,
// under a 1 MiB maxBytes (128 KiB a trace), was dropped as no-match (0 spans exported, errors
// keep 0). The trace now remembers that it lost an error span (TraceView.cutErrors), and the
// errors policies (with or without a budget) count it as an error trace.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { CUT_SPANS_ATTRIBUTE, TRUNCATED_ATTRIBUTE } from '../../src/sampling/sampled-span.js';
import { rig } from '../sampling/harness.js';

const LIMITS = { decisionWaitMs: 100, maxBytes: 1024 * 1024 };

function failingRequest(r: ReturnType<typeof rig>): void {
  const root = r.tracer.startSpan('GET /orders', { kind: SpanKind.SERVER });
  const call = r.tracer.startSpan(
    'GET inventory',
    { kind: SpanKind.CLIENT },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  call.recordException(new Error(`upstream said: ${'x'.repeat(100_000)}`));
  call.setStatus({ code: SpanStatusCode.ERROR });
  call.end();
  root.end();
  r.clock.advance(100);
  r.processor.decideDue();
}

describe('an error span cut by the caps', () => {
  it('still makes its trace an error trace for the errors policy', () => {
    const spec: SamplingSpec = { ...LIMITS, policies: [{ name: 'errors', kind: 'errors' }] };
    const r = rig(spec);
    failingRequest(r);
    // Before: [] and no-match drop 1.
    expect(r.exported().map((span) => span.name)).toEqual(['GET /orders']);
    const root = r.exported()[0]!;
    expect(root.attributes[TRUNCATED_ATTRIBUTE]).toBe(true);
    expect(root.attributes[CUT_SPANS_ATTRIBUTE]).toBe(1);
    expect(r.processor.stats().decisions['errors']).toEqual({ keep: 1, drop: 0 });
    expect(r.processor.stats().truncatedSpans).toBe(1);
  });

  it('counts it against an errors budget', () => {
    const spec: SamplingSpec = {
      ...LIMITS,
      policies: [{ name: 'errors', kind: 'errors', budget: { tracesPerSecond: 5 } }],
    };
    const r = rig(spec);
    failingRequest(r);
    expect(r.processor.stats().decisions['errors']).toEqual({ keep: 1, drop: 0 });
  });

  it('leaves a trace whose cut span had no error to the other policies', () => {
    const spec: SamplingSpec = { ...LIMITS, policies: [{ name: 'errors', kind: 'errors' }] };
    const r = rig(spec);
    const root = r.tracer.startSpan('GET /orders', { kind: SpanKind.SERVER });
    const call = r.tracer.startSpan('GET inventory', {}, trace.setSpan(ROOT_CONTEXT, root));
    call.addEvent('response', { body: 'x'.repeat(100_000) });
    call.end();
    root.end();
    r.clock.advance(100);
    r.processor.decideDue();
    expect(r.exported()).toHaveLength(0);
    expect(r.processor.stats().decisions['no-match']).toEqual({ keep: 0, drop: 1 });
  });
});
