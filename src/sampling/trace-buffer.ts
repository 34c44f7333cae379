// One buffered trace: its spans held under the per-trace caps, what the policy chain reads of it
// (TraceView), and the state the sampler's queues and link index keep on it.
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { isErrorSpan } from './errors-policy.js';
import { HeldSpan } from './held-span.js';
import type { LinkingTrace } from './link-index.js';
import type { PolicyDecision, TraceView } from './policy.js';
import { ABSTAIN } from './policy.js';
import { estimateSpanBytes } from './span-size.js';
import { randomnessOf } from './threshold.js';
import type { TableEntry } from './trace-table.js';

/** The caps every trace is held under, and the totals over all buffered traces (for stats and maxBytes). */
export class BufferUsage {
  spans = 0;
  bytes = 0;
  truncatedTraces = 0;
  truncatedSpans = 0;
  /** One trace may hold at most an eighth of maxBytes, so one huge trace cannot evict all others. */
  readonly maxTraceBytes: number;

  constructor(
    readonly maxSpansPerTrace: number,
    readonly maxBytes: number,
  ) {
    this.maxTraceBytes = Math.max(1, Math.floor(maxBytes / 8));
  }
}

const EMPTY_SPANS: ReadableSpan[] = [];

export class TraceBuffer implements TraceView, TableEntry, LinkingTrace {
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

  /** The inbound `ot` tracestate value of the trace (from its local root, else its first span). */
  readInboundOt(): void {
    const reference = this.localRoot ?? this.spans[0];
    this.inboundOt = reference?.spanContext().traceState?.get('ot');
  }

  /** Whether a span of `bytes` fits under the per-trace caps as the trace stands. */
  fits(bytes: number, usage: BufferUsage): boolean {
    return this.spans.length < usage.maxSpansPerTrace && this.bytes + bytes <= usage.maxTraceBytes;
  }

  hold(span: ReadableSpan, bytes: number, usage: BufferUsage): void {
    this.spans.push(span);
    this.bytes += bytes;
    usage.bytes += bytes;
    usage.spans++;
    if (this.evaluated) this.changed = true;
  }

  // Over a per-trace cap the root and error spans are what matter: they displace ordinary spans
  // (oldest first); an ordinary span is cut. Returns whether `span` now fits.
  makeRoom(span: ReadableSpan, bytes: number, usage: BufferUsage): boolean {
    const isRoot = span === this.localRoot;
    if (!isRoot && !isErrorSpan(span)) return false;
    if (bytes > usage.maxTraceBytes || usage.maxSpansPerTrace < 1) return false;
    for (let pass = 0; pass < 2 && !this.fits(bytes, usage); pass++) {
      // Pass 0 removes ordinary spans; pass 1 (only for the root) removes error spans too.
      if (pass === 1 && !isRoot) break;
      for (let i = 0; i < this.spans.length && !this.fits(bytes, usage);) {
        const candidate = this.spans[i]!;
        if (candidate === this.localRoot || (pass === 0 && isErrorSpan(candidate))) {
          i++;
          continue;
        }
        this.spans.splice(i, 1);
        const removed = estimateSpanBytes(candidate);
        this.bytes -= removed;
        usage.bytes -= removed;
        usage.spans--;
        this.cut(usage);
      }
    }
    return this.fits(bytes, usage);
  }

  /** A span of this trace was not held: counted, and the kept trace says how many it lacks. */
  cut(usage: BufferUsage): void {
    if (this.cutSpans === 0) usage.truncatedTraces++;
    this.cutSpans++;
    usage.truncatedSpans++;
  }

  /** Holds the spans in compact form through the grace (see HeldSpan). */
  compact(): void {
    const spans = this.spans;
    const root = this.localRoot;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      let held: HeldSpan;
      try {
        held = HeldSpan.of(span);
      } catch {
        continue; // not shaped like an SDK span (a hand-made ReadableSpan): held as it is
      }
      spans[i] = held;
      if (span === root) this.localRoot = held;
    }
  }

  /** Takes the spans out of the buffer at the decision; the totals no longer count them. */
  release(usage: BufferUsage): ReadableSpan[] {
    const spans = this.spans;
    usage.bytes -= this.bytes;
    usage.spans -= spans.length;
    this.spans = EMPTY_SPANS;
    return spans;
  }
}
