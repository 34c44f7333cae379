// The propagators createTelemetry installs when the app has none: those OTEL_PROPAGATORS names, as
// NodeSDK reads it, else W3C traceparent and tracestate (so the tail sampler's `ot=th` travels)
// plus baggage, the pair NodeSDK defaults to. An app that registered its own propagator keeps it.
import { diag, propagation, type TextMapPropagator } from '@opentelemetry/api';
import {
  CompositePropagator,
  getStringListFromEnv,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';

/**
 * Registers the propagators of OTEL_PROPAGATORS (default: W3C trace context and baggage) as the
 * global propagator unless one is registered (the no-op propagator injects no fields). Returns
 * whether it registered, so shutdown only unregisters what it installed.
 */
export function registerDefaultPropagator(): boolean {
  if (propagation.fields().length > 0) return false;
  const propagators = propagatorsFromEnv();
  if (propagators.length === 0) return false;
  return propagation.setGlobalPropagator(
    propagators.length === 1 ? propagators[0]! : new CompositePropagator({ propagators }),
  );
}

/**
 * OTEL_PROPAGATORS read as NodeSDK 0.223 reads it (getPropagatorFromEnv): unset or blank, trace
 * context and baggage; `none` anywhere, none; else each name once, in order. createTelemetry has
 * tracecontext and baggage; another name (b3, b3multi, jaeger: their packages are not
 * plumbline's) is warned about and left out. Before, the variable was not read: with
 * OTEL_PROPAGATORS=tracecontext, set to keep baggage from leaving the service, an outgoing
 * request still carried it (baggage header: 1 -> 0). Regression: otel-propagators-ignored.test.ts.
 */
function propagatorsFromEnv(): TextMapPropagator[] {
  const names = getStringListFromEnv('OTEL_PROPAGATORS');
  if (names === undefined || names.length === 0)
    return [new W3CTraceContextPropagator(), new W3CBaggagePropagator()];
  if (names.includes('none')) return [];
  const propagators: TextMapPropagator[] = [];
  for (const name of new Set(names)) {
    if (name === 'tracecontext') propagators.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') propagators.push(new W3CBaggagePropagator());
    else
      diag.warn(
        `plumbline: OTEL_PROPAGATORS names "${name}", which createTelemetry does not provide (it has ` +
          'tracecontext and baggage); left out. Register it yourself with propagation.setGlobalPropagator() ' +
          'before createTelemetry, which then keeps it.',
      );
  }
  return propagators;
}
