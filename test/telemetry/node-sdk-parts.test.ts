// plumbline inside another SDK's providers: nodeSdkParts' contract (the parts a NodeSDK is
// built from), createTelemetry attaching to them, loud failures when another SDK owns the
// globals, and /metrics serving the meter provider's own instruments. The packed library in
// real NodeSDK apps is proven by test/consumer/.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { diag, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTelemetry,
  defineTelemetry,
  nodeSdkParts,
  type NodeSdkConfig,
  type Telemetry,
} from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk as startLikeNodeSdkIn } from '../support/node-sdk.js';
import { freePort } from '../support/process.js';

const spec = defineTelemetry({
  service: { name: 'shop', version: '2.0.0' },
  events: { 'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } } },
  histograms: {
    'shop.request.duration': {
      description: 'Request latency.',
      unit: 's',
      attributes: ['route'],
      buckets: { boundaries: [0.05, 0.1, 0.25, 1] },
      exemplars: { minValue: 0 },
    },
  },
  sampling: {
    decisionWaitMs: 0,
    policies: [
      { name: 'errors', kind: 'errors' },
      { name: 'exemplars', kind: 'exemplar' },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 1000 },
    ],
  },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

const startLikeNodeSdk = (config: Partial<NodeSdkConfig>) => startLikeNodeSdkIn(config, cleanups);

async function scrape(telemetry: Telemetry, accept?: string): Promise<string> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) =>
    telemetry.metricsHandler(request, response),
  );
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, accept ? { headers: { accept } } : {});
    return await response.text();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('createTelemetry and globals another SDK registered', () => {
  it('regression: createTelemetry after NodeSDK silently lost every span ("Attempted duplicate registration of API: trace")', () => {
    startLikeNodeSdk({});
    expect(() => createTelemetry(spec, { logDestination: captureLines().destination })).toThrow(
      /a global OpenTelemetry tracer provider is already registered.*nodeSdkParts\(spec, options\).*docs\/nodesdk\.md/s,
    );
    // The opt-out: a pipeline of its own that nothing else uses, on purpose.
    const separate = createTelemetry(spec, {
      logDestination: captureLines().destination,
      registerGlobal: false,
    });
    cleanups.push(() => separate.shutdown());
  });
});

describe('nodeSdkParts', () => {
  it('gives NodeSDK the sampler, readers and resource; createTelemetry(spec) returns the same telemetry', async () => {
    const exporter = new InMemorySpanExporter();
    const parts = nodeSdkParts(spec, {
      logDestination: captureLines().destination,
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    cleanups.push(() => parts.telemetry.shutdown());
    // No endpoint configured: no log processor, so NodeSDK exports no logs either.
    expect(Object.keys(parts.config).sort()).toEqual([
      'logRecordProcessors',
      'metricReaders',
      'resource',
      'spanProcessors',
      'views',
    ]);
    expect(parts.config.logRecordProcessors).toEqual([]);
    expect(parts.config.resource.attributes['service.name']).toBe('shop');
    expect(parts.config.resource.attributes['telemetry.sdk.language']).toBe('nodejs');

    // Before the SDK starts, createTelemetry already returns the telemetry (attach, either order).
    const warnings: string[] = [];
    diag.setLogger({
      warn: (m: string) => warnings.push(m),
      error() {},
      info() {},
      debug() {},
      verbose() {},
    });
    cleanups.push(() => diag.disable());
    expect(createTelemetry(spec, { strict: true })).toBe(parts.telemetry);
    expect(warnings.join('\n')).toMatch(/createTelemetry options strict are ignored/);
    // An option given as undefined is one left out: nothing is ignored.
    warnings.length = 0;
    expect(createTelemetry(spec, { otlpEndpoint: undefined })).toBe(parts.telemetry);
    expect(warnings).toEqual([]);

    startLikeNodeSdk(parts.config);
    const telemetry = createTelemetry(spec);
    expect(telemetry).toBe(parts.telemetry);
    // A span of "an instrumentation" (the global tracer) passes the tail sampler.
    const tracer = trace.getTracer('@opentelemetry/instrumentation-http');
    const traceId = tracer.startActiveSpan('GET /orders', (span) => {
      telemetry.metrics.histogram('shop.request.duration').record(0.12, { route: '/orders' });
      span.end();
      return span.spanContext().traceId;
    });
    await telemetry.forceFlush();
    const exported = exporter.getFinishedSpans();
    expect(exported.map((span) => span.spanContext().traceId)).toEqual([traceId]);
    expect(exported[0]!.attributes['plumbline.sampling.policy']).toBe('exemplars');
    expect(telemetry.sampler!.stats().decisions.exemplars!.keep).toBe(1);
    // The instruments made on the global meter (NodeSDK's provider) are on /metrics.
    telemetry.meter.createCounter('jobs.done', { description: 'Jobs done.' }).add(3);
    expect(await scrape(telemetry)).toMatch(/^jobs_done_total 3$/m);
  });

  it('refuses, loudly, an SDK that was started without its parts', () => {
    const parts = nodeSdkParts(spec, { logDestination: captureLines().destination });
    cleanups.push(() => parts.telemetry.shutdown());
    startLikeNodeSdk({});
    expect(() => createTelemetry(spec)).toThrow(
      /an OpenTelemetry SDK was started without the parts nodeSdkParts made/,
    );
    expect(() => nodeSdkParts(spec)).toThrow(/nodeSdkParts was already called in this process/);
  });
});

describe('/metrics serves the meter provider instruments beside the spec', () => {
  it('in Prometheus text and OpenMetrics, without a family twice', async () => {
    const telemetry = createTelemetry(spec, { logDestination: captureLines().destination });
    cleanups.push(() => telemetry.shutdown());
    telemetry.metrics.histogram('shop.request.duration').record(0.07, { route: '/a' });
    const meter = telemetry.meter;
    meter.createCounter('jobs.done', { description: 'Jobs done.' }).add(2, { queue: 'q"1' });
    meter.createUpDownCounter('jobs.waiting').add(4);
    meter
      .createHistogram('db.client.operation.duration', {
        unit: 's',
        advice: { explicitBucketBoundaries: [0.01, 0.1] },
      })
      .record(0.05, { 'db.system': 'sqlite' });
    // Same Prometheus name as the spec's histogram: the spec's wins, this one stays off /metrics.
    meter.createHistogram('shop.request.duration', { unit: 's' }).record(9);
    // One name from two scopes: one family, told apart by otel_scope_name.
    telemetry.meterProvider.getMeter('scope-a').createCounter('requests').add(1);
    telemetry.meterProvider.getMeter('scope-b').createCounter('requests').add(5);

    const text = await scrape(telemetry);
    expect(text).toMatch(/^# TYPE jobs_done_total counter$/m);
    expect(text).toContain('jobs_done_total{queue="q\\"1"} 2\n');
    expect(text).toMatch(/^jobs_waiting 4$/m);
    expect(text).toContain('db_client_operation_duration_seconds_bucket{db_system="sqlite",le="0.1"} 1\n');
    expect(text).toContain('db_client_operation_duration_seconds_count{db_system="sqlite"} 1\n');
    expect(text).toContain('requests_total{otel_scope_name="scope-a"} 1\n');
    expect(text).toContain('requests_total{otel_scope_name="scope-b"} 5\n');
    expect(text).toContain('shop_request_duration_seconds_count{route="/a"} 1\n');
    expect(text).not.toMatch(/^shop_request_duration_seconds_count 1$/m);

    const om = await scrape(telemetry, 'application/openmetrics-text; version=1.0.0');
    expect(om).toMatch(/^# TYPE jobs_done counter$/m);
    // The meter provider's families carry the same metadata, in the same order, as the spec's.
    expect(om).toMatch(
      /^# TYPE db_client_operation_duration_seconds histogram\n# UNIT db_client_operation_duration_seconds seconds\n# HELP db_client_operation_duration_seconds /m,
    );
    expect(om.endsWith('# EOF\n')).toBe(true);
    expect(om.split('# EOF').length).toBe(2);
    for (const body of [text, om]) {
      const families = [...body.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]);
      expect(new Set(families).size).toBe(families.length);
    }
  });
});
