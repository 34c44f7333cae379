// Hands kept spans to the next processor, stamped with the decision: the policy name, the
// stricter `ot=th` threshold in tracestate, and dry-run or truncation attributes. A throwing next
// processor is counted, never thrown into the app.
import type { Attributes, Context, TraceState } from '@opentelemetry/api';
import { TraceState as CoreTraceState } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { KeptDecision } from './decision-cache.js';
import {
  CUT_SPANS_ATTRIBUTE,
  DRY_RUN_ATTRIBUTE,
  SampledSpan,
  SerializedTraceState,
  TRUNCATED_ATTRIBUTE,
} from './sampled-span.js';
import { withTh } from './threshold.js';

const EMPTY_TRACE_STATE: TraceState = new CoreTraceState();

export class SpanForwarder {
  /** Calls into the next processor that threw. */
  errors = 0;
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

  /** Forwards the spans of a kept trace; one that lost `cutSpans` spans says so on `summarised`. */
  forwardTrace(
    spans: readonly ReadableSpan[],
    kept: KeptDecision,
    cutSpans: number,
    summarised: ReadableSpan | undefined,
  ): void {
    const common = kept.dryRun === undefined ? undefined : { [DRY_RUN_ATTRIBUTE]: kept.dryRun };
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
      this.errors++;
    }
  }
}
