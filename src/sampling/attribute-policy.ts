// Keeps traces where any span, or the resource of any span, has a string attribute with one of the
// listed values, like the collector's string_attribute policy (resource OR span); non-string values
// never match. The resource is checked on its own, not only when the span lacks the key: a span's
// tier=silver hid its resource's tier=gold, so the SDK dropped traces the gateway kept
// (regression: attribute-policy-ignores-resource-when-span-has-key). SpanMatchPolicy asks
// `matchesSpan` for each span and `matchesResource` once per trace, so a subclass overriding either
// hook is heard (regression: attribute-policy-matches-span-hook-never-called).
import type { PolicySpan, TraceView } from './policy.js';
import { resourceAttributes, SpanMatchPolicy } from './policy.js';

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

  // A span with a listed value cut by the caps keeps its trace all the same.
  protected override matches(trace: TraceView): boolean {
    return trace.cutMatches?.includes(this) === true || super.matches(trace);
  }

  matchesCutSpan(span: PolicySpan): boolean {
    return this.matchesSpan(span);
  }

  /** The span's own attribute (its resource goes to `matchesResource`). */
  protected matchesSpan(span: PolicySpan): boolean {
    return this.listed(span.attributes[this.key]);
  }

  protected override matchesResource(resource: PolicySpan['resource']): boolean {
    return this.listed(resourceAttributes(resource)[this.key]);
  }

  private listed(value: unknown): boolean {
    return typeof value === 'string' && this.values.has(value);
  }
}
