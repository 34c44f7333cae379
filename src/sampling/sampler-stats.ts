// The processor's self-metrics, as plain data (the metrics area maps them to plumbline_sampler_*).

export interface PolicyOutcomes {
  readonly keep: number;
  readonly drop: number;
}

export interface SamplerStats {
  /** Decisions by the policy that made them; "no-match" when every policy abstained. */
  readonly decisions: Readonly<Record<string, PolicyOutcomes>>;
  /** Gauges: what is buffered now. */
  readonly bufferedTraces: number;
  readonly bufferedSpans: number;
  readonly bufferedBytes: number;
  /** Traces decided before they were done, by cause. */
  readonly evictions: {
    readonly maxTraces: number;
    readonly maxBytes: number;
    readonly maxAge: number;
    readonly flush: number;
  };
  /** Traces that went over their span or byte cap, and the spans cut from them. */
  readonly truncatedTraces: number;
  readonly truncatedSpans: number;
  /** Spans that ended after their trace's decision, and what happened to them. */
  readonly lateSpans: { readonly kept: number; readonly dropped: number };
  /**
   * Of `lateSpans.dropped`: late spans of a kept trace dropped because maxSpansPerTrace late spans
   * had already followed it (a client reusing the ID of a trace it got kept in its traceparent).
   */
  readonly lateSpansCapped: number;
  /**
   * Per budget policy: traces that passed its threshold but were dropped because their key kept
   * more than twice its allocation (plus 10) per second: randomness a client chose (trace IDs or
   * `ot=rv` all high) cannot carry a flood past the budget. Also counted in `decisions` as drops.
   * Only traces the refusal dropped: one that a span ending during the grace kept through an
   * earlier rule (a late error, an exemplar) is not counted.
   */
  readonly budgetCeilingDrops: Readonly<Record<string, number>>;
  /**
   * Per budget policy (and errors policy with a budget): traces whose key value was longer than
   * 2048 UTF-8 bytes and cut before it was looked up (BudgetPolicy.keysTruncated). Values alike up
   * to the cut share one key: a count that grows says a client sends such values.
   */
  readonly budgetKeysTruncated: Readonly<Record<string, number>>;
  /**
   * Exemplars not taken because the exemplar rule's `tracesPerSecond` was used up: their slots
   * kept the exemplar they had (pointing at a kept trace), and their traces went on through the
   * chain like any other.
   */
  readonly exemplarKeepsRefused: number;
  /**
   * Current budget threshold per key as the `th` hex and as a keep probability. With two budgets
   * on the same key values (an errors budget and the baseline) the later policy's shows:
   * `thresholdsByPolicy` has both.
   */
  readonly thresholds: Readonly<Record<string, { readonly th: string; readonly probability: number }>>;
  /** The same per budget policy (its name), then per key. */
  readonly thresholdsByPolicy: Readonly<
    Record<string, Readonly<Record<string, { readonly th: string; readonly probability: number }>>>
  >;
  /** Calls into the next processor that threw (counted, never rethrown into the app). */
  readonly nextProcessorErrors: number;
  /**
   * Inbound tracestate parts left out of kept spans' tracestate: `ot` sub-keys the spec's grammar
   * refuses or that did not fit in 256 characters beside `th`, and other vendors' members past the
   * W3C limits (512 characters, 32 members). Counted each time a kept trace's tracestate is built.
   */
  readonly tracestateDropped: number;
  /**
   * Traces whose inbound `ot=th` their own randomness fails (the caller kept a trace its threshold
   * rejects: an inconsistent decision), erased before the decision as the OTel spec asks: such a
   * trace is decided, and a kept one labelled, by this sampler's threshold alone. Counted once per
   * trace, kept or dropped.
   */
  readonly inboundThresholdsErased: number;
  /**
   * Calls into a span's inbound TraceState (an implementation of the app's own, or a propagator's)
   * that threw or gave no string: its `ot` was read as absent, or a kept span's tracestate was
   * rebuilt from what could be read (at least our `ot`); a state its set() answered that cannot
   * serialize is replaced by our `ot` before it reaches the exporter (where it lost the whole
   * batch). The span is kept all the same; never thrown into the app. Counted once per trace read
   * and once per kept tracestate built.
   */
  readonly tracestateErrors: number;
  /**
   * Answers of policies of your own that threw, or were not keep, drop or abstain with a valid
   * threshold: each was taken as an abstention.
   */
  readonly policyErrors: number;
  /** Spans ended after shutdown (ignored). */
  readonly spansAfterShutdown: number;
}
