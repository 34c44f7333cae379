// Regression (session 16): the tail sampler writes its `ot=th` on a kept span through set() on the
// span's inbound TraceState. An app's own TraceState whose set() answers a state of its own that
// cannot serialize (serialize() throws) passed the sampler, and threw in the OTLP exporter while
// it encoded the batch: the whole batch was lost, every other trace in it too, and nothing said
// which. The sampler now serializes the kept state itself, once per inbound state, and replaces one
// that throws (or gives no string) with its own `ot` alone, counted in stats().tracestateErrors.
// Real parts: createTelemetry with the tail sampler, the SDK's BatchSpanProcessor and OTLP/HTTP
// exporter, a real HTTP receiver on loopback.
import { ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags, type TraceState } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { startRecordingReceiver } from '../support/otlp-recording-receiver.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What the app's set() answers: reads work, serialize() throws. */
class UnserializableTraceState implements TraceState {
  constructor(private readonly members: ReadonlyMap<string, string>) {}
  set(key: string, value: string): TraceState {
    // The updated member first, as W3C asks.
    const members = new Map([[key, value]]);
    for (const [other, was] of this.members) if (other !== key) members.set(other, was);
    return new UnserializableTraceState(members);
  }
  unset(key: string): TraceState {
    const members = new Map(this.members);
    members.delete(key);
    return new UnserializableTraceState(members);
  }
  get(key: string): string | undefined {
    return this.members.get(key);
  }
  serialize(): string {
    throw new Error('cannot serialize');
  }
}

const spec = defineTelemetry({
  service: { name: 'shop', version: '1.0.0' },
  events: {},
  sampling: { decisionWaitMs: 0, policies: [{ name: 'errors', kind: 'errors' }] },
});

interface OtlpSpan {
  name: string;
  traceState?: string;
}

function exportedSpans(bodies: unknown[]): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  for (const body of bodies)
    for (const resource of (body as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] })
      .resourceSpans)
      for (const scope of resource.scopeSpans) spans.push(...scope.spans);
  return spans;
}

describe('regression: a tracestate that cannot serialize loses its export batch', () => {
  it('exports both traces of the batch, the bad one with our ot alone, and counts it', async () => {
    const receiver = await startRecordingReceiver(cleanups);
    const telemetry = createTelemetry(spec, {
      logDestination: captureLines().destination,
      registerGlobal: false,
      otlpEndpoint: receiver.url,
      otlpLogs: false,
    });
    cleanups.push(() => telemetry.shutdown());
    const tracer = telemetry.tracerProvider.getTracer('regression');

    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new UnserializableTraceState(
        new Map([
          ['vendor', 'x'],
          ['ot', 'rv:ffffffffffffff'],
        ]),
      ),
    });
    const bad = tracer.startSpan('GET /bad', {}, parent);
    bad.setStatus({ code: SpanStatusCode.ERROR });
    expect(() => bad.end()).not.toThrow();
    const good = tracer.startSpan('GET /good');
    good.setStatus({ code: SpanStatusCode.ERROR });
    good.end();

    await telemetry.forceFlush();
    const spans = exportedSpans(
      receiver.posts.filter((post) => post.path === '/v1/traces').map((post) => post.body),
    );
    expect(spans.map((span) => span.name).sort()).toEqual(['GET /bad', 'GET /good']);
    expect(spans.find((span) => span.name === 'GET /bad')!.traceState).toBe('ot=th:0;rv:ffffffffffffff');
    expect(spans.find((span) => span.name === 'GET /good')!.traceState).toBe('ot=th:0');
    expect(telemetry.sampler!.stats().tracestateErrors).toBe(1);
  });
});
