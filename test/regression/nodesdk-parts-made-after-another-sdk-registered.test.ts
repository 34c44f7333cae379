// Regression: nodeSdkParts did not look at the OTel globals. OTel keeps the first tracer provider
// registered, so a NodeSDK started with plumbline's parts after another SDK (a NodeSDK started
// first, e.g. by `--import @opentelemetry/auto-instrumentations-node/register`) registered none
// of its own, and the tail sampler saw no span. The documented start over after
// `telemetry.shutdown()` and `sdk.shutdown()` (nodeSdkParts again, a new NodeSDK) did the same:
// sdk.shutdown() does not unregister its providers. Measured with the real NodeSDK 0.223: the
// second NodeSDK's trace reached the sampler 0 times (the first's: 1), and the warning and
// createTelemetry's error blamed a `spanProcessors` key the app never gave. nodeSdkParts now
// refuses with GlobalsAlreadyRegisteredError naming the cause and the fix. Real parts: the SDK's
// TracerProvider and MeterProvider registered as NodeSDK.start() registers them.
import { trace } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';
import {
  createTelemetry,
  defineTelemetry,
  GlobalsAlreadyRegisteredError,
  nodeSdkParts,
} from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop', version: '2.0.0' },
  events: {},
  sampling: { decisionWaitMs: 0, policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: 1000 }] },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

function refusal(): GlobalsAlreadyRegisteredError | undefined {
  try {
    const parts = nodeSdkParts(spec, { logDestination: captureLines().destination });
    cleanups.push(() => parts.telemetry.shutdown());
  } catch (error) {
    return error as GlobalsAlreadyRegisteredError;
  }
  return undefined;
}

function decisions(telemetry: ReturnType<typeof createTelemetry<typeof spec>>): number {
  const stats = telemetry.sampler!.stats();
  return Object.values(stats.decisions).reduce((sum, d) => sum + d.keep + d.drop, 0);
}

it('nodesdk-parts-made-after-another-sdk-registered: refused when a NodeSDK started first', () => {
  startLikeNodeSdk({}, cleanups);
  const refused = refusal();
  expect(refused).toBeInstanceOf(GlobalsAlreadyRegisteredError);
  expect(refused!.code).toBe('PLUMBLINE_GLOBALS_REGISTERED');
  expect(refused!.message).toMatch(
    /nodeSdkParts was called while an OpenTelemetry SDK is already registered/,
  );
  expect(refused!.message).toMatch(/auto-instrumentations-node\/register/);
  expect(refused!.message).not.toMatch(/A `spanProcessors` given after/);
});

it('nodesdk-parts-made-after-another-sdk-registered: the start over says to unregister the shut down NodeSDK', async () => {
  const first = nodeSdkParts(spec, { logDestination: captureLines().destination });
  startLikeNodeSdk(first.config, cleanups);
  trace.getTracer('app').startSpan('GET /orders').end();
  expect(decisions(first.telemetry)).toBe(1);
  await first.telemetry.shutdown();
  // sdk.shutdown(): the providers stop and stay registered.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();

  const refused = refusal();
  expect(refused).toBeInstanceOf(GlobalsAlreadyRegisteredError);
  expect(refused!.message).toMatch(/providers of the previous NodeSDK are still the OpenTelemetry globals/);
  expect(refused!.message).toMatch(/trace\.disable\(\)/);

  // Done as the message says, the new parts get the spans.
  trace.disable();
  const again = nodeSdkParts(spec, { logDestination: captureLines().destination });
  cleanups.push(() => again.telemetry.shutdown());
  startLikeNodeSdk(again.config, cleanups);
  trace.getTracer('app').startSpan('GET /orders').end();
  expect(decisions(again.telemetry)).toBe(1);
  expect(createTelemetry(spec)).toBe(again.telemetry);
});
