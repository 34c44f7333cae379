// Keeps every trace with an error: a span with status ERROR, or an HTTP 5xx response code
// (http.response.status_code, or the pre-1.21 semconv http.status_code). Both are ints in the
// semantic conventions, and the collector's numeric_attribute reads integers only: a "503" string
// or 503.5 is no 5xx here either, so both tiers keep the same traces (regression:
// errors-policy-counts-string-status-as-5xx.test.ts). numeric_attribute reads the resource's
// attribute as well as a span's (status_code reads the span's status only), and so does this
// policy (regression: errors-policy-ignores-status-code-on-resource.test.ts).
import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { PolicySpan, TraceView } from './policy.js';
import { resourceAttributes, SpanMatchPolicy } from './policy.js';

/** A span with status ERROR or an HTTP 5xx status code of its own (its resource is not read). */
export function isErrorSpan(span: PolicySpan): boolean {
  return span.status.code === SpanStatusCode.ERROR || has5xx(span.attributes);
}

function has5xx(attributes: Attributes): boolean {
  return is5xx(attributes['http.response.status_code']) || is5xx(attributes['http.status_code']);
}

function is5xx(value: unknown): boolean {
  return typeof value === 'number' && value >= 500 && value <= 599 && Number.isInteger(value);
}

export class ErrorsPolicy extends SpanMatchPolicy {
  readonly kind = 'errors';

  // An error span cut by the caps is an error all the same
  // (test/regression/error-span-cut-by-the-caps-drops-its-trace.test.ts).
  protected override matches(trace: TraceView): boolean {
    return trace.cutErrors === true || super.matches(trace);
  }

  protected matchesSpan(span: PolicySpan): boolean {
    return isErrorSpan(span);
  }

  // The answer for the last attributes object read: an SDK resource returns the same object once its
  // async attributes have settled, so most traces cost one identity check here, not two lookups.
  private resourceAttributes: Attributes | undefined = undefined;
  private resourceHas5xx = false;

  protected override matchesResource(resource: PolicySpan['resource']): boolean {
    const attributes = resourceAttributes(resource);
    if (attributes !== this.resourceAttributes) {
      this.resourceHas5xx = has5xx(attributes);
      this.resourceAttributes = attributes;
    }
    return this.resourceHas5xx;
  }
}
