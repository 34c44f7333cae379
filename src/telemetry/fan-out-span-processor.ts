// Hands every span to several processors (what the tail sampler keeps goes to the OTLP batch
// processor and to any the application added); one that throws does not stop the others, and
// is counted and said in one line at most once a minute per step.
import { diag, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { coarseNow } from '../metrics/coarse-clock.js';
import type { Metrics } from '../metrics/create-metrics.js';
import { FailureReport } from './otlp-failure-report.js';
import { sdkSeries } from '../spec/naming.js';
import { settle } from './settle.js';

/**
 * Calls of a span processor behind the fan-out that threw, by step (on_start, on_ending,
 * on_end): that processor missed the span.
 */
export const SPAN_PROCESSOR_ERRORS = sdkSeries.spanProcessorErrors;

type SpanStep = 'on_start' | 'on_ending' | 'on_end';
const STEPS: readonly SpanStep[] = ['on_start', 'on_ending', 'on_end'];
const LABELS: Readonly<Record<SpanStep, { readonly step: SpanStep }>> = {
  on_start: { step: 'on_start' },
  on_ending: { step: 'on_ending' },
  on_end: { step: 'on_end' },
};
const KINDS: Readonly<Record<SpanStep, string>> = {
  on_start: 'span processor onStart failed',
  on_ending: 'span processor onEnding failed',
  on_end: 'span processor onEnd failed',
};

export class FanOutSpanProcessor implements SpanProcessor {
  // Counted in plain numbers, read at scrape and export: a failing processor fails at request rate.
  private readonly failedCalls: Record<SpanStep, number> = { on_start: 0, on_ending: 0, on_end: 0 };
  // A broken processor throws at every span: its Error inspected with the stack per span end
  // flooded the logs at request rate. Regression: throwing-span-processor-floods-logs-per-span.
  // The coarse clock: performance.now() was most of the cost of a counted failure (50 of 100 ns).
  private readonly failures = new FailureReport({ write: (line) => diag.error(line), now: coarseNow });

  /** `metrics`: where the processors' failures are counted (SPAN_PROCESSOR_ERRORS). */
  constructor(
    private readonly processors: readonly SpanProcessor[],
    metrics?: Pick<Metrics, 'selfGauge'>,
  ) {
    metrics?.selfGauge(
      SPAN_PROCESSOR_ERRORS,
      "Calls into a span processor (the application's, or plumbline's OTLP batch processor) that threw, by step: that processor missed the span (the others still got it).",
      ['step'],
      () => STEPS.map((step) => ({ labels: LABELS[step], value: this.failedCalls[step] })),
      'counter',
    );
  }

  onStart(span: Span, parentContext: Context): void {
    for (const processor of this.processors) {
      try {
        processor.onStart(span, parentContext);
      } catch (error) {
        this.failed('on_start', error);
      }
    }
  }

  onEnding(span: Span): void {
    for (const processor of this.processors) {
      try {
        processor.onEnding?.(span);
      } catch (error) {
        this.failed('on_ending', error);
      }
    }
  }

  onEnd(span: ReadableSpan): void {
    for (const processor of this.processors) {
      try {
        processor.onEnd(span);
      } catch (error) {
        this.failed('on_end', error);
      }
    }
  }

  /** Off the span path: called only when a processor threw. */
  private failed(step: SpanStep, error: unknown): void {
    this.failedCalls[step]++;
    this.failures.failed(KINDS[step], error);
  }

  forceFlush(): Promise<void> {
    return this.everyOne('forceFlush');
  }

  shutdown(): Promise<void> {
    return this.everyOne('shutdown');
  }

  /**
   * Calls `step` on every processor, even after one that throws at once, and waits for all; a
   * failure, at once or later, is reported to diag, never passed on (of a single processor, it is).
   */
  private everyOne(step: 'forceFlush' | 'shutdown'): Promise<void> {
    // One processor (the app's own, alone: see assemble): its own answer, as if it were attached
    // alone, so the caller's step reports it.
    if (this.processors.length === 1) return this.processors[0]![step]();
    return settle(
      this.processors.map((processor) => () => processor[step]()),
      { onFailure: (reason) => diag.error(`plumbline: span processor ${step} failed`, reason) },
    );
  }
}
