// The W3C propagators createTelemetry installs when the app has none: traceparent and
// tracestate (so the tail sampler's `ot=th` travels) plus baggage, the pair OTel's NodeSDK
// defaults to. An app that registered its own propagator keeps it.
import { propagation } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Registers W3C trace context and baggage as the global propagator unless one is registered
 * (the no-op propagator injects no fields). Returns whether it registered, so shutdown only
 * unregisters what it installed.
 */
export function registerDefaultPropagator(): boolean {
  if (propagation.fields().length > 0) return false;
  return propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
}
