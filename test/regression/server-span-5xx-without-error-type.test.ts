// Regression: under the NodeSDK recipe, a spec whose server spans follow the HTTP convention
// (`spans.server.convention: 'http'`) failed `check live` on every 5xx: instrumentation-http puts
// error.type on its duration metric for a 5xx but not on the server span, and the convention asks
// for it there ("the status code number, as a string"). plumbline now completes it on server spans
// that lack it, before any processor sees the ended span; spans that name their error keep it.
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, nodeSdkParts, type TelemetrySpec } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {},
  spans: { server: { convention: 'http' } },
  sampling: {
    decisionWaitMs: 0,
    policies: [
      { name: 'errors', kind: 'errors' },
      { name: 'all', kind: 'budget', tracesPerSecond: 1e6 },
    ],
  },
});
const { spans: _ignored, ...withoutConvention } = spec;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

/** Server spans as instrumentation-http ends them (status code, no error.type), and a client span. */
function requests(): void {
  const tracer = trace.getTracer('@opentelemetry/instrumentation-http');
  for (const [status, errorType] of [
    [503, undefined],
    [500, 'DatabaseTimeout'],
    [404, undefined],
    [200, undefined],
  ] as const) {
    const span = tracer.startSpan(`GET ${status}`, { kind: SpanKind.SERVER });
    span.setAttributes({ 'http.request.method': 'GET', 'url.path': '/x', 'url.scheme': 'http' });
    span.setAttribute('http.response.status_code', status);
    if (errorType !== undefined) span.setAttribute('error.type', errorType);
    span.end();
  }
  const client = tracer.startSpan('GET downstream', { kind: SpanKind.CLIENT });
  client.setAttribute('http.response.status_code', 502);
  client.end();
}

function errorTypes(exporter: InMemorySpanExporter): Record<string, unknown> {
  return Object.fromEntries(
    exporter.getFinishedSpans().map((span) => [span.name, span.attributes['error.type']]),
  );
}

const EXPECTED = {
  'GET 503': '503',
  'GET 500': 'DatabaseTimeout',
  'GET 404': undefined,
  'GET 200': undefined,
  'GET downstream': undefined,
};

describe('regression: a 5xx server span without error.type', () => {
  it('nodeSdkParts completes error.type from the status code on 5xx server spans only', async () => {
    const exporter = new InMemorySpanExporter();
    const parts = nodeSdkParts(spec, {
      logDestination: captureLines().destination,
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    cleanups.push(() => parts.telemetry.shutdown());
    startLikeNodeSdk(parts.config, cleanups);
    requests();
    await parts.telemetry.forceFlush();
    expect(errorTypes(exporter)).toEqual(EXPECTED);
  });

  it('createTelemetry does the same; without the convention, nothing is added', async () => {
    for (const [which, expected] of [
      [spec, EXPECTED],
      [withoutConvention, { ...EXPECTED, 'GET 503': undefined }],
    ] as [TelemetrySpec, Record<string, unknown>][]) {
      const exporter = new InMemorySpanExporter();
      const telemetry = createTelemetry(which, {
        logDestination: captureLines().destination,
        spanProcessors: [new SimpleSpanProcessor({ exporter })],
      });
      requests();
      await telemetry.forceFlush();
      // Read before shutdown, which empties the in-memory exporter.
      const exported = errorTypes(exporter);
      await telemetry.shutdown();
      expect(exported).toEqual(expected);
    }
  });
});
