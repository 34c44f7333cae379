// Hands every span to several processors (what the tail sampler keeps goes to the OTLP batch
// processor and to any the application added); one that throws does not stop the others.
import { diag, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

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

  async forceFlush(): Promise<void> {
    await Promise.allSettled(this.processors.map((processor) => processor.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled(this.processors.map((processor) => processor.shutdown()));
  }
}
