// Keeps traces where any span (or its resource) has a string attribute with one of the listed
// values, like the collector's string_attribute policy; non-string values never match.
import type { PolicySpan } from './policy.js';
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

  protected matchesSpan(span: PolicySpan): boolean {
    const value = span.attributes[this.key] ?? span.resource.attributes[this.key];
    return typeof value === 'string' && this.values.has(value);
  }
}
