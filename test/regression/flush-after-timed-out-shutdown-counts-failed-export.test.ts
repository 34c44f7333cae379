// Regression (export review): under NodeSDK, a flush after a telemetry.shutdown() that met its
// bound (a black-holed collector) counted one more metric batch as dropped{reason=export_failed}:
// the OTLP metric reader, still shutting down, ran the flush's export once its own shutdown had
// shut the exporter down. Now telemetry.forceFlush() after shutdown() is a no-op, and the metric
// export, once shut down, takes a flush's batch without counting it (the shutdown's export held
// the same cumulative data). Real parts: nodeSdkParts in the providers NodeSDK builds, a TCP
// server that never answers, real HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { defineTelemetry, nodeSdkParts, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';
import { startBlackHole } from '../support/black-hole.js';
import { waitFor } from '../support/process.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } } },
  histograms: {
    'order.duration': {
      description: 'Order handling time.',
      unit: 's',
      attributes: ['route'],
      buckets: { boundaries: [0.1, 0.5, 1] },
    },
  },
});

const EXPORT_TIMEOUT_MS = 500;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

/** plumbline_telemetry_dropped_total{signal="metric_batch"} by reason. */
function metricBatchDrops(telemetry: Telemetry): Record<string, number> {
  const drops: Record<string, number> = {};
  for (const line of telemetry.metrics.serialize().body.split('\n')) {
    const match = /^plumbline_telemetry_dropped_total\{signal="metric_batch",reason="(\w+)"\} (\S+)$/.exec(
      line,
    );
    if (match) drops[match[1]!] = Number(match[2]);
  }
  return drops;
}

/** A NodeSDK app exporting to a black hole, shut down at its bound with its metric export under way. */
async function shutDownAgainstBlackHole() {
  const collector = await startBlackHole(cleanups);
  const parts = nodeSdkParts(spec, {
    logDestination: captureLines().destination,
    otlpEndpoint: collector.url,
    otlpLogs: false,
    exportTimeoutMs: EXPORT_TIMEOUT_MS,
  });
  const { meterProvider } = startLikeNodeSdk(parts.config, cleanups);
  const telemetry = parts.telemetry;
  cleanups.push(() => telemetry.shutdown());
  telemetry.metrics.histogram('order.duration').record(0.1, { route: '/a' });
  await telemetry.shutdown();
  return { telemetry, meterProvider };
}

/** Waits for the shutdown's own export to time out, then for anything a flush set off behind it. */
async function settled(telemetry: Telemetry): Promise<Record<string, number>> {
  await waitFor('the shutdown export timed out', () =>
    metricBatchDrops(telemetry).timeout === 1 ? true : undefined,
  );
  await new Promise((resolve) => setTimeout(resolve, 3 * EXPORT_TIMEOUT_MS));
  return metricBatchDrops(telemetry);
}

describe('a flush after a shutdown that met its bound', () => {
  it('telemetry.forceFlush() counts no failed metric export', async () => {
    const { telemetry } = await shutDownAgainstBlackHole();
    await telemetry.forceFlush();
    // Before: export_failed 1 (the flush's batch, handed to the exporter the shutdown had shut).
    expect(await settled(telemetry)).toEqual({ busy: 0, timeout: 1, export_failed: 0 });
  });

  it("the meter provider's forceFlush() counts no failed metric export", async () => {
    const { telemetry, meterProvider } = await shutDownAgainstBlackHole();
    // What an app can call on NodeSDK's meter provider (the reader is still shutting down).
    await meterProvider.forceFlush();
    expect(await settled(telemetry)).toEqual({ busy: 0, timeout: 1, export_failed: 0 });
  });
});
