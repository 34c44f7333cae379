// Readiness: may a load balancer send this instance more work? Not while draining or with a
// saturated queue (more work would only be shed). A firing SLO page alert is reported and turns
// the status to "degraded", but keeps the instance in rotation: pulling every replica out
// because the fleet burns budget would turn a slow service into a down one.
import type { SloStatusView } from './telemetry-port.js';

export interface QueueState {
  readonly tenant: string;
  readonly depth: number;
  readonly bound: number;
}

export interface HealthReport {
  readonly status: 'ready' | 'degraded' | 'saturated' | 'draining';
  /** HTTP status for /healthz: 200 when ready or degraded, 503 otherwise. */
  readonly httpStatus: 200 | 503;
  readonly inFlight: { readonly current: number; readonly max: number };
  readonly queues: readonly (QueueState & { readonly saturation: number })[];
  readonly slos: readonly {
    readonly name: string;
    readonly firing: readonly string[];
    readonly errorBudgetRemaining: number;
  }[];
}

/** A queue this full (depth / bound) or an in-flight count this close to its max means saturated. */
export const SATURATION_THRESHOLD = 0.9;

export function assessHealth(input: {
  readonly draining: boolean;
  readonly inFlight: number;
  readonly maxInFlight: number;
  readonly queues: readonly QueueState[];
  readonly slos: readonly SloStatusView[];
}): HealthReport {
  const queues = input.queues.map((q) => ({ ...q, saturation: q.bound === 0 ? 0 : q.depth / q.bound }));
  const slos = input.slos.map((s) => ({
    name: s.slo,
    firing: s.tiers.filter((t) => t.firing).map((t) => `${t.tier} (${t.severity})`),
    errorBudgetRemaining: s.errorBudgetRemaining,
  }));
  const saturated =
    input.inFlight >= input.maxInFlight * SATURATION_THRESHOLD ||
    queues.some((q) => q.saturation >= SATURATION_THRESHOLD);
  const paging = input.slos.some((s) => s.tiers.some((t) => t.firing && t.severity === 'page'));
  const status = input.draining ? 'draining' : saturated ? 'saturated' : paging ? 'degraded' : 'ready';
  return {
    status,
    httpStatus: status === 'ready' || status === 'degraded' ? 200 : 503,
    inFlight: { current: input.inFlight, max: input.maxInFlight },
    queues,
    slos,
  };
}
