// One exemplar slot per bucket per series (the OTel SDK's aligned-histogram-bucket reservoir),
// preallocated when the series is created. The newest eligible measurement wins its slot:
// Prometheus scrapes cumulative series and stores what is new, so a fresh exemplar per
// scrape is worth more than a uniformly sampled old one.
import { context, trace, TraceFlags, type Attributes, type Context, type Span } from '@opentelemetry/api';

/** Settings shared by every reservoir of one `createMetrics` call, fixed at setup. */
export interface ExemplarSettings {
  /** trace_based: only inside a sampled span; always_on: any measurement. */
  readonly requireSampledSpan: boolean;
  readonly now: () => number;
  /**
   * Asked before an exemplar is stored, so the tail sampler keeps its trace; returning false
   * (the trace was already dropped) leaves the slot as it was: no exemplar points at a lost trace.
   * `span` is the span the exemplar points at.
   */
  readonly onExemplar: ((traceId: string, spanId: string, span: Span) => boolean | void) | undefined;
}

/** Per-instrument choices from the spec's `exemplars` section. */
export interface ExemplarPlan {
  /** Slots below this bucket index never store (the spec's `minValue`). */
  readonly firstBucket: number;
  /** Stored exemplars per second per series; Infinity for no limit. */
  readonly maxPerSecond: number;
}

const INVALID_TRACE_ID = '00000000000000000000000000000000';

export class ExemplarReservoir {
  readonly values: Float64Array;
  /** NaN marks an empty slot. */
  readonly timesMs: Float64Array;
  readonly traceIds: string[];
  readonly spanIds: string[];
  /** The measurement's own attributes, by reference: its undeclared keys become the exemplar's
   * filtered attributes at scrape time, when the 128-code-point limit is applied. */
  readonly attributes: (Attributes | undefined)[];
  private windowStartMs = 0;
  private storedInWindow = 0;

  constructor(
    size: number,
    private readonly settings: ExemplarSettings,
    private readonly plan: ExemplarPlan,
  ) {
    this.values = new Float64Array(size);
    this.timesMs = new Float64Array(size).fill(NaN);
    this.traceIds = new Array<string>(size).fill('');
    this.spanIds = new Array<string>(size).fill('');
    this.attributes = new Array<Attributes | undefined>(size).fill(undefined);
  }

  /**
   * `recordContext` is the context the caller passed to record/add (OTel's `context` argument);
   * without one the active context is read.
   */
  offer(slot: number, value: number, attributes: Attributes | undefined, recordContext?: Context): void {
    if (slot < this.plan.firstBucket) return;
    const settings = this.settings;
    const span = trace.getSpan(recordContext ?? context.active());
    let traceId = '';
    let spanId = '';
    if (span !== undefined) {
      const spanContext = span.spanContext();
      if (settings.requireSampledSpan && (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return;
      if (spanContext.traceId !== INVALID_TRACE_ID) {
        traceId = spanContext.traceId;
        spanId = spanContext.spanId;
      }
    } else if (settings.requireSampledSpan) {
      return;
    }
    const nowMs = settings.now();
    if (nowMs - this.windowStartMs >= 1000) {
      this.windowStartMs = nowMs;
      this.storedInWindow = 0;
    }
    if (this.storedInWindow >= this.plan.maxPerSecond) return;
    if (
      traceId !== '' &&
      settings.onExemplar !== undefined &&
      settings.onExemplar(traceId, spanId, span!) === false
    )
      return;
    this.storedInWindow++;
    this.values[slot] = value;
    this.timesMs[slot] = nowMs;
    this.traceIds[slot] = traceId;
    this.spanIds[slot] = spanId;
    this.attributes[slot] = attributes;
  }

  isFilled(slot: number): boolean {
    return !Number.isNaN(this.timesMs[slot]!);
  }
}
