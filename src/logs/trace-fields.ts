// The active span's IDs for the log envelope; absent outside a span or for an invalid context.
import { context, isSpanContextValid, trace } from '@opentelemetry/api';

export interface TraceFields {
  trace_id: string;
  span_id: string;
  trace_flags: string;
}

/** Returns the envelope's trace fields for the active span, or undefined outside one. */
export function activeTraceFields(): TraceFields | undefined {
  const span = trace.getSpan(context.active());
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return undefined;
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags:
      spanContext.traceFlags < 16
        ? '0' + spanContext.traceFlags.toString(16)
        : spanContext.traceFlags.toString(16),
  };
}
