// Keeps every trace with an error: a span with status ERROR, or an HTTP 5xx response code
// (http.response.status_code, or the pre-1.21 semconv http.status_code).
import { SpanStatusCode } from '@opentelemetry/api';
import type { PolicySpan } from './policy.js';
import { SpanMatchPolicy } from './policy.js';

export function isErrorSpan(span: PolicySpan): boolean {
  if (span.status.code === SpanStatusCode.ERROR) return true;
  const attributes = span.attributes;
  return is5xx(attributes['http.response.status_code']) || is5xx(attributes['http.status_code']);
}

function is5xx(value: unknown): boolean {
  const code = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return code >= 500 && code <= 599;
}

export class ErrorsPolicy extends SpanMatchPolicy {
  readonly kind = 'errors';

  protected matchesSpan(span: PolicySpan): boolean {
    return isErrorSpan(span);
  }
}
