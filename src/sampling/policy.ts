// What a sampling policy sees and answers. Users extend it: implement `SamplingPolicy`, or
// extend `BaseSamplingPolicy` (trace-level rule) or `SpanMatchPolicy` (keep when any span matches).
import type { Attributes, HrTime, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';

/** The part of a span policies read; every ReadableSpan has it. */
export interface PolicySpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly duration: HrTime;
  readonly parentSpanContext?: SpanContext;
  readonly resource: { readonly attributes: Attributes };
  spanContext(): SpanContext;
}

/**
 * A resource's attributes as a policy reads them. An OTel SDK resource whose async attributes are
 * still pending (NodeSDK's detectors, for a while after start) logs a diag error on every read of
 * `attributes`: its settled ones are read through the public `getRawAttributes()` instead, without
 * it (regression: resource-read-before-async-attributes-settled-logs-diag-errors).
 */
export function resourceAttributes(resource: PolicySpan['resource']): Attributes {
  const sdk = resource as {
    readonly asyncAttributesPending?: unknown;
    getRawAttributes?: () => ReadonlyArray<readonly [string, unknown]>;
  };
  if (sdk.asyncAttributesPending !== true || typeof sdk.getRawAttributes !== 'function')
    return resource.attributes;
  const settled = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of sdk.getRawAttributes()) {
    if (value === null || value === undefined || isPromiseLike(value)) continue;
    settled[key] ??= value;
  }
  return settled as Attributes;
}

function isPromiseLike(value: unknown): boolean {
  return typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The local part of one trace at decision time. Valid while `evaluate` runs: the processor reuses
 * the object for a later trace, so a policy reads what it needs and does not keep it.
 */
export interface TraceView {
  readonly traceId: string;
  /** The first span of the trace with no local parent (it may still be running if decided early). */
  readonly localRoot: PolicySpan | undefined;
  /**
   * How long the local root ran, in ms; for a trace decided before its root ended (caps, age,
   * shutdown), how long it has been open so far. Undefined when no local root was seen.
   */
  readonly rootDurationMs: number | undefined;
  /** The buffered ended spans (a truncated trace holds its root, its errors and what fit). */
  readonly spans: readonly PolicySpan[];
  /** A metric exemplar points at this trace (`markExemplar`). */
  readonly exemplar: boolean;
  /** 14 hex digits: `rv` from tracestate or the last 7 bytes of the trace ID. */
  readonly randomness: string;
  /** A span of this trace links to a trace that was kept (see LinkedPolicy). */
  readonly linkedKept?: boolean;
  /**
   * A span with an error was not held (too big for the trace's caps on its own, or displaced):
   * the trace has an error `spans` does not show.
   */
  readonly cutErrors?: boolean;
  /**
   * The built-in policies (`matchesCutSpan`) that matched a span the per-trace caps did not hold:
   * the trace has a span they would keep it for that `spans` does not show.
   */
  readonly cutMatches?: readonly SamplingPolicy[];
  /**
   * What spans the per-trace caps did not hold carried of the attributes the built-in policies
   * read from any span of a trace (`carriedAttributes`: a latency policy's route, a budget's
   * key): the first value of each, so a route or a key on a cut span still counts.
   */
  readonly cutCarried?: Attributes;
}

export type Verdict = 'keep' | 'drop' | 'abstain';

export interface PolicyDecision {
  readonly verdict: Verdict;
  /** For probabilistic keeps: the 14-digit threshold the trace passed (`ot=th`). */
  readonly threshold?: string;
}

export const KEEP: PolicyDecision = Object.freeze({ verdict: 'keep' });
export const DROP: PolicyDecision = Object.freeze({ verdict: 'drop' });
export const ABSTAIN: PolicyDecision = Object.freeze({ verdict: 'abstain' });
/**
 * A drop by a kept-rate ceiling (the budget's): a trace that passed its threshold and was refused
 * all the same. The processor tells it from other drops: a span that ends during the grace can
 * still move the trace to an earlier rule, and then the refusal dropped nothing.
 */
export const CEILING_DROP: PolicyDecision = Object.freeze({ verdict: 'drop' });

/**
 * One rule of the ordered chain: the first policy that does not abstain decides. A policy must
 * be deterministic over the trace (or, like the budget, over its randomness) so that adjusted
 * counts written to `ot=th` stay unbiased.
 */
export interface SamplingPolicy {
  readonly name: string;
  readonly kind: string;
  evaluate(trace: TraceView, nowMs: number): PolicyDecision;
  /** Current thresholds by key (budget policies), for `stats()`. */
  thresholds?(): Readonly<Record<string, string>>;
  /**
   * Keeps refused by a kept-rate ceiling (budget policies), for `stats()`: those answered with
   * CEILING_DROP that an earlier rule overruled later are taken off there.
   */
  ceilingDrops?(): number;
  /**
   * Asked (of the built-in policies only) about a span the per-trace caps are about to cut; a yes
   * is remembered on its trace (`TraceView.cutMatches`), so the policy still sees it.
   */
  matchesCutSpan?(span: PolicySpan): boolean;
  /**
   * The span attributes (of the built-in policies only) read from any span of a trace: a span the
   * per-trace caps cut leaves its values of them on the trace (`TraceView.cutCarried`).
   */
  readonly carriedAttributes?: readonly string[];
}

/** A policy that keeps when `matches` says so and abstains otherwise. */
export abstract class BaseSamplingPolicy implements SamplingPolicy {
  abstract readonly kind: string;
  constructor(readonly name: string) {}

  evaluate(trace: TraceView, nowMs: number): PolicyDecision {
    return this.matches(trace, nowMs) ? KEEP : ABSTAIN;
  }

  /** Hook: whether this trace must be kept. */
  protected abstract matches(trace: TraceView, nowMs: number): boolean;
}

/**
 * A policy that keeps a trace when any of its spans, or the resource a span carries, matches (like
 * the collector's span policies, which read a resource's attributes OR a span's).
 */
export abstract class SpanMatchPolicy extends BaseSamplingPolicy {
  // The spans of a process share one resource object: it is read once per trace, not per span (an
  // SDK resource's `attributes` is a getter, rebuilt on each read while async attributes settle).
  protected matches(trace: TraceView): boolean {
    const spans = trace.spans;
    let checked: PolicySpan['resource'] | undefined;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      if (this.matchesSpan(span)) return true;
      const resource = span.resource;
      if (resource !== checked) {
        if (this.matchesResource(resource)) return true;
        checked = resource;
      }
    }
    return false;
  }

  /** Hook: whether this span makes its trace worth keeping. */
  protected abstract matchesSpan(span: PolicySpan): boolean;

  /**
   * Hook: whether this resource makes every trace whose spans carry it worth keeping. Asked once
   * per trace for each resource its spans carry (their own attributes go to `matchesSpan`). No by
   * default.
   */
  protected matchesResource(_resource: PolicySpan['resource']): boolean {
    return false;
  }
}
