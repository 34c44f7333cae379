// Regression: createTelemetry took `spanProcessors: [null]` (a hostile-input trial) without a word,
// and then every `span.end()` in the app threw "TypeError: Cannot read properties of null (reading
// 'onEnding')" from the tracer provider. Each element is now checked at setup, and the options
// fail there with a TelemetryOptionsError naming the element.
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, TelemetryOptionsError, type Telemetry } from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

let telemetry: Telemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

it('span-processor-null-throws-on-every-span-end: spanProcessors [null] fails at setup, naming spanProcessors[0]', () => {
  let error: unknown;
  try {
    telemetry = createTelemetry(ordersSpec, {
      logDestination: captureLines().destination,
      spanProcessors: [null as never],
    });
    // Before the fix the options were taken, and ending a span threw into the app.
    telemetry.tracer.startSpan('x').end();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(TelemetryOptionsError);
  expect((error as TelemetryOptionsError).issues).toEqual([
    {
      path: 'spanProcessors[0]',
      message: 'must be a SpanProcessor (onStart, onEnd, forceFlush, shutdown), got null',
    },
  ]);
  expect(telemetry).toBeUndefined();

  // Nothing was started or registered: the next createTelemetry, with a real processor, ends spans.
  telemetry = createTelemetry(ordersSpec, { logDestination: captureLines().destination });
  expect(() => telemetry!.tracer.startSpan('x').end()).not.toThrow();
});
