// The tail sampler: buffers spans per trace, decides when the local part of the trace is done
// (local root ended, no local span open, plus a grace period), and forwards kept traces whole to
// the next processor. Memory is hard-capped; late spans follow the decision already made. A trace
// linking to buffered traces waits for their decisions and is kept when one of them is.
import type { Attributes, Context, Link, TraceState } from '@opentelemetry/api';
import { hrTimeToMilliseconds, TraceState as CoreTraceState } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { SamplingSpec } from '../spec/types.js';
import { SpecError } from '../spec/errors.js';
import type { KeptDecision } from './decision-cache.js';
import { DecisionCache } from './decision-cache.js';
import { buildPolicies, withExemplarRule } from './build-policies.js';
import { checkSampling } from './check-sampling.js';
import { isErrorSpan } from './errors-policy.js';
import type { PolicyDecision, SamplingPolicy, TraceView } from './policy.js';
import { ABSTAIN } from './policy.js';
import {
  CUT_SPANS_ATTRIBUTE,
  DRY_RUN_ATTRIBUTE,
  SampledSpan,
  SerializedTraceState,
  TRUNCATED_ATTRIBUTE,
} from './sampled-span.js';
import type { SamplerStats } from './sampler-stats.js';
import { estimateSpanBytes } from './span-size.js';
import { HeldSpan } from './held-span.js';
import { LinkIndex, type LinkingTrace } from './link-index.js';
import { withLinkedRule } from './linked-policy.js';
import type { TableEntry } from './trace-table.js';
import { TraceTable } from './trace-table.js';
import {
  ALWAYS_KEEP_THRESHOLD,
  randomnessOf,
  stricter,
  thresholdOf,
  thresholdToProbability,
  encodeTh,
  withTh,
} from './threshold.js';

export const DEFAULT_DECISION_WAIT_MS = 100;
export const DEFAULT_MAX_TRACES = 10_000;
export const DEFAULT_MAX_SPANS_PER_TRACE = 1_000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** A trace still undecided after this long (a span that never ends) is decided anyway. */
export const DEFAULT_MAX_TRACE_AGE_MS = 60_000;
/** Decision name when every policy abstained. */
export const NO_MATCH = 'no-match';

export interface TailSamplingOptions {
  /** Clock in ms (default performance.now); tests inject one. */
  readonly now?: () => number;
  /** Overrides the spec's dryRun: evaluate and report, keep everything. */
  readonly dryRun?: boolean;
  readonly maxTraceAgeMs?: number;
  /**
   * Kept decisions remembered for late spans. Default max(maxTraces, 10,000). Both caches are
   * allocated in full at construction (about 16 bytes per kept and 12 per dropped entry, plus
   * their hash tables): memory does not grow as they fill.
   */
  readonly keptDecisionCacheSize?: number;
  /** Dropped trace IDs remembered for late spans. Default 8 x the kept cache. */
  readonly droppedDecisionCacheSize?: number;
  /**
   * The policy chain to run instead of the spec's, for custom policies: start from
   * `buildPolicies(spec.policies)` and insert yours where they belong. An exemplar rule is
   * added first when the chain has none (an exemplar must never point at a dropped trace).
   */
  readonly policies?: readonly SamplingPolicy[];
}

class TraceBuffer implements TraceView, TableEntry, LinkingTrace {
  hash = 0;
  pendingLinks = 0;
  linkedKept = false;
  spans: ReadableSpan[] = [];
  openLocal = 0;
  localRoot: ReadableSpan | undefined = undefined;
  rootStartedAt = 0;
  rootEnded = false;
  rootDurationMs: number | undefined = undefined;
  bytes = 0;
  exemplar = false;
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
  constructor(
    readonly traceId: string,
    readonly createdAt: number,
  ) {}

  /** Read by budget policies only, so it is derived on first read. */
  get randomness(): string {
    return (this.randomnessValue ??= randomnessOf(this.traceId, this.inboundOt));
  }
}

const EMPTY_TRACE_STATE: TraceState = new CoreTraceState();

/** The inbound `ot` tracestate value of the trace (from its local root, else its first span). */
function inboundOtOf(trace: TraceBuffer): string | undefined {
  const reference = trace.localRoot ?? trace.spans[0];
  return reference?.spanContext().traceState?.get('ot');
}
const EMPTY_SPANS: ReadableSpan[] = [];

export class TailSamplingProcessor implements SpanProcessor {
  private readonly now: () => number;
  private readonly policies: readonly SamplingPolicy[];
  /** Policy names by index; the last one is NO_MATCH. */
  private readonly decisionNames: readonly string[];
  private readonly keeps: number[];
  private readonly drops: number[];
  private readonly dryRun: boolean;
  private readonly decisionWaitMs: number;
  private readonly maxTraces: number;
  private readonly maxSpansPerTrace: number;
  private readonly maxBytes: number;
  /** One trace may hold at most an eighth of maxBytes, so one huge trace cannot evict all others. */
  private readonly maxTraceBytes: number;
  private readonly maxTraceAgeMs: number;
  private readonly cache: DecisionCache;
  /** Last kept decision per policy index (x2 in dry run: keep, drop), see keptDecision(). */
  private readonly lastKept: (KeptDecision | undefined)[];

  private readonly traces: TraceTable<TraceBuffer>;
  private readonly links = new LinkIndex<TraceBuffer>();
  /** The trace of the last span seen: a request's spans mostly arrive together (no Map lookup). */
  private lastTrace: TraceBuffer | undefined = undefined;
  /**
   * Traces in order of admission, decided ones skipped lazily: the oldest undecided trace in
   * O(1) amortized (a Map's first entry is O(deleted entries) to reach in V8).
   */
  private admitted: TraceBuffer[] = [];
  private admittedHead = 0;
  /** Done traces in order of their deadline (the grace is constant, so FIFO is deadline order). */
  private queue: TraceBuffer[] = [];
  private queueHead = 0;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined = undefined;

  private bufferedSpans = 0;
  private bufferedBytes = 0;
  private evictions = { maxTraces: 0, maxBytes: 0, maxAge: 0, flush: 0 };
  private truncatedTraces = 0;
  private truncatedSpans = 0;
  private lateKept = 0;
  private lateDropped = 0;
  private nextProcessorErrors = 0;
  private spansAfterShutdown = 0;

  // One-entry cache: spans of a trace share their inbound TraceState object and threshold.
  private lastInboundState: TraceState | undefined = undefined;
  private lastThreshold = '';
  private lastOutboundState: TraceState | undefined = undefined;

  constructor(
    spec: SamplingSpec,
    private readonly next: SpanProcessor,
    options: TailSamplingOptions = {},
  ) {
    const issues = checkSampling({ sampling: spec });
    if (issues.length > 0) throw new SpecError(issues);
    this.now = options.now ?? (() => performance.now());
    this.policies = withLinkedRule(
      options.policies === undefined ? buildPolicies(spec.policies) : withExemplarRule(options.policies),
    );
    this.decisionNames = [...this.policies.map((policy) => policy.name), NO_MATCH];
    this.keeps = this.decisionNames.map(() => 0);
    this.drops = this.decisionNames.map(() => 0);
    this.dryRun = options.dryRun ?? spec.dryRun ?? false;
    this.decisionWaitMs = spec.decisionWaitMs ?? DEFAULT_DECISION_WAIT_MS;
    this.maxTraces = spec.maxTraces ?? DEFAULT_MAX_TRACES;
    this.traces = new TraceTable(this.maxTraces);
    this.maxSpansPerTrace = spec.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE;
    this.maxBytes = spec.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxTraceBytes = Math.max(1, Math.floor(this.maxBytes / 8));
    this.maxTraceAgeMs = options.maxTraceAgeMs ?? DEFAULT_MAX_TRACE_AGE_MS;
    const keptSize = options.keptDecisionCacheSize ?? Math.max(this.maxTraces, 10_000);
    this.cache = new DecisionCache(keptSize, options.droppedDecisionCacheSize ?? keptSize * 8);
    this.lastKept = new Array<KeptDecision | undefined>(this.decisionNames.length * 2).fill(undefined);
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      this.next.onStart(span, parentContext);
    } catch {
      this.nextProcessorErrors++;
    }
    if (this.closed) return;
    const traceId = span.spanContext().traceId;
    const parent = span.parentSpanContext;
    let trace = this.lookup(traceId);
    if (trace === undefined) {
      // A trace already decided: its spans follow that decision when they end. A span without a
      // parent has a freshly generated trace ID, which no decision can name: no lookup.
      if (parent !== undefined && this.cache.has(traceId)) return;
      trace = this.admit(traceId);
    }
    trace.openLocal++;
    const links = span.links;
    if (links.length > 0) this.registerLinks(trace, links);
    if (trace.localRoot === undefined) {
      if (parent === undefined || parent.isRemote === true) {
        trace.localRoot = span;
        trace.rootStartedAt = trace.openLocal === 1 ? trace.createdAt : this.now();
      }
    }
  }

  onEnding(span: Span): void {
    if (this.next.onEnding === undefined) return;
    try {
      this.next.onEnding(span);
    } catch {
      this.nextProcessorErrors++;
    }
  }

  onEnd(span: ReadableSpan): void {
    if (this.closed) {
      this.spansAfterShutdown++;
      return;
    }
    const traceId = span.spanContext().traceId;
    let trace = this.lookup(traceId);
    if (trace === undefined) {
      if (this.followDecision(span, traceId)) return;
      // Never seen starting (processor added mid-trace, or its decision forgotten): a trace of
      // its own, done at once.
      trace = this.admit(traceId);
      trace.localRoot = span;
      trace.rootStartedAt = trace.createdAt;
      trace.openLocal = 1;
    }
    if (trace.openLocal > 0) trace.openLocal--;
    if (span === trace.localRoot) trace.rootEnded = true;
    this.buffer(trace, span);
    if (trace.decided) return;
    if (trace.openLocal === 0 && trace.rootEnded) this.markDone(trace);
  }

  /**
   * Called by the metrics registry when an exemplar is about to point at this trace. Returns
   * whether the trace is (or will be) exported: true for a pending trace, which is now kept,
   * and for an already kept one; false for a dropped or unknown one, and the registry then
   * records no exemplar. Exemplars are recorded inside live spans, whose traces are pending.
   */
  markExemplar(traceId: string): boolean {
    const trace = this.traces.get(traceId);
    if (trace !== undefined) {
      if (!trace.exemplar && trace.evaluated) trace.changed = true;
      trace.exemplar = true;
      return true;
    }
    if (this.cache.keptDecision(traceId) !== undefined) return true;
    return false;
  }

  /** Decides every done trace whose grace period has passed, and traces past the maximum age. */
  decideDue(now: number = this.now()): void {
    while (this.queueHead < this.queue.length) {
      const trace = this.queue[this.queueHead]!;
      if (trace.decided || trace.openLocal > 0 || !trace.rootEnded) {
        trace.queued = false;
        this.queueHead++;
        continue;
      }
      if (trace.deadline !== trace.queuedDeadline) {
        // Done again after reopening: its deadline moved, so it goes to the back.
        this.queueHead++;
        trace.queuedDeadline = trace.deadline;
        this.queue.push(trace);
        continue;
      }
      if (trace.deadline > now) break;
      if (trace.pendingLinks > 0 && !trace.linkedKept) {
        // Traces it links to are undecided: wait another grace (a keep of one keeps it too).
        trace.deadline = now + Math.max(1, this.decisionWaitMs);
        continue;
      }
      this.queueHead++;
      trace.queued = false;
      this.decide(trace, now);
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    for (
      let oldest = this.oldest();
      oldest !== undefined && oldest.createdAt + this.maxTraceAgeMs <= now;
      oldest = this.oldest()
    ) {
      this.evictions.maxAge++;
      this.decide(oldest, now);
    }
  }

  forceFlush(): Promise<void> {
    if (!this.closed) this.decideAll();
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    if (this.shutdownPromise === undefined) {
      this.decideAll();
      this.closed = true;
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.shutdownPromise = this.next.shutdown();
    }
    return this.shutdownPromise;
  }

  stats(): SamplerStats {
    const decisions: Record<string, { keep: number; drop: number }> = {};
    this.decisionNames.forEach((name, index) => {
      const entry = (decisions[name] ??= { keep: 0, drop: 0 });
      entry.keep += this.keeps[index]!;
      entry.drop += this.drops[index]!;
    });
    const thresholds: Record<string, { th: string; probability: number }> = {};
    for (const policy of this.policies) {
      const byKey = policy.thresholds?.() ?? {};
      for (const [key, threshold] of Object.entries(byKey)) {
        thresholds[key] = { th: encodeTh(threshold), probability: thresholdToProbability(threshold) };
      }
    }
    return {
      decisions,
      bufferedTraces: this.traces.size,
      bufferedSpans: this.bufferedSpans,
      bufferedBytes: this.bufferedBytes,
      evictions: { ...this.evictions },
      truncatedTraces: this.truncatedTraces,
      truncatedSpans: this.truncatedSpans,
      lateSpans: { kept: this.lateKept, dropped: this.lateDropped },
      thresholds,
      nextProcessorErrors: this.nextProcessorErrors,
      spansAfterShutdown: this.spansAfterShutdown,
    };
  }

  // ---- buffering ----

  private lookup(traceId: string): TraceBuffer | undefined {
    const last = this.lastTrace;
    if (last !== undefined && last.traceId === traceId && !last.decided) return last;
    const trace = this.traces.get(traceId);
    if (trace !== undefined) this.lastTrace = trace;
    return trace;
  }

  private admit(traceId: string): TraceBuffer {
    const now = this.now();
    while (this.traces.size >= this.maxTraces) {
      this.evictions.maxTraces++;
      this.decide(this.oldest()!, now);
    }
    const trace = new TraceBuffer(traceId, now);
    this.traces.add(trace);
    this.lastTrace = trace;
    this.admitted.push(trace);
    // Decided traces must not linger here: they would keep their spans' memory alive.
    while (this.admitted[this.admittedHead]!.decided) this.admittedHead++;
    if (this.admittedHead > 1024 && this.admittedHead * 2 > this.admitted.length) {
      this.admitted = this.admitted.slice(this.admittedHead);
      this.admittedHead = 0;
    }
    if (this.admitted.length - this.admittedHead > this.maxTraces + 1024) {
      this.admitted = this.admitted.slice(this.admittedHead).filter((admitted) => !admitted.decided);
      this.admittedHead = 0;
    }
    if (this.timer === undefined) this.arm(now);
    return trace;
  }

  private buffer(trace: TraceBuffer, span: ReadableSpan): void {
    const bytes = estimateSpanBytes(span);
    if (trace.spans.length >= this.maxSpansPerTrace || trace.bytes + bytes > this.maxTraceBytes) {
      if (!this.makeRoom(trace, span, bytes)) {
        this.cut(trace);
        return;
      }
    }
    if (this.bufferedBytes + bytes > this.maxBytes) {
      const now = this.now();
      while (this.bufferedBytes + bytes > this.maxBytes && this.traces.size > 0) {
        this.evictions.maxBytes++;
        this.decide(this.oldest()!, now);
      }
      // The oldest may have been this very trace: the span follows its decision.
      if (trace.decided) {
        this.followDecision(span, trace.traceId);
        return;
      }
    }
    trace.spans.push(span);
    trace.bytes += bytes;
    this.bufferedBytes += bytes;
    this.bufferedSpans++;
    if (trace.evaluated) trace.changed = true;
  }

  // Over a per-trace cap the root and error spans are what matter: they displace ordinary spans
  // (oldest first); an ordinary span is cut. Returns whether `span` now fits.
  private makeRoom(trace: TraceBuffer, span: ReadableSpan, bytes: number): boolean {
    const isRoot = span === trace.localRoot;
    if (!isRoot && !isErrorSpan(span)) return false;
    if (bytes > this.maxTraceBytes || this.maxSpansPerTrace < 1) return false;
    const fits = () =>
      trace.spans.length < this.maxSpansPerTrace && trace.bytes + bytes <= this.maxTraceBytes;
    for (let pass = 0; pass < 2 && !fits(); pass++) {
      // Pass 0 removes ordinary spans; pass 1 (only for the root) removes error spans too.
      if (pass === 1 && !isRoot) break;
      for (let i = 0; i < trace.spans.length && !fits();) {
        const candidate = trace.spans[i]!;
        if (candidate === trace.localRoot || (pass === 0 && isErrorSpan(candidate))) {
          i++;
          continue;
        }
        trace.spans.splice(i, 1);
        const removed = estimateSpanBytes(candidate);
        trace.bytes -= removed;
        this.bufferedBytes -= removed;
        this.bufferedSpans--;
        this.cut(trace);
      }
    }
    return fits();
  }

  private cut(trace: TraceBuffer): void {
    if (trace.cutSpans === 0) this.truncatedTraces++;
    trace.cutSpans++;
    this.truncatedSpans++;
  }

  // The local trace is done: the chain runs now. A keep is final (later spans can only add
  // reasons to keep), so the trace goes at once; anything else waits out the grace, in case
  // detached work adds a span that changes it.
  private markDone(trace: TraceBuffer): void {
    const now = this.now();
    if (!trace.evaluated || trace.changed) this.evaluate(trace, now);
    if (this.decisionWaitMs === 0 || trace.verdict.verdict === 'keep') {
      this.decide(trace, now);
      return;
    }
    this.compact(trace);
    trace.deadline = now + this.decisionWaitMs;
    if (!trace.queued) {
      trace.queued = true;
      trace.queuedDeadline = trace.deadline;
      this.queue.push(trace);
      // Bound the queue by the buffer: drop entries of traces decided early (caps).
      if (this.queue.length - this.queueHead > 2 * this.maxTraces) {
        this.queue = this.queue.slice(this.queueHead).filter((queued) => {
          if (!queued.decided) return true;
          queued.queued = false;
          return false;
        });
        this.queueHead = 0;
      }
    }
    const head = this.queue[this.queueHead];
    if (head !== undefined && head.deadline <= now) this.decideDue(now);
    if (this.timer === undefined || trace.deadline < this.timerAt) this.arm(now);
  }

  /** Holds the trace's spans in compact form through the grace (see HeldSpan). */
  private compact(trace: TraceBuffer): void {
    const spans = trace.spans;
    const root = trace.localRoot;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      let held: HeldSpan;
      try {
        held = HeldSpan.of(span);
      } catch {
        continue; // not shaped like an SDK span (a hand-made ReadableSpan): held as it is
      }
      spans[i] = held;
      if (span === root) trace.localRoot = held;
    }
  }

  private oldest(): TraceBuffer | undefined {
    while (this.admittedHead < this.admitted.length && this.admitted[this.admittedHead]!.decided)
      this.admittedHead++;
    if (this.admittedHead > 1024 && this.admittedHead * 2 > this.admitted.length) {
      this.admitted = this.admitted.slice(this.admittedHead);
      this.admittedHead = 0;
    }
    return this.admitted[this.admittedHead];
  }

  // ---- deciding ----

  private decideAll(): void {
    const now = this.now();
    const buffered = this.traces.values();
    // Linking traces last, so they learn the decisions of the traces they link to.
    for (let pass = 0; pass < 2; pass++) {
      for (const trace of buffered) {
        if (trace.decided || (pass === 0 && trace.pendingLinks > 0)) continue;
        this.evictions.flush++;
        this.decide(trace, now);
      }
    }
    this.queue = [];
    this.queueHead = 0;
    this.admitted = [];
    this.admittedHead = 0;
    this.lastTrace = undefined;
  }

  /**
   * Runs the policy chain. The first run sees every policy; a later run (spans arrived during the
   * grace, or an exemplar was marked) only the policies before the one that answered, so each
   * policy sees a trace once (a budget counts each trace once) and a late span can only move
   * the decision to an earlier rule.
   */
  private evaluate(trace: TraceBuffer, now: number): void {
    let end = trace.verdictIndex;
    if (!trace.evaluated) {
      trace.evaluated = true;
      end = this.policies.length;
      trace.verdict = ABSTAIN;
      trace.verdictIndex = end;
      const root = trace.localRoot;
      if (root !== undefined) {
        trace.rootDurationMs = trace.rootEnded
          ? hrTimeToMilliseconds(root.duration)
          : now - trace.rootStartedAt;
      }
      trace.inboundOt = inboundOtOf(trace);
    }
    trace.changed = false;
    for (let i = 0; i < end; i++) {
      let candidate: PolicyDecision;
      try {
        candidate = this.policies[i]!.evaluate(trace, now);
      } catch {
        continue; // a broken user policy abstains rather than break the app
      }
      if (candidate.verdict !== 'abstain') {
        trace.verdict = candidate;
        trace.verdictIndex = i;
        return;
      }
    }
  }

  private decide(trace: TraceBuffer, now: number): void {
    this.traces.delete(trace);
    trace.decided = true;
    this.bufferedBytes -= trace.bytes;
    this.bufferedSpans -= trace.spans.length;
    if (!trace.evaluated || trace.changed) this.evaluate(trace, now);
    const decision = trace.verdict;
    const index = trace.verdictIndex;
    const keep = decision.verdict === 'keep';
    if (keep) this.keeps[index]!++;
    else this.drops[index]!++;
    if (this.links.size > 0) this.links.decided(trace.traceId, keep);

    const spans = trace.spans;
    trace.spans = EMPTY_SPANS;
    if (!keep && !this.dryRun) {
      trace.localRoot = undefined;
      this.cache.drop(trace.traceId);
      return;
    }
    // Kept by a rule, a trace was kept with probability 1 (th:0); by the budget, with the
    // budget's probability. An upstream threshold still applies: the stricter one is written.
    const ours = this.dryRun ? ALWAYS_KEEP_THRESHOLD : (decision.threshold ?? ALWAYS_KEEP_THRESHOLD);
    const kept = this.keptDecision(index, stricter(ours, thresholdOf(trace.inboundOt)), keep);
    this.cache.keep(trace.traceId, kept);
    const common = kept.dryRun === undefined ? undefined : { [DRY_RUN_ATTRIBUTE]: kept.dryRun };
    const summarised = trace.cutSpans > 0 ? (trace.localRoot ?? spans[0]) : undefined;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      const extra =
        span === summarised
          ? { ...common, [TRUNCATED_ATTRIBUTE]: true, [CUT_SPANS_ATTRIBUTE]: trace.cutSpans }
          : common;
      this.forward(span, kept, extra);
    }
    trace.localRoot = undefined; // the buffer object may outlive the decision in the queues
  }

  /**
   * A span of `trace` links to other traces: a buffered one is waited for, an already kept one
   * keeps this trace. Links within the trace itself, or to dropped or unknown traces, are ignored.
   */
  private registerLinks(trace: TraceBuffer, links: readonly Link[]): void {
    for (let i = 0; i < links.length; i++) {
      const linkedId = links[i]!.context.traceId;
      if (linkedId === trace.traceId) continue;
      const linked = this.traces.get(linkedId);
      if (linked !== undefined) this.links.add(linkedId, trace);
      else if (!trace.linkedKept && this.cache.keptDecision(linkedId) !== undefined) {
        trace.linkedKept = true;
        if (trace.evaluated) trace.changed = true;
      }
    }
  }

  /** A span of an already decided trace; returns false when no decision is remembered. */
  private followDecision(span: ReadableSpan, traceId: string): boolean {
    const kept = this.cache.keptDecision(traceId);
    if (kept !== undefined) {
      this.lateKept++;
      this.forward(span, kept, kept.dryRun === undefined ? undefined : { [DRY_RUN_ATTRIBUTE]: kept.dryRun });
      return true;
    }
    if (this.cache.wasDropped(traceId)) {
      this.lateDropped++;
      return true;
    }
    return false;
  }

  // One decision object per policy (and dry-run outcome) while its threshold holds: a kept trace
  // allocates nothing here, and the decision cache holds references to shared objects.
  private keptDecision(index: number, threshold: string, keep: boolean): KeptDecision {
    const slot = this.dryRun ? index * 2 + (keep ? 0 : 1) : index;
    const last = this.lastKept[slot];
    if (last !== undefined && last.threshold === threshold) return last;
    const kept: KeptDecision = this.dryRun
      ? { policy: this.decisionNames[index]!, threshold, dryRun: keep ? 'keep' : 'drop' }
      : { policy: this.decisionNames[index]!, threshold };
    this.lastKept[slot] = kept;
    return kept;
  }

  private forward(span: ReadableSpan, kept: KeptDecision, extra: Attributes | undefined): void {
    const inbound = span.spanContext().traceState;
    let outbound = this.lastOutboundState;
    if (
      outbound === undefined ||
      inbound !== this.lastInboundState ||
      kept.threshold !== this.lastThreshold
    ) {
      outbound = new SerializedTraceState(
        (inbound ?? EMPTY_TRACE_STATE).set('ot', withTh(inbound?.get('ot'), kept.threshold)),
      );
      this.lastInboundState = inbound;
      this.lastThreshold = kept.threshold;
      this.lastOutboundState = outbound;
    }
    try {
      this.next.onEnd(new SampledSpan(span, outbound, kept.policy, extra));
    } catch {
      this.nextProcessorErrors++;
    }
  }

  // ---- timer ----

  private arm(now: number): void {
    if (this.closed) return;
    let wake = Number.POSITIVE_INFINITY;
    const head = this.queue[this.queueHead];
    if (head !== undefined) wake = head.deadline;
    const oldest = this.oldest();
    if (oldest !== undefined && oldest.createdAt + this.maxTraceAgeMs < wake)
      wake = oldest.createdAt + this.maxTraceAgeMs;
    if (wake === Number.POSITIVE_INFINITY) return;
    if (this.timer !== undefined) {
      if (this.timerAt <= wake) return;
      clearTimeout(this.timer);
    }
    this.timerAt = wake;
    this.timer = setTimeout(this.onTimer, Math.max(0, wake - now));
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.now();
    this.decideDue(now);
    this.arm(now);
  };
}
