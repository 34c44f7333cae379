// One buffered trace: its spans held under the per-trace caps, what the policy chain reads of it
// (TraceView), and the state the sampler's queues and link index keep on it.
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { isErrorSpan } from './errors-policy.js';
import type { LinkingTrace } from './link-index.js';
import type { PolicyDecision, SamplingPolicy, TraceView } from './policy.js';
import { ABSTAIN } from './policy.js';
import { estimateSpanBytes } from './span-size.js';
import type { SpanSlab } from './span-slab.js';
import { consistentOt, randomnessOf } from './threshold.js';
import { hexWord } from './trace-id-bits.js';
import type { TableEntry } from './trace-table.js';

/** The caps every trace is held under, and the totals over all buffered traces (for stats and maxBytes). */
export class BufferUsage {
  spans = 0;
  bytes = 0;
  truncatedTraces = 0;
  truncatedSpans = 0;
  /** One trace may hold at most an eighth of maxBytes, so one huge trace cannot evict all others. */
  readonly maxTraceBytes: number;
  /** The policies asked about a span as it is cut (built-in ones with `matchesCutSpan`). */
  cutWatchers: readonly SamplingPolicy[] = [];
  /** The attributes a cut span leaves on its trace (the policies' `carriedAttributes`). */
  carriedAttributes: readonly string[] = [];

  constructor(
    readonly maxSpansPerTrace: number,
    readonly maxBytes: number,
  ) {
    this.maxTraceBytes = Math.max(1, Math.floor(maxBytes / 8));
  }
}

const EMPTY_SPANS: ReadableSpan[] = [];

/** What TraceBuffer.readInboundOt() made of the inbound `ot`. */
export type InboundOtRead =
  typeof INBOUND_OT_AS_SENT | typeof INBOUND_TH_ERASED | typeof INBOUND_OT_UNREADABLE;
/** Read as sent (or absent). */
export const INBOUND_OT_AS_SENT = 0;
/** Its `th` erased: the trace's randomness fails it (stats().inboundThresholdsErased). */
export const INBOUND_TH_ERASED = 1;
/** The tracestate threw, or its `ot` was no string: read as absent (stats().tracestateErrors). */
export const INBOUND_OT_UNREADABLE = 2;

export class TraceBuffer implements TraceView, TableEntry, LinkingTrace {
  hash = 0;
  pendingLinks = 0;
  linkedKept = false;
  /** Spans held as objects (all of them until the trace is done; after that, late ones). */
  private list: ReadableSpan[] = EMPTY_SPANS;
  /** Spans held in the slab through the grace, before those of `list`: first and last record. */
  private packedFirst = -1;
  private packedLast = -1;
  private packedCount = 0;
  /** The local root as an object (undefined while it is held in the slab). */
  private root: ReadableSpan | undefined = undefined;
  /** The slab record of the local root while it is held there, else -1. */
  private rootRecord = -1;
  openLocal = 0;
  rootStartedAt = 0;
  rootEnded = false;
  rootDurationMs: number | undefined = undefined;
  bytes = 0;
  exemplar = false;
  /** An exemplar points at the trace from a span that had ended: its spans carry the mark. */
  exemplarMark = false;
  cutSpans = 0;
  deadline = 0;
  queuedDeadline = 0;
  queued = false;
  decided = false;
  private randomnessValue: string | undefined = undefined;
  /** The inbound `ot` tracestate value (read when the chain first runs). */
  inboundOt: string | undefined = undefined;
  /** The policy chain ran (at done, or at a forced decision); `verdict` holds its answer. */
  evaluated = false;
  /** Spans arrived or an exemplar was marked after the chain ran. */
  changed = false;
  verdict: PolicyDecision = ABSTAIN;
  /** Index of the deciding policy; policies.length when every policy abstained. */
  verdictIndex = 0;
  /**
   * The trace ID's last 8 hex digits (read when the trace is admitted) and the 8 before (read
   * when it starts waiting; set while `waited`), as the decision cache takes them (keepWords).
   */
  idLow = 0;
  idHigh = 0;
  /** In the admission queue (the processor reuses a decided buffer once no queue holds it). */
  inAdmission = false;
  /** Registered as linking to other traces: the link index may still hold it, never reused. */
  linking = false;
  /** Waited out a grace: old by now, so worth reusing (a buffer decided at once dies young). */
  waited = false;
  /**
   * A local part of a trace already dropped (a later call under a remote parent): the decision
   * cache remembers the drop already, so a drop is not written again (see the processor's onStart).
   */
  droppedBefore = false;
  /** A span with an error was cut (too big for the trace's caps): the trace still has an error. */
  cutErrors = false;
  /** The policies that matched a cut span (see `cut`). */
  cutMatches: SamplingPolicy[] | undefined = undefined;
  /** What cut spans carried of the policies' `carriedAttributes` (see `cut`). */
  cutCarried: Attributes | undefined = undefined;
  constructor(
    public traceId: string,
    public createdAt: number,
    private readonly slab: SpanSlab,
  ) {}

  /**
   * Makes a decided buffer that no queue or index holds the buffer of a new trace. Reusing the
   * buffer keeps the objects a trace waits with old, so waiting costs the scavenger nothing.
   */
  reset(traceId: string, createdAt: number): this {
    this.traceId = traceId;
    this.createdAt = createdAt;
    this.hash = 0;
    this.idLow = 0;
    this.idHigh = 0;
    this.pendingLinks = 0;
    this.linkedKept = false;
    this.list = EMPTY_SPANS;
    this.packedFirst = this.packedLast = -1;
    this.packedCount = 0;
    this.root = undefined;
    this.rootRecord = -1;
    this.openLocal = 0;
    this.rootStartedAt = 0;
    this.rootEnded = false;
    this.rootDurationMs = undefined;
    this.bytes = 0;
    this.exemplar = false;
    this.exemplarMark = false;
    this.cutSpans = 0;
    this.deadline = 0;
    this.queuedDeadline = 0;
    this.queued = false;
    this.decided = false;
    this.randomnessValue = undefined;
    this.inboundOt = undefined;
    this.evaluated = false;
    this.changed = false;
    this.verdict = ABSTAIN;
    this.verdictIndex = 0;
    this.inAdmission = false;
    this.linking = false;
    this.waited = false;
    this.droppedBefore = false;
    this.cutErrors = false;
    this.cutMatches = undefined;
    this.cutCarried = undefined;
    return this;
  }

  /** The first span of the trace with no local parent (read from the slab if held there). */
  get localRoot(): ReadableSpan | undefined {
    if (this.rootRecord >= 0) this.unpack();
    return this.root;
  }

  set localRoot(span: ReadableSpan | undefined) {
    this.root = span;
    this.rootRecord = -1;
  }

  /** Whether a local root was seen (without reading it out of the slab). */
  get hasLocalRoot(): boolean {
    return this.root !== undefined || this.rootRecord >= 0;
  }

  /** Whether `span` is this trace's local root as the SDK ended it (a held one never is). */
  isLocalRoot(span: ReadableSpan): boolean {
    return span === this.root;
  }

  /** The held spans, in the order they ended (read from the slab if held there). */
  get spans(): ReadableSpan[] {
    if (this.packedCount > 0) this.unpack();
    return this.list;
  }

  get spanCount(): number {
    return this.packedCount + this.list.length;
  }

  /** Read by budget policies only, so it is derived on first read. */
  get randomness(): string {
    return (this.randomnessValue ??= randomnessOf(this.traceId, this.inboundOt));
  }

  /**
   * The inbound `ot` tracestate value of the trace (from its local root, else its first span),
   * its `th` erased if the trace's randomness fails it (see consistentOt). A TraceState of the
   * app's own (or a propagator's) whose get() throws, or gives no string, counts as no `ot`.
   */
  readInboundOt(): InboundOtRead {
    const reference = this.localRoot ?? this.spans[0];
    this.inboundOt = undefined;
    this.randomnessValue = undefined;
    let ot: unknown;
    try {
      ot = reference?.spanContext().traceState?.get('ot');
    } catch {
      return INBOUND_OT_UNREADABLE;
    }
    if (ot === undefined) return INBOUND_OT_AS_SENT;
    if (typeof ot !== 'string') return INBOUND_OT_UNREADABLE;
    this.inboundOt = ot;
    if (!ot.includes('th:')) return INBOUND_OT_AS_SENT;
    this.inboundOt = consistentOt(ot, this.randomness);
    return this.inboundOt === ot ? INBOUND_OT_AS_SENT : INBOUND_TH_ERASED;
  }

  /** Whether a span of `bytes` fits under the per-trace caps as the trace stands. */
  fits(bytes: number, usage: BufferUsage): boolean {
    return this.spanCount < usage.maxSpansPerTrace && this.bytes + bytes <= usage.maxTraceBytes;
  }

  hold(span: ReadableSpan, bytes: number, usage: BufferUsage): void {
    if (this.list === EMPTY_SPANS) this.list = [];
    this.list.push(span);
    this.bytes += bytes;
    usage.bytes += bytes;
    usage.spans++;
    if (this.evaluated) this.changed = true;
  }

  // Over a per-trace cap the root and error spans are what matter: they displace ordinary spans
  // (oldest first); an ordinary span is cut. Returns whether `span` now fits.
  makeRoom(span: ReadableSpan, bytes: number, usage: BufferUsage): boolean {
    const isRoot = span === this.root;
    if (!isRoot && !isErrorSpan(span)) return false;
    if (bytes > usage.maxTraceBytes || usage.maxSpansPerTrace < 1) return false;
    const spans = this.spans;
    const root = this.root;
    for (let pass = 0; pass < 2 && !this.fits(bytes, usage); pass++) {
      // Pass 0 removes ordinary spans; pass 1 (only for the root) removes error spans too.
      if (pass === 1 && !isRoot) break;
      for (let i = 0; i < spans.length && !this.fits(bytes, usage);) {
        const candidate = spans[i]!;
        if (candidate === root || (pass === 0 && isErrorSpan(candidate))) {
          i++;
          continue;
        }
        spans.splice(i, 1);
        const removed = estimateSpanBytes(candidate);
        this.bytes -= removed;
        usage.bytes -= removed;
        usage.spans--;
        this.cut(usage, candidate);
      }
    }
    return this.fits(bytes, usage);
  }

  /**
   * A span of this trace was not held: counted, and the kept trace says how many it lacks. An
   * error span cut is remembered for the errors policies (`cutErrors`), a match for the policies
   * watching cut spans (`cutMatches`), and the route or key it carried for the policies reading
   * those from any span (`cutCarried`; regression: policy-key-on-a-span-cut-by-the-caps-unseen).
   */
  cut(usage: BufferUsage, span?: ReadableSpan): void {
    if (span !== undefined && !this.cutErrors && isErrorSpan(span)) {
      this.cutErrors = true;
      if (this.evaluated) this.changed = true;
    }
    const watchers = usage.cutWatchers;
    for (let i = 0; span !== undefined && i < watchers.length; i++) {
      const policy = watchers[i]!;
      if (this.cutMatches?.includes(policy) === true || policy.matchesCutSpan?.(span) !== true) continue;
      (this.cutMatches ??= []).push(policy);
      if (this.evaluated) this.changed = true;
    }
    const carried = usage.carriedAttributes;
    for (let i = 0; span !== undefined && i < carried.length; i++) {
      const name = carried[i]!;
      const value = span.attributes[name];
      if (value === undefined || this.cutCarried?.[name] !== undefined) continue;
      (this.cutCarried ??= Object.create(null) as Attributes)[name] = value;
      if (this.evaluated) this.changed = true;
    }
    if (this.cutSpans === 0) usage.truncatedTraces++;
    this.cutSpans++;
    usage.truncatedSpans++;
  }

  /** Moves the spans held as objects into the slab for the grace (see SpanSlab). */
  compact(): void {
    if (!this.waited) {
      this.waited = true;
      this.idHigh = hexWord(this.traceId, this.traceId.length - 8);
    }
    const list = this.list;
    if (list.length === 0) return;
    const slab = this.slab;
    for (let i = 0; i < list.length; i++) {
      const span = list[i]!;
      const record = slab.hold(span);
      if (this.packedLast < 0) this.packedFirst = record;
      else slab.link(this.packedLast, record);
      this.packedLast = record;
      this.packedCount++;
      // A span held as it is stays this trace's root object (so identity checks still hold).
      if (span === this.root && !slab.isRaw(record)) {
        this.root = undefined;
        this.rootRecord = record;
      }
    }
    this.list = EMPTY_SPANS;
    this.randomnessValue = undefined;
  }

  /** Takes the spans out of the buffer at the decision; the totals no longer count them. */
  release(usage: BufferUsage): ReadableSpan[] {
    const spans = this.spans;
    usage.bytes -= this.bytes;
    usage.spans -= spans.length;
    this.list = EMPTY_SPANS;
    return spans;
  }

  /** Lets go of the spans of a dropped trace without reading them; the totals no longer count them. */
  discard(usage: BufferUsage): void {
    usage.bytes -= this.bytes;
    usage.spans -= this.spanCount;
    const slab = this.slab;
    for (let record = this.packedFirst; record >= 0;) {
      const next = slab.next(record);
      slab.release(record);
      record = next;
    }
    this.packedFirst = this.packedLast = -1;
    this.packedCount = 0;
    this.rootRecord = -1;
    this.root = undefined;
    this.list = EMPTY_SPANS;
  }

  // Reads the spans held in the slab back as objects (HeldSpans), before the later ones.
  private unpack(): void {
    const slab = this.slab;
    const spans: ReadableSpan[] = [];
    for (let record = this.packedFirst; record >= 0;) {
      const span = slab.read(record, this.traceId);
      if (record === this.rootRecord) this.root = span;
      spans.push(span);
      const next = slab.next(record);
      slab.release(record);
      record = next;
    }
    for (let i = 0; i < this.list.length; i++) spans.push(this.list[i]!);
    this.list = spans;
    this.packedFirst = this.packedLast = -1;
    this.packedCount = 0;
    this.rootRecord = -1;
  }
}
