// The OTLP sink over real HTTP: the SDK's own OTLP/HTTP exporter (JSON) and the SDK's protobuf
// serializers (what the collector's otlphttp exporter sends: protobuf, gzip) both decode to the
// spans, log records and metric points that were recorded.
import { gzipSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecodedRequest, Signal } from '../../src/check/otlp-decode.js';
import { parseListenAddress, startOtlpSink, type OtlpSink } from '../../src/check/otlp-sink.js';

let sink: OtlpSink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

async function collectingSink(): Promise<{ received: Map<Signal, DecodedRequest[]>; refused: string[] }> {
  const received = new Map<Signal, DecodedRequest[]>();
  const refused: string[] = [];
  sink = await startOtlpSink(
    '127.0.0.1:0',
    (signal, request) => received.set(signal, [...(received.get(signal) ?? []), request]),
    (_signal, reason) => refused.push(reason),
  );
  return { received, refused };
}

function recordSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('test');
  const root = tracer.startSpan('POST /orders', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'POST',
      'http.response.status_code': 201,
      tenant: 'acme',
      tags: ['a', 'b'],
    },
  });
  root.end();
  return memory.getFinishedSpans() as ReadableSpan[];
}

async function post(path: string, body: Uint8Array, headers: Record<string, string>): Promise<Response> {
  return fetch(`${sink!.url}${path}`, { method: 'POST', body, headers });
}

describe('OTLP sink', () => {
  it("decodes the SDK OTLP/HTTP trace exporter's JSON", async () => {
    const { received } = await collectingSink();
    const exporter = new OTLPTraceExporter({ url: `${sink!.url}/v1/traces` });
    const result = await new Promise<number>((resolve) =>
      exporter.export(recordSpans(), (r) => resolve(r.code)),
    );
    expect(result).toBe(0);
    const span = received.get('traces')![0]!.spans[0]!;
    expect(span).toMatchObject({
      name: 'POST /orders',
      kind: 2,
      localRoot: true,
      attributes: {
        'http.request.method': 'POST',
        'http.response.status_code': 201,
        tenant: 'acme',
        tags: ['a', 'b'],
      },
    });
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    await exporter.shutdown();
  });

  it('decodes gzip protobuf traces, logs and metrics (the collector otlphttp exporter default)', async () => {
    const { received } = await collectingSink();
    const spans = recordSpans();
    const traces = await post('/v1/traces', gzipSync(ProtobufTraceSerializer.serializeRequest(spans)!), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect(traces.status).toBe(200);
    expect(traces.headers.get('content-type')).toBe('application/x-protobuf');
    const span = received.get('traces')![0]!.spans[0]!;
    expect(span.traceId).toBe(spans[0]!.spanContext().traceId);
    expect(span.spanId).toBe(spans[0]!.spanContext().spanId);
    expect(span.attributes).toEqual({
      'http.request.method': 'POST',
      'http.response.status_code': 201,
      tenant: 'acme',
      tags: ['a', 'b'],
    });

    const logMemory = new InMemoryLogRecordExporter();
    const loggerProvider = new LoggerProvider({
      processors: [new SimpleLogRecordProcessor({ exporter: logMemory })],
    });
    loggerProvider
      .getLogger('test')
      .emit({ eventName: 'order.placed', attributes: { order_id: 'o-1', card_number: '[REDACTED]' } });
    await loggerProvider.forceFlush();
    const logs = await post(
      '/v1/logs',
      ProtobufLogsSerializer.serializeRequest(logMemory.getFinishedLogRecords())!,
      {
        'content-type': 'application/x-protobuf',
      },
    );
    expect(logs.status).toBe(200);
    expect(received.get('logs')![0]!.logRecords[0]).toMatchObject({
      eventName: 'order.placed',
      attributes: { order_id: 'o-1', card_number: '[REDACTED]' },
      traceId: '',
      scope: 'test',
    });

    const metricMemory = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({
      exporter: metricMemory,
      exportIntervalMillis: 60_000,
    });
    const meterProvider = new MeterProvider({ readers: [reader] });
    const histogram = meterProvider.getMeter('test').createHistogram('http.server.request.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: [0.1, 1] },
    });
    histogram.record(0.5, { 'http.route': '/orders' });
    await reader.forceFlush();
    const metrics = await post(
      '/v1/metrics',
      ProtobufMetricsSerializer.serializeRequest(metricMemory.getMetrics()[0]!)!,
      {
        'content-type': 'application/x-protobuf',
      },
    );
    expect(metrics.status).toBe(200);
    expect(received.get('metrics')![0]!.metrics[0]).toMatchObject({
      name: 'http.server.request.duration',
      unit: 's',
      type: 'histogram',
      points: [
        {
          attributes: { 'http.route': '/orders' },
          explicitBounds: [0.1, 1],
          bucketCounts: [0, 1, 0],
          exemplars: 0,
        },
      ],
    });
    await meterProvider.shutdown();
    await loggerProvider.shutdown();
  });

  it('refuses what is not OTLP, naming why: 404 path, 415 content type, 400 body', async () => {
    const { received, refused } = await collectingSink();
    expect(
      (await post('/v1/profiles', new Uint8Array(), { 'content-type': 'application/json' })).status,
    ).toBe(404);
    expect((await post('/v1/traces', new Uint8Array([1]), { 'content-type': 'text/plain' })).status).toBe(
      415,
    );
    const bad = await post('/v1/traces', Buffer.from('{"resourceSpans": ['), {
      'content-type': 'application/json',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/not JSON/);
    expect(
      (await post('/v1/logs', new Uint8Array([0xff, 0xff]), { 'content-type': 'application/x-protobuf' }))
        .status,
    ).toBe(400);
    expect(received.size).toBe(0);
    expect(refused).toHaveLength(4);
    expect(sink!.counts).toEqual({ requests: 4, refused: 4 });
  });

  it('parses listen addresses and names the flag on a bad one', () => {
    expect(parseListenAddress('4318')).toEqual({ host: '127.0.0.1', port: 4318 });
    expect(parseListenAddress(':4318')).toEqual({ host: '127.0.0.1', port: 4318 });
    expect(parseListenAddress('0.0.0.0:4318')).toEqual({ host: '0.0.0.0', port: 4318 });
    expect(parseListenAddress('[::1]:4318')).toEqual({ host: '::1', port: 4318 });
    expect(() => parseListenAddress('localhost:http')).toThrow(/--otlp-listen: expected HOST:PORT/);
  });
});
