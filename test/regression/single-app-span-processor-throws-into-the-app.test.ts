// Regression (diag floods review): a span processor of the app's own is handed spans through
// plumbline's fan-out, which catches what it throws, counts it and says it in one line, so a
// broken processor never throws into the app's startSpan/end. With one such processor, no OTLP
// traces endpoint and no sampling section, the fan-out was not built: the processor went to the
// tracer provider as it was, and its throw reached the app (startSpan threw 'audit sink closed',
// 0 of 10 counted). It goes through the fan-out now whenever the app gives span processors.
// Real parts: createTelemetry and its tracer, a span processor that throws.
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({ service: { name: 'shop' }, events: {} });

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

class ClosedAuditProcessor implements SpanProcessor {
  onStart(_span: Span): void {
    throw new Error('audit sink closed');
  }
  onEnd(_span: ReadableSpan): void {
    throw new Error('audit sink closed');
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe('regression: a single span processor of the app throws into the app', () => {
  it('never throws into startSpan or end, and counts each failure', () => {
    const telemetry = createTelemetry(spec, {
      logDestination: captureLines().destination,
      registerGlobal: false,
      spanProcessors: [new ClosedAuditProcessor()],
    });
    cleanups.push(() => telemetry.shutdown());
    for (let request = 0; request < 10; request++) {
      expect(() => telemetry.tracer.startSpan(`GET /orders/${request}`).end()).not.toThrow();
    }
    const body = telemetry.metrics.serialize().body;
    expect(body).toMatch(/^plumbline_span_processor_errors_total\{step="on_start"\} 10$/m);
    expect(body).toMatch(/^plumbline_span_processor_errors_total\{step="on_end"\} 10$/m);
  });
});
