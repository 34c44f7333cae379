// Regression (sampler review): an app that sets attributes from parsed JSON
// (`span.setAttributes(JSON.parse(body).tags)`) lets a client send `{"__proto__": ["a", "b"]}`:
// JSON.parse makes `__proto__` an own key, and the SDK's `attributes[key] = value` then gives
// the span's attributes object that array as its prototype. The SDK exports own keys only, but
// the tail sampler read the attributes with for-in, inherited keys included: a kept span was
// exported with attributes "0": "a" and "1": "b" the app never set (a held span written into
// the slab, and the attributes of every kept span). Own keys only now.
import { describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { POLICY_ATTRIBUTE } from '../../src/sampling/sampled-span.js';
import { rig } from '../sampling/harness.js';

const SPEC: SamplingSpec = { decisionWaitMs: 100, policies: [{ name: 'errors', kind: 'errors' }] };
const TAGS = '{"__proto__": ["injected", "values"], "order.id": "42"}';

describe('an attribute named __proto__ adds indexed attributes', () => {
  it('adds none to a span held through the grace', () => {
    const r = rig(SPEC);
    const span = r.tracer.startSpan('GET /orders', { kind: SpanKind.SERVER });
    span.setAttributes(JSON.parse(TAGS) as Record<string, string>);
    span.end();
    expect(r.processor.markExemplar(span.spanContext().traceId)).toBe(true); // kept after the grace
    r.clock.advance(100);
    r.processor.decideDue();
    // Before: { '0': 'injected', '1': 'values', 'order.id': '42', ... }.
    expect(r.exported().map((exported) => exported.attributes)).toEqual([
      { 'order.id': '42', [POLICY_ATTRIBUTE]: 'exemplar' },
    ]);
  });

  it('adds none to a span kept at once', () => {
    const r = rig(SPEC);
    const span = r.tracer.startSpan('GET /orders', { kind: SpanKind.SERVER });
    span.setAttributes(JSON.parse(TAGS) as Record<string, string>);
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    expect(r.exported().map((exported) => exported.attributes)).toEqual([
      { 'order.id': '42', [POLICY_ATTRIBUTE]: 'errors' },
    ]);
  });
});
