// Regression: a newcomer's NodeSDK app (ESM fastify, OTel 2.x, the docs' recipe) declared the
// HTTP server histogram the docs recommend, http.server.request.duration, and auto-instrumentation's
// instrumentation-http records one of that name too. /metrics left the instrumentation's out, but
// OTLP carried both (plumbline's with SLO buckets and exemplars, the instrumentation's with its
// own), and the generated collector's Prometheus endpoint summed them: 198 requests counted as
// 396 across 24 mixed `le` values, under the SLO rules and dashboards. The meter provider now
// drops its instruments that have a spec instrument's name (views in nodeSdkParts' config and in
// createTelemetry's provider); the spec's own reaches every reader through plumbline.
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpSink, type OtlpSink } from '../../src/check/index.js';
import type { OtlpMetric } from '../../src/check/otlp-decode.js';
import { createTelemetry, defineTelemetry, nodeSdkParts, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {},
  histograms: {
    'http.server.request.duration': {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      attributes: [
        'http.request.method',
        'http.route',
        'http.response.status_code',
        'url.scheme',
        'error.type',
      ],
      buckets: { boundaries: [0.05, 0.1, 0.25, 0.5, 1] },
    },
  },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

async function sink(): Promise<{ sink: OtlpSink; received: OtlpMetric[] }> {
  const received: OtlpMetric[] = [];
  const started = await startOtlpSink('127.0.0.1:0', (_signal, request) => received.push(...request.metrics));
  cleanups.push(() => started.close());
  return { sink: started, received };
}

/** Three requests, recorded by "instrumentation-http" on the global meter and by the app on the spec's instrument. */
async function threeRequests(telemetry: Telemetry<typeof spec>): Promise<void> {
  const instrumentation = metrics
    .getMeter('@opentelemetry/instrumentation-http', '0.223.0')
    .createHistogram('http.server.request.duration', { unit: 's' });
  const attributes = {
    'http.request.method': 'GET',
    'http.route': '/orders/:id',
    'http.response.status_code': 200,
    'url.scheme': 'http',
  };
  for (let i = 0; i < 3; i++) {
    instrumentation.record(0.12, { ...attributes, 'network.protocol.version': '1.1' });
    telemetry.metrics.histogram('http.server.request.duration').record(0.12, attributes);
  }
  await telemetry.forceFlush();
}

/** The count each scope exported for the duration histogram, at its last export. */
function countsByScope(received: readonly OtlpMetric[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const metric of received) {
    if (metric.name !== 'http.server.request.duration') continue;
    counts[metric.scope] = metric.points.reduce(
      (sum, point) => sum + (point.bucketCounts ?? []).reduce((a, b) => a + b, 0),
      0,
    );
  }
  return counts;
}

describe('regression: the HTTP duration histogram was exported twice under NodeSDK', () => {
  it('nodeSdkParts: only the spec’s instrument reaches OTLP, counted once per request', async () => {
    const { sink: otlp, received } = await sink();
    const parts = nodeSdkParts(spec, { otlpEndpoint: otlp.url, logDestination: captureLines().destination });
    cleanups.push(() => parts.telemetry.shutdown());
    startLikeNodeSdk(parts.config, cleanups);
    await threeRequests(parts.telemetry);
    expect(countsByScope(received)).toEqual({ plumbline: 3 });
  });

  it('createTelemetry: the same with its own meter provider', async () => {
    const { sink: otlp, received } = await sink();
    const telemetry = createTelemetry(spec, {
      otlpEndpoint: otlp.url,
      logDestination: captureLines().destination,
    });
    cleanups.push(() => telemetry.shutdown());
    await threeRequests(telemetry);
    expect(countsByScope(received)).toEqual({ plumbline: 3 });
  });
});
