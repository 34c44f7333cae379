// One exemplar slot per bucket per series (the OTel SDK's aligned-histogram-bucket reservoir),
// preallocated when the series is created. The newest eligible measurement wins its slot:
// Prometheus scrapes cumulative series and stores what is new, so a fresh exemplar per
// scrape is worth more than a uniformly sampled old one.
import { trace, TraceFlags, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { activeContext } from '../active-context.js';
import { coarseNow } from './coarse-clock.js';

/** Settings shared by every reservoir of one `createMetrics` call, fixed at setup. */
export interface ExemplarSettings {
  /** trace_based: only inside a sampled span; always_on: any measurement. */
  readonly requireSampledSpan: boolean;
  readonly now: () => number;
  /**
   * Asked before a span takes a slot, so the tail sampler keeps its trace; returning false
   * (the trace was already dropped, or exemplars kept their share of traces this second) leaves
   * the slot as it was: no exemplar points at a lost trace. Not asked again while the slot holds
   * that span. `span` is the span the exemplar points at; `slotAgeMs` how old the exemplar it
   * would replace is (Infinity for an empty slot; 0 for a counter's slot, which is never rare:
   * see ExemplarPlan.rare).
   */
  readonly onExemplar: ExemplarHook | undefined;
}

/** See ExemplarSettings.onExemplar. */
export type ExemplarHook = (traceId: string, spanId: string, span: Span, slotAgeMs: number) => boolean | void;

/** Per-instrument choices from the spec's `exemplars` section. */
export interface ExemplarPlan {
  /** Slots below this bucket index never store (the spec's `minValue`). */
  readonly firstBucket: number;
  /** Stored exemplars per second per series; Infinity for no limit. */
  readonly maxPerSecond: number;
  /**
   * Whether an empty or old slot is rare, and may use the part of the exemplar keep limit held
   * back for such slots: a histogram's (its slow buckets are what exemplars are for), not a
   * counter's, whose one slot per series is filled by nearly every traced request and would
   * otherwise take the reserve first (exemplar-keep-limit.ts).
   */
  readonly rare: boolean;
  /**
   * The instrument's declared attributes (its series' labels): the rest of a measurement's
   * attributes are what an exemplar keeps, copied when it takes a slot.
   */
  readonly declared: readonly string[];
}

/** An exemplar whose measurement carried no undeclared attribute: nothing copied, nothing allocated. */
const NO_ATTRIBUTES: Attributes = Object.freeze({});

const INVALID_TRACE_ID = '00000000000000000000000000000000';

/**
 * What an exemplar points at, read once per span and shared by every slot it fills: a slot
 * keeps a reference, so a record in the span already in its slot compares one pointer, stores
 * none (no GC write barrier) and does not ask `onExemplar` again. It holds the IDs only: a slot
 * must not keep an ended span (its attributes, events) alive.
 */
export interface ExemplarTrace {
  /** '' for an always_on measurement outside any span (no trace labels). */
  readonly traceId: string;
  readonly spanId: string;
}

/** An empty slot, or a measurement outside any span (always_on). */
export const NO_TRACE: ExemplarTrace = Object.freeze({ traceId: '', spanId: '' });

/**
 * The span of the context last offered, per settings (one `createMetrics`): a request records
 * several measurements in one context, and a Context is immutable, so the span lookup is done
 * once per context, and the sampled check and the IDs once per span, instead of once per
 * measurement.
 */
class SpanSource {
  context: Context | undefined;
  /** What the context's measurements point at; undefined when they may give no exemplar. */
  trace: ExemplarTrace | undefined;
  /** The span `trace` was read from (for `onExemplar`). */
  span: Span | undefined;

  constructor(private readonly requireSampledSpan: boolean) {}

  read(context: Context): void {
    this.context = context;
    const span = trace.getSpan(context);
    // Another context of the same span (a child context with a value added): same IDs.
    if (span === this.span && span !== undefined) return;
    this.span = span;
    if (span === undefined) {
      this.trace = this.requireSampledSpan ? undefined : NO_TRACE;
      return;
    }
    const spanContext = span.spanContext();
    if (this.requireSampledSpan && (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) {
      this.trace = undefined;
      return;
    }
    this.trace =
      spanContext.traceId === INVALID_TRACE_ID
        ? NO_TRACE
        : { traceId: spanContext.traceId, spanId: spanContext.spanId };
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
  /** NO_TRACE in an empty slot. */
  readonly traces: ExemplarTrace[];
  /**
   * The measurement's undeclared attributes, copied when it took the slot (an app that reuses or
   * changes its attributes object afterwards does not change the exemplar); they become the
   * exemplar's filtered attributes at scrape time, when the 128-code-point limit is applied.
   */
  readonly attributes: (Attributes | undefined)[];
  private windowStartMs = 0;
  private storedInWindow = 0;
  private readonly source: SpanSource;
  /** An injected clock (tests); undefined for the default, read through the coarse clock. */
  private readonly clock: (() => number) | undefined;
  private readonly firstBucket: number;
  private readonly maxPerSecond: number;
  private readonly rare: boolean;
  private readonly declared: readonly string[];
  private readonly onExemplar: ExemplarSettings['onExemplar'];

  constructor(size: number, settings: ExemplarSettings, plan: ExemplarPlan) {
    this.values = new Float64Array(size);
    this.timesMs = new Float64Array(size).fill(NaN);
    this.traces = Array.from({ length: size }, () => NO_TRACE);
    this.attributes = Array.from({ length: size }, () => undefined);
    this.source = sourceFor(settings);
    this.clock = settings.now === Date.now ? undefined : settings.now;
    this.firstBucket = plan.firstBucket;
    this.maxPerSecond = plan.maxPerSecond;
    this.rare = plan.rare;
    // As property keys: a for-in key then equals its declared name by pointer.
    this.declared = plan.declared.map(propertyKey);
    this.onExemplar = settings.onExemplar;
  }

  /**
   * `recordContext` is the context the caller passed to record/add (OTel's `context` argument);
   * without one the active context is read. `attributesKept`: `attributes` came from `keep`
   * already (a bound handle's, copied once when it was bound), so they are stored as they are.
   */
  offer(
    slot: number,
    value: number,
    attributes: Attributes | undefined,
    recordContext?: Context,
    attributesKept?: boolean,
  ): void {
    if (slot < this.firstBucket) return;
    const source = this.source;
    const measured = recordContext ?? activeContext();
    if (measured !== source.context) {
      try {
        source.read(measured);
      } catch {
        // Not a Context (the app passed something else): the value is counted, with no exemplar.
        source.context = undefined;
        source.span = undefined;
        source.trace = undefined;
        return;
      }
    }
    const exemplarTrace = source.trace;
    if (exemplarTrace === undefined) return;
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
    // A span already in this slot was asked about (and marked) when it got there.
    if (this.traces[slot] !== exemplarTrace) {
      if (
        exemplarTrace !== NO_TRACE &&
        this.onExemplar !== undefined &&
        this.onExemplar(
          exemplarTrace.traceId,
          exemplarTrace.spanId,
          source.span!,
          this.rare ? this.slotAgeMs(slot, nowMs) : 0,
        ) === false
      )
        return;
      this.traces[slot] = exemplarTrace;
    }
    if (limited) this.storedInWindow++;
    this.values[slot] = value;
    this.timesMs[slot] = nowMs;
    const kept = attributesKept === true ? attributes : keptAttributes(attributes, this.declared);
    // A reference store into this long-lived array pays a GC write barrier; compare first (the
    // usual measurement, with declared attributes only, keeps the one shared NO_ATTRIBUTES).
    if (this.attributes[slot] !== kept) this.attributes[slot] = kept;
  }

  /** How old the slot's exemplar is; Infinity for an empty slot or one without a trace. */
  private slotAgeMs(slot: number, nowMs: number): number {
    const time = this.timesMs[slot]!;
    return this.traces[slot] === NO_TRACE || Number.isNaN(time) ? Number.POSITIVE_INFINITY : nowMs - time;
  }

  /** What a slot would keep of these attributes: for a bound handle, whose attributes are fixed. */
  keep(attributes: Attributes | undefined): Attributes | undefined {
    return keptAttributes(attributes, this.declared);
  }

  isFilled(slot: number): boolean {
    return !Number.isNaN(this.timesMs[slot]!);
  }
}

/**
 * A copy of the attributes the instrument does not declare, NO_ATTRIBUTES when there are none.
 * An array value is copied too. Attributes that cannot be walked (a Proxy or a getter that
 * throws) are kept by reference: the scrape reads them as before, leaving out and counting what
 * fails, and the record call never throws.
 */
function keptAttributes(
  attributes: Attributes | undefined,
  declared: readonly string[],
): Attributes | undefined {
  if (typeof attributes !== 'object' || attributes === null) return undefined;
  let copy: Record<string, unknown> | undefined;
  try {
    // A scan of the few declared names, not a Set: Set.has cost 4x the whole copy (micro bench).
    next: for (const key in attributes) {
      for (let i = 0; i < declared.length; i++) if (declared[i] === key) continue next;
      if (!Object.hasOwn(attributes, key)) continue;
      const value: unknown = attributes[key];
      (copy ??= {})[key] = Array.isArray(value) ? value.slice() : value;
    }
  } catch {
    return attributes;
  }
  return copy === undefined ? NO_ATTRIBUTES : (copy as Attributes);
}

/** The name as V8 keeps a property key (internalized), so comparing it with one is a pointer compare. */
function propertyKey(name: string): string {
  return Object.keys({ [name]: true })[0]!;
}
