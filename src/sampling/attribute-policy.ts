// Keeps traces where any span, or the resource of any span, has a string attribute with one of the
// listed values, like the collector's string_attribute policy (resource OR span); non-string values
// never match. The resource is checked on its own, not only when the span lacks the key: a span's
// tier=silver hid its resource's tier=gold, so the SDK dropped traces the gateway kept
// (regression: attribute-policy-ignores-resource-when-span-has-key).
import type { PolicySpan, TraceView } from './policy.js';
import { SpanMatchPolicy } from './policy.js';

export class AttributePolicy extends SpanMatchPolicy {
  readonly kind = 'attribute';
  private readonly values: ReadonlySet<string>;

  constructor(
    name: string,
    private readonly key: string,
    values: readonly string[],
  ) {
    super(name);
    this.values = new Set(values);
  }

  // The spans of a process share one resource object: it is read once per trace, not per span
  // (an SDK resource's `attributes` is a getter, rebuilt on each read while async attributes settle).
  protected override matches(trace: TraceView): boolean {
    const spans = trace.spans;
    let checked: PolicySpan['resource'] | undefined;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      if (this.listed(span.attributes[this.key])) return true;
      const resource = span.resource;
      if (resource !== checked) {
        if (this.listed(resource.attributes[this.key])) return true;
        checked = resource;
      }
    }
    return false;
  }

  protected matchesSpan(span: PolicySpan): boolean {
    return this.listed(span.attributes[this.key]) || this.listed(span.resource.attributes[this.key]);
  }

  private listed(value: unknown): boolean {
    return typeof value === 'string' && this.values.has(value);
  }
}
