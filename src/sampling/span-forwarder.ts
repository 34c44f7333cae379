// Hands kept spans to the next processor, stamped with the decision: the policy name, the
// stricter `ot=th` threshold in tracestate, and dry-run or truncation attributes. A throwing next
// processor is counted, never thrown into the app.
import type { Attributes, Context, TraceState } from '@opentelemetry/api';
import { TraceState as CoreTraceState } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { EXEMPLAR_SPAN_ATTRIBUTE } from '../spec/naming.js';
import type { KeptDecision } from './decision-cache.js';
import {
  CUT_SPANS_ATTRIBUTE,
  DRY_RUN_ATTRIBUTE,
  SampledSpan,
  SerializedTraceState,
  TRUNCATED_ATTRIBUTE,
} from './sampled-span.js';
import { outboundOt } from './threshold.js';

const EMPTY_TRACE_STATE: TraceState = new CoreTraceState();
// W3C Trace Context: a tracestate header holds at most 32 list members and 512 characters.
const MAX_TRACE_STATE_MEMBERS = 32;
const MAX_TRACE_STATE_LENGTH = 512;

export class SpanForwarder {
  /** Calls into the next processor that threw. */
  errors = 0;
  /**
   * Inbound tracestate parts left out of kept spans' tracestate: `ot` sub-keys the spec's grammar
   * refuses or that did not fit in 256 characters with `th`, and other vendors' members past the
   * W3C limits (512 characters, 32 members). Counted each time a kept trace's tracestate is
   * built (once per trace, unless its spans' tracestates differ): stats().tracestateDropped.
   */
  tracestateDropped = 0;
  /**
   * Kept tracestates built around an inbound TraceState that threw (or answered nonsense): see
   * outboundState(). stats().tracestateErrors.
   */
  tracestateErrors = 0;
  /** Last kept decision per policy index (x2 in dry run: keep, drop), see keptDecision(). */
  private readonly lastKept: (KeptDecision | undefined)[];
  // One-entry cache: spans of a trace share their inbound TraceState object and threshold.
  private lastInboundState: TraceState | undefined = undefined;
  private lastThreshold = '';
  private lastOutboundState: TraceState | undefined = undefined;

  /** `decisionNames`: policy names by index, as the decision names them. */
  constructor(
    private readonly next: SpanProcessor,
    private readonly decisionNames: readonly string[],
    private readonly dryRun: boolean,
  ) {
    this.lastKept = new Array<KeptDecision | undefined>(decisionNames.length * 2).fill(undefined);
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      this.next.onStart(span, parentContext);
    } catch {
      this.errors++;
    }
  }

  onEnding(span: Span): void {
    if (this.next.onEnding === undefined) return;
    try {
      this.next.onEnding(span);
    } catch {
      this.errors++;
    }
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }

  // One decision object per policy (and dry-run outcome) while its threshold holds: a kept trace
  // allocates nothing here, and the decision cache holds references to shared objects.
  keptDecision(index: number, threshold: string, keep: boolean): KeptDecision {
    const slot = this.dryRun ? index * 2 + (keep ? 0 : 1) : index;
    const last = this.lastKept[slot];
    if (last !== undefined && last.threshold === threshold) return last;
    const kept: KeptDecision = this.dryRun
      ? { policy: this.decisionNames[index]!, threshold, dryRun: keep ? 'keep' : 'drop' }
      : { policy: this.decisionNames[index]!, threshold };
    this.lastKept[slot] = kept;
    return kept;
  }

  /**
   * Forwards the spans of a kept trace; one that lost `cutSpans` spans says so on `summarised`.
   * With `exemplarMark` (an exemplar points at the trace from a span that had ended, which could
   * not carry the mark) every span carries `plumbline.exemplar` for the collector's `exemplar`
   * policy: unmarked, the trace was kept here and dropped by the collector's budget.
   */
  forwardTrace(
    spans: readonly ReadableSpan[],
    kept: KeptDecision,
    cutSpans: number,
    summarised: ReadableSpan | undefined,
    exemplarMark = false,
  ): void {
    let common: Attributes | undefined =
      kept.dryRun === undefined ? undefined : { [DRY_RUN_ATTRIBUTE]: kept.dryRun };
    if (exemplarMark) common = { ...common, [EXEMPLAR_SPAN_ATTRIBUTE]: true };
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      const extra =
        span === summarised
          ? { ...common, [TRUNCATED_ATTRIBUTE]: true, [CUT_SPANS_ATTRIBUTE]: cutSpans }
          : common;
      this.forward(span, kept, extra);
    }
  }

  /** Forwards a late span of a kept trace. */
  forwardLate(span: ReadableSpan, kept: KeptDecision): void {
    this.forward(span, kept, kept.dryRun === undefined ? undefined : { [DRY_RUN_ATTRIBUTE]: kept.dryRun });
  }

  /**
   * The inbound tracestate with `ot` set to carry `threshold`, within the W3C limits: a list
   * member's value at most 256 characters (unknown `ot` sub-keys go first, see outboundOt), the
   * header at most 512 characters and 32 members (other vendors' members go from the end, as
   * W3C asks of a vendor adding its own). Left alone, TraceState.set() returns the state unchanged
   * past a limit, and the span would carry no threshold of ours. Off the per-span path: once per
   * inbound state and threshold (see forward()). An inbound TraceState of the app's own (or a
   * propagator's) may throw, or answer something that is no TraceState or string: the span is
   * kept all the same, with what could be read of it (our `ot` at least), and it is counted.
   */
  private outboundState(inbound: TraceState | undefined, threshold: string): TraceState {
    let inboundOt: string | undefined;
    if (inbound !== undefined) {
      try {
        const read: unknown = inbound.get('ot');
        if (read !== undefined && typeof read !== 'string') throw new TypeError('ot is no string');
        inboundOt = read;
      } catch {
        this.tracestateErrors++;
        return otAlone(outboundOt(undefined, threshold).value);
      }
    }
    const ot = outboundOt(inboundOt, threshold);
    this.tracestateDropped += ot.dropped;
    if (inbound === undefined) return otAlone(ot.value);
    // Most inbound states fit as they are: set() refuses only a header over 512 characters, and
    // adding `ot` (not replacing it) may make 33 members. The rebuild below costs several times this.
    try {
      const set = inbound.set('ot', ot.value);
      if (set.get('ot') === ot.value && (inboundOt !== undefined || withinMemberLimit(set))) return set;
    } catch {
      this.tracestateErrors++;
      return this.rebuilt(inbound, ot.value, true);
    }
    return this.rebuilt(inbound, ot.value, false);
  }

  /** `ot` first, then the inbound members that fit (see outboundState), from its serialized form. */
  private rebuilt(inbound: TraceState, otValue: string, counted: boolean): TraceState {
    let others: unknown;
    try {
      others = inbound.serialize();
    } catch {
      others = undefined;
    }
    if (typeof others !== 'string') {
      if (!counted) this.tracestateErrors++;
      return otAlone(otValue);
    }
    const members = others === '' ? [] : others.split(',');
    let header = `ot=${otValue}`;
    let count = 1;
    for (const member of members) {
      if (member.startsWith('ot=')) continue;
      if (count < MAX_TRACE_STATE_MEMBERS && header.length + 1 + member.length <= MAX_TRACE_STATE_LENGTH) {
        header += `,${member}`;
        count++;
      } else {
        this.tracestateDropped++;
      }
    }
    return new CoreTraceState(header);
  }

  /**
   * The kept spans' tracestate, serialized now: a state an app's TraceState made (its set()
   * answered one of its own) whose serialize() throws, or gives no string, threw in the
   * exporter, and the whole batch beside it was lost (regression:
   * tracestate-that-cannot-serialize-loses-its-export-batch). Such a state is replaced by our `ot`
   * alone, and counted. Once per inbound state and threshold, as outboundState; the exporter
   * reads the serialized form this leaves.
   */
  private serializedState(state: TraceState, threshold: string): SerializedTraceState {
    try {
      const header: unknown = state.serialize();
      if (typeof header === 'string') return new SerializedTraceState(state, header);
    } catch {
      // counted below
    }
    this.tracestateErrors++;
    // Our `ot` as the state holds it (with the caller's `rv`), else the threshold alone.
    let ot: unknown;
    try {
      ot = state.get('ot');
    } catch {
      ot = undefined;
    }
    let ours = typeof ot === 'string' ? otAlone(ot) : EMPTY_TRACE_STATE;
    if (ours.get('ot') !== ot) ours = otAlone(outboundOt(undefined, threshold).value);
    return new SerializedTraceState(ours, ours.serialize());
  }

  private forward(span: ReadableSpan, kept: KeptDecision, extra: Attributes | undefined): void {
    const inbound = span.spanContext().traceState;
    let outbound = this.lastOutboundState;
    if (
      outbound === undefined ||
      inbound !== this.lastInboundState ||
      kept.threshold !== this.lastThreshold
    ) {
      outbound = this.serializedState(this.outboundState(inbound, kept.threshold), kept.threshold);
      this.lastInboundState = inbound;
      this.lastThreshold = kept.threshold;
      this.lastOutboundState = outbound;
    }
    try {
      this.next.onEnd(new SampledSpan(span, outbound, kept.policy, extra));
    } catch {
      this.errors++;
    }
  }
}

/** A tracestate of our `ot` alone. */
function otAlone(otValue: string): TraceState {
  return EMPTY_TRACE_STATE.set('ot', otValue);
}

// A header of 33 members is at least 33 x "k=v" and 32 commas long.
const MIN_LENGTH_OVER_MEMBER_LIMIT = (MAX_TRACE_STATE_MEMBERS + 1) * 3 + MAX_TRACE_STATE_MEMBERS;

/** Whether a tracestate has at most 32 list members (a short one cannot have more). */
function withinMemberLimit(state: TraceState): boolean {
  const header = state.serialize();
  if (header.length < MIN_LENGTH_OVER_MEMBER_LIMIT) return true;
  let members = 1;
  for (let i = 0; i < header.length; i++) if (header.charCodeAt(i) === 44 /* , */) members++;
  return members <= MAX_TRACE_STATE_MEMBERS;
}
