// createTelemetry's propagator: W3C trace context (with tracestate) and baggage when the app has
// none, removed on shutdown; an app's own propagator is kept, also after shutdown.
import {
  propagation,
  ROOT_CONTEXT,
  trace,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, type Telemetry } from '../../src/index.js';
import { ordersSpec, type OrdersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

let telemetry: Telemetry<OrdersSpec> | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  propagation.disable();
});

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('createTelemetry propagator', () => {
  it('registers W3C trace context and baggage when the app has none, and removes it on shutdown', async () => {
    expect(propagation.fields()).toEqual([]);
    telemetry = createTelemetry(ordersSpec, { logDestination: captureLines().destination });
    expect(propagation.fields()).toEqual(expect.arrayContaining(['traceparent', 'tracestate', 'baggage']));

    // In: the client's span becomes the remote parent, tracestate included.
    const incoming = propagation.extract(ROOT_CONTEXT, {
      traceparent: TRACEPARENT,
      tracestate: 'ot=th:8',
    });
    const remote = trace.getSpanContext(incoming)!;
    expect(remote).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', isRemote: true });
    expect(remote.traceState?.get('ot')).toBe('th:8');
    const server = telemetry.tracer.startSpan('server', {}, incoming);
    expect(server.spanContext().traceId).toBe(remote.traceId);

    // Out: the child's traceparent and the tracestate it inherited.
    const headers: Record<string, string> = {};
    propagation.inject(trace.setSpan(ROOT_CONTEXT, server), headers);
    expect(headers.traceparent).toBe(`00-${remote.traceId}-${server.spanContext().spanId}-01`);
    expect(headers.tracestate).toBe('ot=th:8');
    server.end();

    await telemetry.shutdown();
    telemetry = undefined;
    expect(propagation.fields()).toEqual([]);
  });

  it("keeps the app's own propagator, also after shutdown", async () => {
    const custom: TextMapPropagator = {
      inject(_context: Context, carrier: unknown, setter: TextMapSetter) {
        setter.set(carrier, 'x-custom', 'yes');
      },
      extract(context: Context, _carrier: unknown, _getter: TextMapGetter) {
        return context;
      },
      fields: () => ['x-custom'],
    };
    expect(propagation.setGlobalPropagator(custom)).toBe(true);
    telemetry = createTelemetry(ordersSpec, { logDestination: captureLines().destination });
    expect(propagation.fields()).toEqual(['x-custom']);
    await telemetry.shutdown();
    telemetry = undefined;
    expect(propagation.fields()).toEqual(['x-custom']);
  });

  it('leaves the global propagator alone when registerGlobal is false', async () => {
    telemetry = createTelemetry(ordersSpec, {
      logDestination: captureLines().destination,
      registerGlobal: false,
    });
    expect(propagation.fields()).toEqual([]);
  });
});
