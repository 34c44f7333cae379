// Regression (diag floods): a span processor of the app's own that throws (an audit sink that
// closed) throws at every span, and the fan-out wrote each failure as diag.error(message, error):
// the Error inspected with its stack, per span start and per span end, at request rate (100 spans:
// 200 calls, over 2,000 lines), and the failure was counted nowhere. Now each step's failures are
// said in one line (message, no stack), the first at once and then at most once a minute with how
// many more, and every failure is counted in plumbline_span_processor_errors_total{step}; the
// other processors still get every span. Real parts: createTelemetry with two span processors of
// the app's (so the fan-out hands spans to both), spans started and ended through its tracer; the
// diag logger writes what OTel's console logger would (util.format of its arguments).
import { format } from 'node:util';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({ service: { name: 'shop' }, events: {} });

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  diag.disable();
});

class AuditProcessor implements SpanProcessor {
  readonly ended: string[] = [];
  constructor(private readonly closed: boolean) {}
  onStart(_span: Span): void {
    if (this.closed) throw new Error('audit sink closed');
  }
  onEnd(span: ReadableSpan): void {
    if (this.closed) throw Object.assign(new Error('audit sink closed'), { code: 'EPIPE' });
    this.ended.push(span.name);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

it('throwing-span-processor-floods-logs-per-span: one line per step, each failure counted', async () => {
  const calls: string[] = [];
  const write = (message: string, ...args: unknown[]) => calls.push(format(message, ...args));
  diag.setLogger({ error: write, warn: write, info: write, debug: write, verbose: write }, DiagLogLevel.WARN);
  const broken = new AuditProcessor(true);
  const working = new AuditProcessor(false);
  const telemetry = createTelemetry(spec, {
    logDestination: captureLines().destination,
    registerGlobal: false,
    spanProcessors: [broken, working],
  });
  cleanups.push(() => telemetry.shutdown());

  for (let request = 0; request < 100; request++) telemetry.tracer.startSpan(`GET /orders/${request}`).end();

  // The other processor got every span.
  expect(working.ended.length).toBe(100);
  const lines = calls.flatMap((call) => call.split('\n'));
  // Before: 200 calls (one per span start, one per span end), each the Error with its stack.
  expect(lines, calls.slice(0, 2).join('\n---\n')).toEqual([
    'plumbline: span processor onStart failed: audit sink closed',
    'plumbline: span processor onEnd failed: audit sink closed (EPIPE)',
  ]);
  // Counted per step, onEnding's at 0 (this processor has none). Before: absent.
  const body = telemetry.metrics.serialize().body;
  expect(body).toMatch(/^plumbline_span_processor_errors_total\{step="on_start"\} 100$/m);
  expect(body).toMatch(/^plumbline_span_processor_errors_total\{step="on_ending"\} 0$/m);
  expect(body).toMatch(/^plumbline_span_processor_errors_total\{step="on_end"\} 100$/m);
});
