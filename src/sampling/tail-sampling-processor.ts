// The tail sampler as a SpanProcessor: buffers spans per trace (trace-buffer.ts), decides when the
// local part of the trace is done (local root ended, no local span open, plus a grace period, kept
// in trace-queues.ts), and forwards kept traces whole to the next processor (span-forwarder.ts).
// Memory is hard-capped; late spans follow the decision already made. A trace linking to buffered
// traces waits for their decisions and is kept when one of them is.
import type { Context, Link } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { SamplingSpec, TelemetrySpec } from '../spec/types.js';
import { IssueListError, SpecError, type SpecIssue } from '../spec/errors.js';
import { resolveSpec } from '../spec/model.js';
import { exemplarTracesPerSecond, resolveSampling } from '../spec/sampling-settings.js';
import { DecisionCache, LATE_CAPPED } from './decision-cache.js';
import { ExemplarKeepLimit } from './exemplar-keep-limit.js';
import { buildPolicies, isBuiltInPolicy, withExemplarRule } from './build-policies.js';
import { BudgetPolicy } from './budget-policy.js';
import { ErrorBudgetPolicy } from './error-budget-policy.js';
import type { PolicyDecision, SamplingPolicy } from './policy.js';
import { ABSTAIN, CEILING_DROP, DROP, KEEP } from './policy.js';
import type { SamplerStats } from './sampler-stats.js';
import { SpanForwarder } from './span-forwarder.js';
import { estimateSpanBytes } from './span-size.js';
import { LinkIndex } from './link-index.js';
import { withLinkedRule } from './linked-policy.js';
import { NO_MATCH, reservedNameProblem } from './policy-names.js';
import { SpanSlab } from './span-slab.js';
import { BufferUsage, INBOUND_OT_UNREADABLE, INBOUND_TH_ERASED, TraceBuffer } from './trace-buffer.js';
import { AdmissionQueue, DeadlineQueue } from './trace-queues.js';
import { TraceTable } from './trace-table.js';
import { hexWord } from './trace-id-bits.js';
import {
  ALWAYS_KEEP_THRESHOLD,
  isThreshold,
  stricter,
  thresholdOf,
  thresholdToProbability,
  encodeTh,
} from './threshold.js';

// The spec's sampling defaults live with the model that fills them in (spec/sampling-settings.ts).
export {
  DEFAULT_DECISION_WAIT_MS,
  DEFAULT_MAX_TRACES,
  DEFAULT_MAX_SPANS_PER_TRACE,
  DEFAULT_MAX_BYTES,
} from '../spec/sampling-settings.js';
/** A trace still undecided after this long (a span that never ends) is decided anyway. */
export const DEFAULT_MAX_TRACE_AGE_MS = 60_000;
/** Decision name when every policy abstained. */
export { NO_MATCH };

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
  /**
   * Told of each span that ends after shutdown(): it is dropped (and counted in
   * `stats().spansAfterShutdown`). createTelemetry and nodeSdkParts count it on /metrics with OTLP
   * span export. One that throws is ignored.
   */
  readonly onSpanAfterShutdown?: () => void;
}

export class TailSamplingProcessor implements SpanProcessor {
  private readonly now: () => number;
  private readonly policies: readonly SamplingPolicy[];
  /** Per policy: made by plumbline (answers taken as they are), see answerOf(). */
  private readonly builtIn: readonly boolean[];
  /** Policy names by index; the last one is NO_MATCH. */
  private readonly decisionNames: readonly string[];
  private readonly keeps: number[];
  private readonly drops: number[];
  /**
   * Per policy: its ceiling drops (CEILING_DROP) that an earlier rule overruled when a span ended
   * during the grace: the policy counted them, yet the trace was not dropped by it.
   */
  private readonly ceilingDropsOverruled: number[];
  private readonly dryRun: boolean;
  private readonly decisionWaitMs: number;
  private readonly maxTraces: number;
  private readonly maxTraceAgeMs: number;
  private readonly cache: DecisionCache;
  private readonly forwarder: SpanForwarder;
  private readonly usage: BufferUsage;
  /** Traces kept for exemplars per second: the chain's exemplar rule's `tracesPerSecond`. */
  private readonly exemplarLimit: ExemplarKeepLimit;
  /** Where spans of done traces wait out the grace (see SpanSlab). */
  private readonly slab = new SpanSlab();

  private readonly traces: TraceTable<TraceBuffer>;
  private readonly links = new LinkIndex<TraceBuffer>();
  /** The trace of the last span seen: a request's spans mostly arrive together (no Map lookup). */
  private lastTrace: TraceBuffer | undefined = undefined;
  /** The last ID the table did not hold, and its last 8 hex digits (see lookup()). */
  private readonly admitted: AdmissionQueue<TraceBuffer>;
  /** Buffers of decided traces no queue holds any more, for new traces (see reuse()). */
  private readonly pool: TraceBuffer[] = [];
  private readonly maxPooled: number;
  private readonly queue: DeadlineQueue<TraceBuffer>;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;
  private shutdownPromise: Promise<void> | undefined = undefined;

  private evictions = { maxTraces: 0, maxBytes: 0, maxAge: 0, flush: 0 };
  private lateKept = 0;
  private lateDropped = 0;
  /** Late spans of a kept trace past maxSpansPerTrace of them: dropped. */
  private lateCapped = 0;
  private spansAfterShutdown = 0;
  private readonly onSpanAfterShutdown: (() => void) | undefined;
  private policyErrors = 0;
  /** Traces whose inbound `ot=th` their randomness fails, erased (TraceBuffer.readInboundOt). */
  private inboundThresholdsErased = 0;
  /** Traces whose inbound tracestate threw when its `ot` was read (stats().tracestateErrors). */
  private inboundOtUnreadable = 0;

  /**
   * Built from the spec's sampling settings (its model, spec/model.ts): pass the whole spec, or its
   * sampling section alone. Either is checked there when it was not already (SpecError).
   */
  constructor(spec: SamplingSpec | TelemetrySpec, next: SpanProcessor, options: TailSamplingOptions = {}) {
    const settings = 'service' in spec ? resolveSpec(spec).sampling : resolveSampling(spec);
    if (settings === undefined)
      throw new SpecError([
        {
          path: 'sampling',
          message: "is required: the tail sampler is built from the spec's sampling section",
        },
      ]);
    this.now = options.now ?? (() => performance.now());
    if (options.policies !== undefined) checkChainNames(options.policies);
    this.policies = withLinkedRule(
      options.policies === undefined ? buildPolicies(settings.policies) : withExemplarRule(options.policies),
    );
    this.builtIn = this.policies.map(isBuiltInPolicy);
    this.decisionNames = [...this.policies.map((policy) => policy.name), NO_MATCH];
    this.exemplarLimit = new ExemplarKeepLimit(exemplarTracesPerSecond(this.policies));
    this.keeps = this.decisionNames.map(() => 0);
    this.drops = this.decisionNames.map(() => 0);
    this.ceilingDropsOverruled = this.decisionNames.map(() => 0);
    this.dryRun = options.dryRun ?? settings.dryRun;
    this.decisionWaitMs = settings.decisionWaitMs;
    this.maxTraces = settings.maxTraces;
    this.traces = new TraceTable(this.maxTraces);
    this.admitted = new AdmissionQueue(this.maxTraces + 1024, this.leftAdmission);
    // Bounded by the buffer: entries of traces decided early (caps) are dropped past it.
    this.queue = new DeadlineQueue(2 * this.maxTraces, this.leftDeadlines);
    this.maxPooled = this.maxTraces + 1024;
    this.usage = new BufferUsage(settings.maxSpansPerTrace, settings.maxBytes);
    this.usage.cutWatchers = this.policies.filter(
      (policy, index) => this.builtIn[index] === true && policy.matchesCutSpan !== undefined,
    );
    this.usage.carriedAttributes = [
      ...new Set(
        this.policies.flatMap((policy, index) =>
          this.builtIn[index] === true ? (policy.carriedAttributes ?? []) : [],
        ),
      ),
    ];
    this.maxTraceAgeMs = options.maxTraceAgeMs ?? DEFAULT_MAX_TRACE_AGE_MS;
    const keptSize = options.keptDecisionCacheSize ?? Math.max(this.maxTraces, 10_000);
    this.cache = new DecisionCache(keptSize, options.droppedDecisionCacheSize ?? keptSize * 8);
    this.forwarder = new SpanForwarder(next, this.decisionNames, this.dryRun);
    this.onSpanAfterShutdown = options.onSpanAfterShutdown;
  }

  onStart(span: Span, parentContext: Context): void {
    this.forwarder.onStart(span, parentContext);
    if (this.closed) return;
    const traceId = span.spanContext().traceId;
    const parent = span.parentSpanContext;
    let trace = this.lookup(traceId);
    if (trace === undefined) {
      // A trace already decided: its spans follow that decision when they end. A span without a
      // parent has a freshly generated trace ID, which no decision can name: no lookup. A span
      // under a remote parent (the caller's trace calling again, a retry) follows a keep only:
      // after a drop it is a local part of its own, decided alone, so an error in it is kept
      // (test/regression/error-call-after-a-dropped-call-of-the-same-trace-lost.test.ts).
      let droppedBefore = false;
      if (parent !== undefined) {
        if (parent.isRemote !== true) {
          if (this.cache.has(traceId)) return;
        } else if (this.cache.keptDecision(traceId) !== undefined) return;
        else droppedBefore = this.cache.wasDropped(traceId);
      }
      trace = this.admit(traceId);
      // Its drop is remembered already: a caller reusing one ID must not fill the cache with it.
      trace.droppedBefore = droppedBefore;
    }
    trace.openLocal++;
    const links = span.links;
    if (links.length > 0) this.registerLinks(trace, links);
    if (!trace.hasLocalRoot) {
      if (parent === undefined || parent.isRemote === true) {
        trace.localRoot = span;
        trace.rootStartedAt = trace.openLocal === 1 ? trace.createdAt : this.now();
      }
    }
  }

  onEnding(span: Span): void {
    this.forwarder.onEnding(span);
  }

  onEnd(span: ReadableSpan): void {
    if (this.closed) {
      this.spansAfterShutdown++;
      try {
        this.onSpanAfterShutdown?.();
      } catch {
        // counted in stats() all the same; nothing may throw into the app's span.end()
      }
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
    if (trace.isLocalRoot(span)) trace.rootEnded = true;
    this.buffer(trace, span);
    if (trace.decided) return;
    if (trace.openLocal === 0 && trace.rootEnded) this.markDone(trace);
  }

  /**
   * Called by the metrics registry when an exemplar is about to point at this trace. Returns
   * whether the trace is (or will be) exported: true for an already kept trace and for a pending
   * one already marked; for another pending trace, true (it is now kept) while the exemplar
   * rule's `tracesPerSecond` allows; false otherwise, and for a dropped or unknown trace: the
   * registry then records no exemplar and the slot keeps the one it had. `slotAgeMs` is the age
   * of that exemplar (Infinity for an empty slot): old and empty slots go first when keeps are
   * scarce. Exemplars are recorded inside live spans, whose traces are pending. `spanEnded`: the
   * exemplar's span had ended and could not carry `plumbline.exemplar`, the mark the collector's
   * `exemplar` policy keeps a trace by: the trace's spans carry it when they are forwarded (a
   * measurement in a response's 'close' listener left the trace to the collector's budget).
   */
  markExemplar(traceId: string, slotAgeMs = Number.POSITIVE_INFINITY, spanEnded = false): boolean {
    const trace = this.traces.get(traceId);
    if (trace !== undefined) {
      if (!trace.exemplar) {
        if (!this.exemplarLimit.tryTake(this.now(), slotAgeMs)) return false;
        if (trace.evaluated) trace.changed = true;
        trace.exemplar = true;
      }
      if (spanEnded) trace.exemplarMark = true;
      return true;
    }
    if (this.cache.keptDecision(traceId) !== undefined) return true;
    return false;
  }

  /** Decides every done trace whose grace period has passed, and traces past the maximum age. */
  decideDue(now: number = this.now()): void {
    // Traces waiting for the traces they link to wait another grace (at least 1 ms).
    const linkWaitMs = Math.max(1, this.decisionWaitMs);
    for (
      let due = this.queue.takeDue(now, linkWaitMs);
      due !== undefined;
      due = this.queue.takeDue(now, linkWaitMs)
    )
      this.decide(due, now);
    for (
      let oldest = this.admitted.oldest();
      oldest !== undefined && oldest.createdAt + this.maxTraceAgeMs <= now;
      oldest = this.admitted.oldest()
    ) {
      this.evictions.maxAge++;
      this.decide(oldest, now);
    }
  }

  forceFlush(): Promise<void> {
    if (!this.closed) this.decideAll();
    return this.forwarder.forceFlush();
  }

  shutdown(): Promise<void> {
    if (this.shutdownPromise === undefined) {
      this.decideAll();
      this.closed = true;
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.shutdownPromise = this.forwarder.shutdown();
    }
    return this.shutdownPromise;
  }

  stats(): SamplerStats {
    // Records without a prototype: key values come from clients ("__proto__" would set the
    // prototype), and a policy named "constructor" would find Object's.
    const decisions = emptyRecord<{ keep: number; drop: number }>();
    this.decisionNames.forEach((name, index) => {
      const entry = (decisions[name] ??= { keep: 0, drop: 0 });
      entry.keep += this.keeps[index]!;
      entry.drop += this.drops[index]!;
    });
    const thresholds = emptyRecord<{ th: string; probability: number }>();
    const thresholdsByPolicy = emptyRecord<Record<string, { th: string; probability: number }>>();
    const budgetCeilingDrops = emptyRecord<number>();
    const budgetKeysTruncated = emptyRecord<number>();
    for (const [index, policy] of this.policies.entries()) {
      try {
        if (policy.ceilingDrops !== undefined)
          budgetCeilingDrops[policy.name] = policy.ceilingDrops() - this.ceilingDropsOverruled[index]!;
        // The built-in budgets' key cuts (keysTruncated is theirs, not SamplingPolicy's).
        if (policy instanceof BudgetPolicy || policy instanceof ErrorBudgetPolicy)
          budgetKeysTruncated[policy.name] = policy.keysTruncated();
        for (const [key, threshold] of Object.entries(policy.thresholds?.() ?? {})) {
          if (!isThreshold(threshold)) continue;
          const entry = { th: encodeTh(threshold), probability: thresholdToProbability(threshold) };
          thresholds[key] = entry;
          (thresholdsByPolicy[policy.name] ??= emptyRecord())[key] = entry;
        }
      } catch {
        // a policy of your own that cannot say: /metrics and stats() go on without it
      }
    }
    const usage = this.usage;
    return {
      decisions,
      thresholdsByPolicy,
      bufferedTraces: this.traces.size,
      bufferedSpans: usage.spans,
      bufferedBytes: usage.bytes,
      evictions: { ...this.evictions },
      truncatedTraces: usage.truncatedTraces,
      truncatedSpans: usage.truncatedSpans,
      lateSpans: { kept: this.lateKept, dropped: this.lateDropped + this.lateCapped },
      lateSpansCapped: this.lateCapped,
      budgetCeilingDrops,
      budgetKeysTruncated,
      exemplarKeepsRefused: this.exemplarLimit.refused,
      thresholds,
      nextProcessorErrors: this.forwarder.errors,
      tracestateDropped: this.forwarder.tracestateDropped,
      inboundThresholdsErased: this.inboundThresholdsErased,
      tracestateErrors: this.inboundOtUnreadable + this.forwarder.tracestateErrors,
      policyErrors: this.policyErrors,
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
    const low = hexWord(traceId, traceId.length);
    const now = this.now();
    while (this.traces.size >= this.maxTraces) {
      this.evictions.maxTraces++;
      this.decide(this.admitted.oldest()!, now);
    }
    const pooled = this.pool.pop();
    const trace =
      pooled === undefined ? new TraceBuffer(traceId, now, this.slab) : pooled.reset(traceId, now);
    this.traces.add(trace);
    trace.idLow = low;
    this.lastTrace = trace;
    trace.inAdmission = true;
    this.admitted.push(trace);
    if (this.timer === undefined) this.arm(now);
    return trace;
  }

  private buffer(trace: TraceBuffer, span: ReadableSpan): void {
    const bytes = estimateSpanBytes(span);
    const usage = this.usage;
    if (!trace.fits(bytes, usage) && !trace.makeRoom(span, bytes, usage)) {
      if (!trace.isLocalRoot(span)) {
        trace.cut(usage, span);
        return;
      }
      // A local root too big for its trace's cap on its own: the policies read it, so cut it
      // was still held, uncounted, until the decision. It is held past the cap only while its
      // trace is decided, now (test/regression/root-too-big-for-its-trace-held-uncounted.test.ts).
      trace.hold(span, bytes, usage);
      this.evictions.maxBytes++;
      this.decide(trace, this.now());
      return;
    }
    if (usage.bytes + bytes > usage.maxBytes) {
      const now = this.now();
      while (usage.bytes + bytes > usage.maxBytes && this.traces.size > 0) {
        this.evictions.maxBytes++;
        this.decide(this.admitted.oldest()!, now);
      }
      // The oldest may have been this very trace: the span follows its decision.
      if (trace.decided) {
        this.followDecision(span, trace.traceId);
        return;
      }
    }
    trace.hold(span, bytes, usage);
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
    trace.compact();
    trace.deadline = now + this.decisionWaitMs;
    this.queue.push(trace);
    if (this.queue.nextDeadline() <= now) this.decideDue(now);
    if (this.timer === undefined || trace.deadline < this.timerAt) this.arm(now);
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
    this.queue.clear();
    this.admitted.clear();
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
      const inbound = trace.readInboundOt();
      if (inbound === INBOUND_TH_ERASED) this.inboundThresholdsErased++;
      else if (inbound === INBOUND_OT_UNREADABLE) this.inboundOtUnreadable++;
    }
    trace.changed = false;
    for (let i = 0; i < end; i++) {
      const candidate = this.answerOf(i, trace, now);
      if (candidate.verdict !== 'abstain') {
        // (On a first run the verdict is ABSTAIN.)
        if (trace.verdict === CEILING_DROP) this.ceilingDropsOverruled[trace.verdictIndex]!++;
        trace.verdict = candidate;
        trace.verdictIndex = i;
        return;
      }
    }
  }

  /**
   * A policy's answer. plumbline's own are taken as they are; a policy of your own that throws,
   * or answers anything but keep, drop or abstain (with an OTEP 235 threshold or none), abstains
   * and is counted (`stats().policyErrors`): a broken policy must not break the app's span.end()
   * or turn into a silent drop, and its answer is copied so it is read once.
   */
  private answerOf(index: number, trace: TraceBuffer, now: number): PolicyDecision {
    const policy = this.policies[index]!;
    try {
      if (this.builtIn[index]!) return policy.evaluate(trace, now);
      const answer = policy.evaluate(trace, now);
      const verdict = answer.verdict;
      const threshold = answer.threshold;
      if (threshold === undefined) {
        if (verdict === 'abstain') return ABSTAIN;
        if (verdict === 'keep') return KEEP;
        // (A BudgetPolicy of your own making refuses with CEILING_DROP: see ceilingDropsOverruled.)
        if (verdict === 'drop') return answer === CEILING_DROP ? CEILING_DROP : DROP;
      } else if ((verdict === 'keep' || verdict === 'drop') && isThreshold(threshold)) {
        return { verdict, threshold };
      }
    } catch {
      // counted below, as an abstention
    }
    this.policyErrors++;
    return ABSTAIN;
  }

  private decide(trace: TraceBuffer, now: number): void {
    this.traces.delete(trace);
    trace.decided = true;
    if (!trace.evaluated || trace.changed) this.evaluate(trace, now);
    const decision = trace.verdict;
    const index = trace.verdictIndex;
    const keep = decision.verdict === 'keep';
    if (keep) this.keeps[index]!++;
    else this.drops[index]!++;
    if (this.links.size > 0) this.links.decided(trace.traceId, keep);

    if (!keep && !this.dryRun) {
      trace.discard(this.usage);
      if (!trace.droppedBefore) this.cache.dropWords(trace.idLow, this.idHigh(trace));
      return;
    }
    const spans = trace.release(this.usage);
    // Kept by a rule, a trace was kept with probability 1 (th:0); by the budget, with the
    // budget's probability. An upstream threshold still applies: the stricter one is written.
    const ours = this.dryRun ? ALWAYS_KEEP_THRESHOLD : (decision.threshold ?? ALWAYS_KEEP_THRESHOLD);
    const kept = this.forwarder.keptDecision(index, stricter(ours, thresholdOf(trace.inboundOt)), keep);
    this.cache.keepWords(trace.idLow, this.idHigh(trace), kept);
    const cutSpans = trace.cutSpans;
    const summarised = cutSpans > 0 ? (trace.localRoot ?? spans[0]) : undefined;
    const exemplarMark = trace.exemplarMark;
    // Let go before forwarding: the buffer outlives the decision in the queues, and is reused
    // once they let go of it (the next processor may start spans of its own meanwhile).
    trace.localRoot = undefined;
    this.forwarder.forwardTrace(spans, kept, cutSpans, summarised, exemplarMark);
  }

  /** The ID's 8 hex digits before the last 8: read when the trace began to wait, else now. */
  private idHigh(trace: TraceBuffer): number {
    return trace.waited ? trace.idHigh : hexWord(trace.traceId, trace.traceId.length - 8);
  }

  /**
   * A span of `trace` links to other traces: a buffered one is waited for, an already kept one
   * keeps this trace. Links within the trace itself, or to dropped or unknown traces, are ignored.
   */
  private registerLinks(trace: TraceBuffer, links: readonly Link[]): void {
    for (let i = 0; i < links.length; i++) {
      let linkedId: unknown;
      try {
        // The SDK passes links on as the app gave them: `{ context: null }`, or a Proxy that
        // throws, must not turn the app's startSpan into an exception. Such a link counts for nothing.
        linkedId = (links[i] as Partial<Link> | null | undefined)?.context?.traceId;
      } catch {
        continue;
      }
      if (typeof linkedId !== 'string' || linkedId === trace.traceId) continue;
      const linked = this.traces.get(linkedId);
      if (linked !== undefined) {
        trace.linking = true;
        this.links.add(linkedId, trace);
      } else if (!trace.linkedKept && this.cache.keptDecision(linkedId) !== undefined) {
        trace.linkedKept = true;
        if (trace.evaluated) trace.changed = true;
      }
    }
  }

  /** A span of an already decided trace; returns false when no decision is remembered. */
  private followDecision(span: ReadableSpan, traceId: string): boolean {
    const kept = this.cache.followLate(traceId, this.usage.maxSpansPerTrace);
    if (kept === LATE_CAPPED) {
      this.lateCapped++;
      return true;
    }
    if (kept !== undefined) {
      this.lateKept++;
      this.forwarder.forwardLate(span, kept);
      return true;
    }
    if (this.cache.wasDropped(traceId)) {
      this.lateDropped++;
      return true;
    }
    return false;
  }

  // ---- reuse ----

  private readonly leftAdmission = (trace: TraceBuffer): void => {
    trace.inAdmission = false;
    this.reuse(trace);
  };

  private readonly leftDeadlines = (trace: TraceBuffer): void => {
    this.reuse(trace);
  };

  // A decided trace's buffer is reused once neither queue nor the link index holds it: its
  // spans are gone (forwarded or dropped), and a new trace then waits in an object that is
  // already old (see TraceBuffer.reset). Only buffers that waited out a grace are: one decided
  // at once dies young, which costs less than reusing it. Policies see a TraceView only while
  // they evaluate it.
  private reuse(trace: TraceBuffer): void {
    if (!trace.decided || !trace.waited || trace.inAdmission || trace.queued || trace.linking) return;
    if (this.pool.length < this.maxPooled) this.pool.push(trace);
  }

  // ---- timer ----

  private arm(now: number): void {
    if (this.closed) return;
    let wake = this.queue.nextDeadline();
    const oldest = this.admitted.oldest();
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

function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * A chain of your own (`policies`) with a name twice, or an implicit rule's name on another kind:
 * refused at construction, each problem naming the policy (as the spec check does for the spec's).
 */
function checkChainNames(policies: readonly SamplingPolicy[]): void {
  const issues: SpecIssue[] = [];
  const seen = new Set<string>();
  policies.forEach((policy, index) => {
    const name = policy.name;
    const at = `policies[${index}].name`;
    if (seen.has(name)) issues.push({ path: at, message: `duplicate policy name "${name}"` });
    seen.add(name);
    const reserved = reservedNameProblem(name, policy.kind);
    if (reserved !== undefined) issues.push({ path: at, message: reserved });
  });
  if (issues.length > 0) throw new IssueListError('invalid tail-sampling policy chain', issues);
}
