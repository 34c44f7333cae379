// Regression: nodeSdkParts checks, a turn after NodeSDK started, that the SDK's tracer provider
// runs its span processors (PLUMBLINE_SPAN_PROCESSORS_LEFT_OUT otherwise). The check left out a
// telemetry already shut down: a test that closed its app (telemetry.shutdown(), sdk.shutdown(),
// the OTel globals unregistered) in the turn NodeSDK started, then made the next app's telemetry
// at once, was told the SDK had been started without plumbline's span processors: it looked at
// the next app's tracer provider (real NodeSDK 0.223: 1 false warning -> 0). The metric readers'
// check on the first span had the same gap. As the log processors' check already did, both now
// claim nothing once the telemetry is shut down. Real parts: the SDK's providers built as
// NodeSDK.start() builds them (test/support/node-sdk.ts).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, nodeSdkParts } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {},
  sampling: { decisionWaitMs: 0, policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: 1000 }] },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

/** The codes of the warnings the process emits while `run` and two turns after it run. */
async function warningCodesDuring(run: () => Promise<void> | void): Promise<(string | undefined)[]> {
  const codes: (string | undefined)[] = [];
  const listen = (warning: Error) => codes.push((warning as { code?: string }).code);
  process.on('warning', listen);
  try {
    await run();
    await nextTurn();
    await nextTurn();
  } finally {
    process.off('warning', listen);
  }
  return codes;
}

function unregisterGlobals(): void {
  trace.disable();
  metrics.disable();
  context.disable();
  propagation.disable();
}

it('span-processors-left-out-warned-after-shutdown: no warning about the next app once the telemetry is shut down', async () => {
  const codes = await warningCodesDuring(async () => {
    const parts = nodeSdkParts(spec, { logDestination: captureLines().destination });
    const sdk: (() => Promise<unknown> | unknown)[] = [];
    startLikeNodeSdk(parts.config, sdk);
    // The app closes in the turn its SDK started, and the next one starts at once.
    // sdk.shutdown() stops the providers; the globals were unregistered just before.
    const closed = parts.telemetry.shutdown().then(() => Promise.all(sdk.map((shutdown) => shutdown())));
    unregisterGlobals();
    const next = createTelemetry(spec, { logDestination: captureLines().destination });
    cleanups.push(() => next.shutdown());
    await closed;
  });
  expect(codes).toEqual([]);
});

it('span-processors-left-out-warned-after-shutdown: no warning about the metric readers on a span after the shutdown', async () => {
  const codes = await warningCodesDuring(async () => {
    const parts = nodeSdkParts(spec, { logDestination: captureLines().destination });
    await parts.telemetry.shutdown();
    // Another SDK of the next app, which runs these processors (they were handed out) but binds none of the readers.
    const exporter = new InMemorySpanExporter();
    startLikeNodeSdk(
      { spanProcessors: [...parts.config.spanProcessors, new SimpleSpanProcessor({ exporter })] },
      cleanups,
    );
    trace.getTracer('next').startSpan('GET /').end();
  });
  expect(codes).toEqual([]);
});

it('span-processors-left-out-warned-after-shutdown: a live telemetry is still warned about', async () => {
  const codes = await warningCodesDuring(() => {
    const parts = nodeSdkParts(spec, { logDestination: captureLines().destination });
    cleanups.push(() => parts.telemetry.shutdown());
    startLikeNodeSdk({ ...parts.config, spanProcessors: [] }, cleanups);
  });
  expect(codes).toEqual(['PLUMBLINE_SPAN_PROCESSORS_LEFT_OUT']);
});
