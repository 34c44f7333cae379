// Real spans for metrics tests: the OTel SDK's tracer with the AsyncLocalStorage context
// manager, so `trace.getSpan(context.active())` inside a callback is the span that runs it.
import { context, trace, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

export interface Tracing {
  /** Runs `fn` inside a new sampled span and ends the span afterwards. */
  inSpan<T>(fn: (span: Span) => T): T;
  /** Runs `fn` inside a span context whose sampled flag is off. */
  inUnsampledSpan<T>(fn: () => T): T;
  close(): void;
}

export function setupTracing(): Tracing {
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager))
    throw new Error('a global context manager is already registered');
  const tracer = new BasicTracerProvider().getTracer('plumbline-metrics-test');
  let unsampled = 0;
  return {
    inSpan(fn) {
      const span = tracer.startSpan('operation');
      try {
        return context.with(trace.setSpan(context.active(), span), () => fn(span));
      } finally {
        span.end();
      }
    },
    inUnsampledSpan(fn) {
      unsampled++;
      const spanContext = {
        traceId: unsampled.toString(16).padStart(32, 'a'),
        spanId: unsampled.toString(16).padStart(16, 'b'),
        traceFlags: 0,
      };
      return context.with(trace.setSpan(context.active(), trace.wrapSpanContext(spanContext)), fn);
    },
    close() {
      context.disable();
    },
  };
}
