// Regression: an app spread plumbline's parts into NodeSDK and then gave `spanProcessors` of its
// own, `new NodeSDK({ ...plumbline.config, spanProcessors: [new BatchSpanProcessor(exporter)] })`.
// The metric readers were plumbline's, so createTelemetry(spec) returned without a word, and the
// tail sampler saw no span: in a CommonJS express trial, all 158 traces were exported unsampled
// and every plumbline_sampler_decisions_total stayed 0. Now createTelemetry after the start
// throws with the fix, and the start itself warns on stderr (createTelemetry may run before it,
// or never). Real parts: the SDK's TracerProvider and MeterProvider built from the configuration
// as NodeSDK.start() builds them (test/support/node-sdk.ts), a span through the global tracer.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, nodeSdkParts } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop', version: '2.0.0' },
  events: {},
  sampling: {
    decisionWaitMs: 0,
    policies: [
      { name: 'errors', kind: 'errors' },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 1000 },
    ],
  },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

/** Warnings the process emits while `run` and the turn after it run. */
async function warningsDuring(run: () => void): Promise<Error[]> {
  const warnings: Error[] = [];
  const listen = (warning: Error) => warnings.push(warning);
  process.on('warning', listen);
  try {
    run();
    await nextTurn();
    await nextTurn();
  } finally {
    process.off('warning', listen);
  }
  return warnings;
}

function partsAndExporter() {
  const parts = nodeSdkParts(spec, { logDestination: captureLines().destination });
  cleanups.push(() => parts.telemetry.shutdown());
  return { parts, exporter: new InMemorySpanExporter() };
}

function decisions(parts: ReturnType<typeof nodeSdkParts>): number {
  const stats = parts.telemetry.sampler?.stats();
  return Object.values(stats?.decisions ?? {}).reduce((sum, d) => sum + d.keep + d.drop, 0);
}

it('nodesdk-span-processors-replaced-bypass-sampler: createTelemetry after the start throws with the fix', async () => {
  const { parts, exporter } = partsAndExporter();
  const warnings = await warningsDuring(() => {
    startLikeNodeSdk({ ...parts.config, spanProcessors: [new SimpleSpanProcessor({ exporter })] }, cleanups);
  });
  expect(() => createTelemetry(spec)).toThrow(
    /started without the span processors nodeSdkParts made[\s\S]*nodeSdkParts\(spec, \{ spanProcessors \}\)/,
  );
  expect(warnings.map((warning) => (warning as { code?: string }).code)).toEqual([
    'PLUMBLINE_SPAN_PROCESSORS_LEFT_OUT',
  ]);
  // What the message says happens: the span went out, and the sampler never saw it.
  trace.getTracer('app').startSpan('GET /orders').end();
  expect(exporter.getFinishedSpans()).toHaveLength(1);
  expect(decisions(parts)).toBe(0);
});

it('nodesdk-span-processors-replaced-bypass-sampler: the start warns when createTelemetry ran before it', async () => {
  const { parts, exporter } = partsAndExporter();
  expect(createTelemetry(spec)).toBe(parts.telemetry);
  const warnings = await warningsDuring(() => {
    startLikeNodeSdk({ ...parts.config, spanProcessors: [new SimpleSpanProcessor({ exporter })] }, cleanups);
  });
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.message).toMatch(/tail sampler sees none of its spans/);
});

it('nodesdk-span-processors-replaced-bypass-sampler: the documented configuration neither throws nor warns', async () => {
  const exporter = new InMemorySpanExporter();
  const parts = nodeSdkParts(spec, {
    logDestination: captureLines().destination,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  cleanups.push(() => parts.telemetry.shutdown());
  const warnings = await warningsDuring(() => startLikeNodeSdk(parts.config, cleanups));
  expect(warnings).toEqual([]);
  expect(createTelemetry(spec)).toBe(parts.telemetry);
  trace.getTracer('app').startSpan('GET /orders').end();
  await parts.telemetry.forceFlush();
  expect(decisions(parts)).toBe(1);
  expect(exporter.getFinishedSpans()).toHaveLength(1);
});
