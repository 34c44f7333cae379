// Keeps slow traces: the local root's duration at or over a threshold (per route where given),
// compared in whole milliseconds like the collector's latency policy (duration >= threshold_ms).
// A route applies when the resource or any span of the trace carries it, as the generated
// collector policies read it (string_attribute: resource OR span); the default threshold applies
// only when no listed route is carried anywhere (regression: latency-route-on-resource-ignored),
// a span the per-trace caps cut included.
import type { PolicySpan, TraceView } from './policy.js';
import { BaseSamplingPolicy, resourceAttributes } from './policy.js';

export interface LatencyPolicyOptions {
  readonly thresholdMs: number;
  readonly routes?: Readonly<Record<string, number>>;
  /** Attribute naming the route, on a span of the trace or on the resource. Default http.route. */
  readonly routeAttribute?: string;
}

type Resource = PolicySpan['resource'];

export class LatencyPolicy extends BaseSamplingPolicy {
  readonly kind = 'latency';
  private readonly thresholdMs: number;
  private readonly routes: ReadonlyMap<string, number>;
  private readonly routeAttribute: string;
  /** The lowest threshold of all: a trace faster than it is kept by no route (most traces). */
  private readonly lowestThresholdMs: number;
  readonly carriedAttributes: readonly string[];

  constructor(name: string, options: LatencyPolicyOptions) {
    super(name);
    this.thresholdMs = options.thresholdMs;
    this.routes = new Map(Object.entries(options.routes ?? {}));
    this.routeAttribute = options.routeAttribute ?? 'http.route';
    this.lowestThresholdMs = Math.min(this.thresholdMs, ...this.routes.values());
    this.carriedAttributes = this.routes.size > 0 ? [this.routeAttribute] : [];
  }

  /** The threshold that applies to a route (the default when the route has none). */
  thresholdFor(route: unknown): number {
    return this.routeThreshold(route) ?? this.thresholdMs;
  }

  protected matches(trace: TraceView): boolean {
    if (trace.rootDurationMs === undefined) return false;
    const durationMs = Math.trunc(trace.rootDurationMs);
    if (!(durationMs >= this.lowestThresholdMs)) return false;
    if (this.routes.size === 0) return true;
    // Every listed route the trace carries may keep it; the default only when it carries none.
    const root = trace.localRoot;
    let listed = false;
    let checked: Resource | undefined;
    if (root !== undefined) {
      const own = this.routeThreshold(root.attributes[this.routeAttribute]);
      if (own !== undefined) {
        if (durationMs >= own) return true;
        listed = true;
      }
      checked = root.resource;
      const onResource = this.routeThreshold(resourceAttributes(checked)[this.routeAttribute]);
      if (onResource !== undefined) {
        if (durationMs >= onResource) return true;
        listed = true;
      }
    }
    const spans = trace.spans;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      if (span === root) continue;
      const own = this.routeThreshold(span.attributes[this.routeAttribute]);
      if (own !== undefined) {
        if (durationMs >= own) return true;
        listed = true;
      }
      if (span.resource !== checked) {
        checked = span.resource;
        const onResource = this.routeThreshold(resourceAttributes(checked)[this.routeAttribute]);
        if (onResource !== undefined) {
          if (durationMs >= onResource) return true;
          listed = true;
        }
      }
    }
    // A route on a span the caps cut (regression: policy-key-on-a-span-cut-by-the-caps-unseen).
    const cut = this.routeThreshold(trace.cutCarried?.[this.routeAttribute]);
    if (cut !== undefined) {
      if (durationMs >= cut) return true;
      listed = true;
    }
    return !listed && durationMs >= this.thresholdMs;
  }

  /**
   * A listed route's threshold, or undefined. An empty value is no route: the collector's
   * string_attribute never matches one.
   */
  private routeThreshold(value: unknown): number | undefined {
    return typeof value === 'string' && value !== '' ? this.routes.get(value) : undefined;
  }
}
