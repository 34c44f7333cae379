// A span's IDs for the log envelope: the span of the context the caller passed, else of the
// active context; absent outside a span or for an invalid span context.
import { isSpanContextValid, trace, type Context } from '@opentelemetry/api';
import { activeContext } from '../active-context.js';

export interface TraceFields {
  trace_id: string;
  span_id: string;
  trace_flags: string;
}

/**
 * The envelope's trace fields for the span in `context` (default: the active context), or
 * undefined outside one. Passing the request's context spares a `context.with` around the call.
 */
export function activeTraceFields(context?: Context): TraceFields | undefined {
  const span = trace.getSpan(context ?? activeContext());
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
