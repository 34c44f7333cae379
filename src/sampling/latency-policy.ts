// Keeps slow traces: the local root's duration at or over a threshold (per route where given),
// compared in whole milliseconds like the collector's latency policy (duration >= threshold_ms).
import type { TraceView } from './policy.js';
import { BaseSamplingPolicy } from './policy.js';

export interface LatencyPolicyOptions {
  readonly thresholdMs: number;
  readonly routes?: Readonly<Record<string, number>>;
  /** Attribute of the local root naming the route. Default http.route. */
  readonly routeAttribute?: string;
}

export class LatencyPolicy extends BaseSamplingPolicy {
  readonly kind = 'latency';
  private readonly thresholdMs: number;
  private readonly routes: ReadonlyMap<string, number>;
  private readonly routeAttribute: string;

  constructor(name: string, options: LatencyPolicyOptions) {
    super(name);
    this.thresholdMs = options.thresholdMs;
    this.routes = new Map(Object.entries(options.routes ?? {}));
    this.routeAttribute = options.routeAttribute ?? 'http.route';
  }

  /** The threshold that applies to a route (the default when the route has none). */
  thresholdFor(route: unknown): number {
    return (typeof route === 'string' ? this.routes.get(route) : undefined) ?? this.thresholdMs;
  }

  protected matches(trace: TraceView): boolean {
    if (trace.rootDurationMs === undefined) return false;
    const route = trace.localRoot?.attributes[this.routeAttribute];
    return Math.trunc(trace.rootDurationMs) >= this.thresholdFor(route);
  }
}
