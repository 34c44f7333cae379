// Regression (session 16): the tail sampler writes its `ot=th` on a kept span by calling set() on
// the span's inbound TraceState, which is whatever the app's (or a propagator's) context carried,
// and it read get('ot') and serialize() from it, none of it guarded. A TraceState of the app's own
// whose set() throws made span.end() throw into the app (and, decided on the grace timer, an
// uncaught exception), and the trace's spans were never exported. The SDK must never throw into
// the host app: the span is now kept, with what could be read of the state (its other members from
// serialize(), our `ot` at least), and each throwing call is counted: stats().tracestateErrors and
// plumbline_sampler_tracestate_errors_total. Real parts: createTelemetry with the tail sampler and
// a real SDK tracer, the kept spans taken by an in-memory exporter, /metrics scraped over HTTP.
import { ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags, type TraceState } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { scrapeTelemetry } from '../support/scrape-telemetry.js';

let telemetry: Telemetry | undefined;
afterEach(async () => telemetry?.shutdown());

/** A TraceState of the app's own: reads work, or throw too when `readsThrow`; set() and unset() throw. */
class ThrowingTraceState implements TraceState {
  constructor(
    private readonly header: string,
    private readonly readsThrow: boolean,
  ) {}
  set(): TraceState {
    throw new Error('this TraceState is read-only');
  }
  unset(): TraceState {
    throw new Error('this TraceState is read-only');
  }
  get(key: string): string | undefined {
    if (this.readsThrow) throw new Error('unreadable');
    for (const member of this.header.split(',')) {
      const equals = member.indexOf('=');
      if (member.slice(0, equals) === key) return member.slice(equals + 1);
    }
    return undefined;
  }
  serialize(): string {
    if (this.readsThrow) throw new Error('unreadable');
    return this.header;
  }
}

const spec = defineTelemetry({
  service: { name: 'shop', version: '1.0.0' },
  events: {},
  sampling: { decisionWaitMs: 0, policies: [{ name: 'errors', kind: 'errors' }] },
});

const errors = (text: string) => /^plumbline_sampler_tracestate_errors_total (\d+)$/m.exec(text)?.[1];

describe('regression: a TraceState whose set() throws', () => {
  it('keeps the span, never throws into span.end(), and counts each throwing call', async () => {
    const exporter = new InMemorySpanExporter();
    telemetry = createTelemetry(spec, {
      logDestination: captureLines().destination,
      registerGlobal: false,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    expect(telemetry.sampler!.stats().tracestateErrors).toBe(0);
    expect(errors(await scrapeTelemetry(telemetry))).toBe('0');

    const tracer = telemetry.tracerProvider.getTracer('regression');
    const states = [
      new ThrowingTraceState('vendor=x,ot=rv:ffffffffffffff', false),
      new ThrowingTraceState('vendor=x,ot=rv:ffffffffffffff', true),
    ];
    const ends: (() => void)[] = states.map((traceState, i) => {
      const parent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: `4bf92f3577b34da6a3ce929d0e0e473${i}`,
        spanId: '00f067aa0ba902b7',
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
        traceState,
      });
      const span = tracer.startSpan('GET /a', {}, parent);
      span.setStatus({ code: SpanStatusCode.ERROR });
      return () => span.end();
    });
    for (const end of ends) expect(end).not.toThrow();
    await telemetry.forceFlush();

    const exported = exporter.getFinishedSpans();
    expect(exported.map((span) => span.spanContext().traceState?.serialize())).toEqual([
      // set() threw: rebuilt from serialize(), our threshold beside the caller's rv and members.
      'ot=th:0;rv:ffffffffffffff,vendor=x',
      // get() and serialize() threw too: our threshold alone.
      'ot=th:0',
    ]);
    expect(telemetry.sampler!.stats().decisions.errors).toEqual({ keep: 2, drop: 0 });
    // set() once; get() when the trace is read and when its tracestate is built.
    expect(telemetry.sampler!.stats().tracestateErrors).toBe(3);
    expect(errors(await scrapeTelemetry(telemetry))).toBe('3');
  });
});
