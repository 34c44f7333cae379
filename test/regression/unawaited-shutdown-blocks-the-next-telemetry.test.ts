// Regression: a test suite making one telemetry per test, `afterEach(() => { void t.shutdown() })`,
// failed its next createTelemetry with "a global OpenTelemetry tracer provider is already
// registered" (20 of 20 runs under node:test, a TypeScript fastify trial): shutdown() let go of
// the OTel globals only after its flush. It now lets go at once, and the flush that follows never
// removes the globals of a telemetry made meanwhile. The refusal itself is now a
// GlobalsAlreadyRegisteredError with a code a test can catch. Real parts: createTelemetry, the
// OTel API's globals, a span through the global tracer.
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, GlobalsAlreadyRegisteredError } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({ service: { name: 'orders' }, events: {} });

function telemetryWith(exporter: InMemorySpanExporter) {
  return createTelemetry(spec, {
    logDestination: captureLines().destination,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
}

it('unawaited-shutdown-blocks-the-next-telemetry: the next telemetry starts while the last one flushes', async () => {
  const first = new InMemorySpanExporter();
  const second = new InMemorySpanExporter();
  const one = telemetryWith(first);
  const flushing = one.shutdown(); // not awaited before the next test's app
  const two = telemetryWith(second);
  await flushing;
  // The first telemetry's finished shutdown left the second one's globals alone.
  trace.getTracer('app').startSpan('GET /orders').end();
  await two.forceFlush();
  expect(second.getFinishedSpans().map((span) => span.name)).toEqual(['GET /orders']);
  expect(first.getFinishedSpans()).toEqual([]);
  await two.shutdown();
});

it('unawaited-shutdown-blocks-the-next-telemetry: without shutdown, the refusal has a type and a code', async () => {
  const one = telemetryWith(new InMemorySpanExporter());
  let refusal: unknown;
  try {
    telemetryWith(new InMemorySpanExporter());
  } catch (error) {
    refusal = error;
  }
  expect(refusal).toBeInstanceOf(GlobalsAlreadyRegisteredError);
  expect((refusal as GlobalsAlreadyRegisteredError).code).toBe('PLUMBLINE_GLOBALS_REGISTERED');
  expect((refusal as Error).message).toMatch(
    /In tests that make one telemetry per test, call the previous one's shutdown\(\) first/,
  );
  await one.shutdown();
});
