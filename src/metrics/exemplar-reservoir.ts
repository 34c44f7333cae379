// One exemplar slot per bucket per series (the OTel SDK's aligned-histogram-bucket reservoir),
// preallocated when the series is created. The newest eligible measurement wins its slot:
// Prometheus scrapes cumulative series and stores what is new, so a fresh exemplar per
// scrape is worth more than a uniformly sampled old one.
import { context, trace, TraceFlags, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { coarseNow } from './coarse-clock.js';

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

/**
 * The span of the context last offered, per settings (one `createMetrics`): a request records
 * several measurements in one context, and a Context is immutable, so the span lookup, the
 * sampled check and the IDs are read once per context instead of once per measurement.
 */
class SpanSource {
  private context: Context | undefined;
  /** The context may give an exemplar (a sampled span, or any measurement with always_on). */
  eligible = false;
  span: Span | undefined;
  traceId = '';
  spanId = '';

  constructor(private readonly requireSampledSpan: boolean) {}

  read(context: Context): void {
    if (context === this.context) return;
    this.context = context;
    const span = trace.getSpan(context);
    this.span = span;
    this.traceId = '';
    this.spanId = '';
    if (span === undefined) {
      this.eligible = !this.requireSampledSpan;
      return;
    }
    const spanContext = span.spanContext();
    this.eligible = !this.requireSampledSpan || (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0;
    if (spanContext.traceId !== INVALID_TRACE_ID) {
      this.traceId = spanContext.traceId;
      this.spanId = spanContext.spanId;
    }
  }
}

const sources = new WeakMap<ExemplarSettings, SpanSource>();

function sourceFor(settings: ExemplarSettings): SpanSource {
  let source = sources.get(settings);
  if (source === undefined) {
    source = new SpanSource(settings.requireSampledSpan);
    sources.set(settings, source);
  }
  return source;
}

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
  private readonly source: SpanSource;
  /** An injected clock (tests); undefined for the default, read through the coarse clock. */
  private readonly clock: (() => number) | undefined;
  private readonly firstBucket: number;
  private readonly maxPerSecond: number;
  private readonly onExemplar: ExemplarSettings['onExemplar'];

  constructor(size: number, settings: ExemplarSettings, plan: ExemplarPlan) {
    this.values = new Float64Array(size);
    this.timesMs = new Float64Array(size).fill(NaN);
    this.traceIds = new Array<string>(size).fill('');
    this.spanIds = new Array<string>(size).fill('');
    this.attributes = new Array<Attributes | undefined>(size).fill(undefined);
    this.source = sourceFor(settings);
    this.clock = settings.now === Date.now ? undefined : settings.now;
    this.firstBucket = plan.firstBucket;
    this.maxPerSecond = plan.maxPerSecond;
    this.onExemplar = settings.onExemplar;
  }

  /**
   * `recordContext` is the context the caller passed to record/add (OTel's `context` argument);
   * without one the active context is read.
   */
  offer(slot: number, value: number, attributes: Attributes | undefined, recordContext?: Context): void {
    if (slot < this.firstBucket) return;
    const source = this.source;
    source.read(recordContext ?? context.active());
    if (!source.eligible) return;
    // A direct call the compiler can inline, rather than a call through a field.
    const nowMs = this.clock === undefined ? coarseNow() : this.clock();
    // Without the spec's maxPerSecond (the usual case) there is no window to keep.
    const limited = this.maxPerSecond !== Infinity;
    if (limited) {
      if (nowMs - this.windowStartMs >= 1000) {
        this.windowStartMs = nowMs;
        this.storedInWindow = 0;
      }
      if (this.storedInWindow >= this.maxPerSecond) return;
    }
    const traceId = source.traceId;
    const spanId = source.spanId;
    if (
      traceId !== '' &&
      this.onExemplar !== undefined &&
      this.onExemplar(traceId, spanId, source.span!) === false
    )
      return;
    if (limited) this.storedInWindow++;
    this.values[slot] = value;
    this.timesMs[slot] = nowMs;
    // A reference store into these long-lived arrays pays a GC write barrier; a span's records
    // mostly repeat the same IDs and attributes, so compare first.
    if (this.traceIds[slot] !== traceId) this.traceIds[slot] = traceId;
    if (this.spanIds[slot] !== spanId) this.spanIds[slot] = spanId;
    if (this.attributes[slot] !== attributes) this.attributes[slot] = attributes;
  }

  isFilled(slot: number): boolean {
    return !Number.isNaN(this.timesMs[slot]!);
  }
}
