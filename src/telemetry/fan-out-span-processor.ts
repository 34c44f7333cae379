// Hands every span to several processors (what the tail sampler keeps goes to the OTLP batch
// processor and to any the application added); one that throws does not stop the others.
import { diag, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { settle } from './settle.js';

export class FanOutSpanProcessor implements SpanProcessor {
  constructor(private readonly processors: readonly SpanProcessor[]) {}

  onStart(span: Span, parentContext: Context): void {
    for (const processor of this.processors) {
      try {
        processor.onStart(span, parentContext);
      } catch (error) {
        diag.error('plumbline: span processor onStart failed', error);
      }
    }
  }

  onEnding(span: Span): void {
    for (const processor of this.processors) {
      try {
        processor.onEnding?.(span);
      } catch (error) {
        diag.error('plumbline: span processor onEnding failed', error);
      }
    }
  }

  onEnd(span: ReadableSpan): void {
    for (const processor of this.processors) {
      try {
        processor.onEnd(span);
      } catch (error) {
        diag.error('plumbline: span processor onEnd failed', error);
      }
    }
  }

  forceFlush(): Promise<void> {
    return this.everyOne('forceFlush');
  }

  shutdown(): Promise<void> {
    return this.everyOne('shutdown');
  }

  /**
   * Calls `step` on every processor, even after one that throws at once, and waits for all; a
   * failure, at once or later, is reported to diag, never passed on.
   */
  private everyOne(step: 'forceFlush' | 'shutdown'): Promise<void> {
    return settle(
      this.processors.map((processor) => () => processor[step]()),
      { onFailure: (reason) => diag.error(`plumbline: span processor ${step} failed`, reason) },
    );
  }
}
