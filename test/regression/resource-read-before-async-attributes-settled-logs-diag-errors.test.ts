// Regression (session 15): the sampler's errors, attribute and latency policies read the resource
// of a trace's spans once per decided trace (collector parity: its policies read resource OR span
// attributes). NodeSDK's default resource detectors leave async attributes pending for a while after
// start (host.id is read from a file), and an OTel SDK resource logs
// `diag.error('Accessing resource attributes before async attributes settled')` on every read of
// `attributes` while they are: an app with a diag logger saw one error line per decided trace at
// start-up. The policies now read a pending resource's settled attributes through the public
// `getRawAttributes()` instead, so nothing is logged, and a settled attribute still counts.
// Real parts: a real ResourceImpl with a pending attribute, a real tracer provider, the sampler.
import { context, diag, DiagLogLevel, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import type { SamplingSpec } from '../../src/spec/types.js';

const SPEC: SamplingSpec = {
  decisionWaitMs: 0,
  policies: [
    { name: 'errors', kind: 'errors' },
    { name: 'gold', kind: 'attribute', key: 'tier', values: ['gold'] },
    { name: 'slow', kind: 'latency', thresholdMs: 60_000, routes: { '/checkout': 60_000 } },
  ],
};

class Collect implements SpanProcessor {
  readonly ended: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.ended.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

afterEach(() => diag.disable());

describe('a resource whose async attributes are still pending', () => {
  it('is read by the sampling policies without a diag error per decided trace, its settled attributes counting', async () => {
    const errors: string[] = [];
    const note = (message: string) => errors.push(message);
    diag.setLogger(
      { error: note, warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} },
      DiagLogLevel.ERROR,
    );
    let settle: (value: string) => void = () => {};
    const hostId = new Promise<string>((resolve) => (settle = resolve));
    const resource = resourceFromAttributes({ 'service.name': 'shop', tier: 'gold', 'host.id': hostId });
    expect(resource.asyncAttributesPending).toBe(true);
    const next = new Collect();
    const sampler = new TailSamplingProcessor(SPEC, next);
    const provider = new BasicTracerProvider({ resource, spanProcessors: [sampler] });
    const tracer = provider.getTracer('regression');
    for (let i = 0; i < 20; i++) {
      const root = tracer.startSpan('GET /checkout', { attributes: { 'http.route': '/checkout' } });
      tracer.startSpan('db', {}, trace.setSpan(context.active(), root)).end();
      root.end();
    }
    // Every trace kept by the resource's settled tier=gold, none by an error.
    expect(sampler.stats().decisions.gold).toEqual({ keep: 20, drop: 0 });
    expect(next.ended).toHaveLength(40);
    expect(errors.filter((message) => message.includes('async attributes settled'))).toEqual([]);
    settle('host-1');
    await resource.waitForAsyncAttributes?.();
    await provider.shutdown();
  });
});
