// The fan-out behind the tail sampler: every processor gets each call, onEnding included (while
// the span can still be written), and one that throws does not stop the others.
import { diag, SpanKind } from '@opentelemetry/api';
import { TracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { FanOutSpanProcessor } from '../../src/telemetry/fan-out-span-processor.js';

afterEach(() => diag.disable());

class Recording implements SpanProcessor {
  readonly calls: string[] = [];
  constructor(private readonly failing = false) {}
  onStart(span: Span): void {
    this.calls.push(`start ${span.name}`);
  }
  onEnding(span: Span): void {
    this.calls.push(`ending ${span.name}`);
    if (this.failing) throw new Error('broken processor');
    span.setAttribute('seen.ending', true);
  }
  onEnd(span: ReadableSpan): void {
    this.calls.push(`end ${span.name} ${String(span.attributes['seen.ending'])}`);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('FanOutSpanProcessor', () => {
  it('forwards onEnding to every processor before onEnd, past one that throws', async () => {
    diag.setLogger({ error() {}, warn() {}, info() {}, debug() {}, verbose() {} });
    const broken = new Recording(true);
    const writer = new Recording();
    const provider = new TracerProvider({
      spanProcessors: [new FanOutSpanProcessor([broken, writer])],
    });
    provider.getTracer('t').startSpan('GET /', { kind: SpanKind.SERVER }).end();
    await provider.shutdown();
    expect(broken.calls).toEqual(['start GET /', 'ending GET /', 'end GET / true']);
    expect(writer.calls).toEqual(['start GET /', 'ending GET /', 'end GET / true']);
  });
});
