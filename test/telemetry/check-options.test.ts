import { createServer, type Server } from 'node:http';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildPolicies,
  createTelemetry,
  nodeSdkParts,
  TelemetryOptionsError,
  type Telemetry,
  type TelemetryOptions,
} from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';

let telemetry: Telemetry | undefined;
let sink: Server | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
  await new Promise<void>((resolve) => (sink === undefined ? resolve() : sink.close(() => resolve())));
  sink = undefined;
  diag.disable();
});

/** An OTLP/HTTP sink on loopback that records the paths it was sent. */
async function startSink(paths: string[]): Promise<string> {
  sink = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      paths.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => sink!.listen(0, '127.0.0.1', resolve));
  const address = sink.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

/** The issues createTelemetry's check reports for these options, as "path: message" lines. */
function issuesOf(make: () => unknown): string[] {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(TelemetryOptionsError);
    return (error as TelemetryOptionsError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('the options were accepted');
}

function captureDiag(): string[] {
  const messages: string[] = [];
  const keep = (message: string) => messages.push(message);
  const logger: DiagLogger = { error: keep, warn: keep, info: keep, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, DiagLogLevel.WARN);
  return messages;
}

describe('createTelemetry options are checked up front', () => {
  it('regression: metricExportIntervalMs 5000 with an endpoint threw "exportIntervalMillis must be greater than or equal to exportTimeoutMillis"', async () => {
    const warnings = captureDiag();
    const paths: string[] = [];
    const endpoint = await startSink(paths);
    expect(() => {
      telemetry = createTelemetry(ordersSpec, {
        logDestination: captureLines().destination,
        otlpEndpoint: endpoint,
        metricExportIntervalMs: 5000,
      });
    }).not.toThrow();
    expect(warnings.join('\n')).toMatch(
      /exportTimeoutMs \(10000, default\) is greater than metricExportIntervalMs \(5000\).*clamping/,
    );
    await telemetry!.shutdown();

    // A short interval (clamped timeout) still exports on schedule, not only at shutdown.
    telemetry = createTelemetry(ordersSpec, {
      logDestination: captureLines().destination,
      otlpEndpoint: endpoint,
      metricExportIntervalMs: 100,
    });
    telemetry.metrics.histogram('http.server.duration').record(0.01, { route: '/a' });
    const deadline = Date.now() + 5000;
    while (!paths.includes('/v1/metrics') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(paths).toContain('/v1/metrics');
  });

  it('regression: maxConcurrentScrapes 0 was accepted and answered every scrape with 503', () => {
    expect(() => createTelemetry(ordersSpec, { maxConcurrentScrapes: 0 })).toThrow(
      /maxConcurrentScrapes: must be a whole number of at least 1, got 0/,
    );
  });

  it('names every bad option at once, and starts nothing', () => {
    let error: unknown;
    try {
      createTelemetry(ordersSpec, {
        exportTimeoutMs: -1,
        maxQueuedSpans: 1.5,
        maxQueuedLogRecords: Number.NaN,
        scrapeTimeoutMs: Number.POSITIVE_INFINITY,
        metricExportIntervalMs: 0,
        logLevel: 'loud' as never,
        tailSampling: 'sometimes' as never,
        exemplarFilter: 'most' as never,
        otlpEndpoint: 'ftp://collector:4318',
        strict: 'yes' as never,
        securityLog: { foldWindowMs: 0, maxLinesPerWindow: -3 },
        spanProcessors: {} as never,
        logDestination: {} as never,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TelemetryOptionsError);
    const paths = (error as TelemetryOptionsError).issues.map((issue) => issue.path).sort();
    expect(paths).toEqual(
      [
        'exemplarFilter',
        'exportTimeoutMs',
        'logDestination',
        'logLevel',
        'maxQueuedLogRecords',
        'maxQueuedSpans',
        'metricExportIntervalMs',
        'otlpEndpoint',
        'scrapeTimeoutMs',
        'securityLog.foldWindowMs',
        'securityLog.maxLinesPerWindow',
        'spanProcessors',
        'strict',
        'tailSampling',
      ].sort(),
    );
    expect((error as Error).message).toMatch(/^invalid createTelemetry options \(14 problems\):/);
    // Nothing was registered: the next createTelemetry registers its globals normally.
    telemetry = createTelemetry(ordersSpec, { logDestination: captureLines().destination });
  });

  it('names OTEL_EXPORTER_OTLP_ENDPOINT when the bad endpoint comes from the environment', () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'not a url';
    try {
      expect(() => createTelemetry(ordersSpec)).toThrow(
        /otlpEndpoint \(OTEL_EXPORTER_OTLP_ENDPOINT\): must be an http/,
      );
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    }
  });

  it('checks each element of spanProcessors, metricReaders and samplingPolicies, naming what is missing', () => {
    const policy = buildPolicies([{ name: 'errors', kind: 'errors' }])[0]!;
    const throwingName = {
      get name(): string {
        throw new Error('name is not ready');
      },
      kind: 'custom',
      evaluate: policy.evaluate.bind(policy),
    };
    const issues = issuesOf(() =>
      createTelemetry(ordersSpec, {
        logDestination: captureLines().destination,
        spanProcessors: [
          new SimpleSpanProcessor(new InMemorySpanExporter()),
          null,
          { onStart() {}, onEnd: 1 },
        ] as never,
        metricReaders: [{}, 'reader'] as never,
        samplingPolicies: [policy, { name: 'mine', kind: 2, evaluate: 'keep' }, throwingName] as never,
      }),
    );
    expect(issues).toEqual([
      'spanProcessors[1]: must be a SpanProcessor (onStart, onEnd, forceFlush, shutdown), got null',
      'spanProcessors[2]: must be a SpanProcessor (onStart, onEnd, forceFlush, shutdown), ' +
        'got an object whose onEnd, forceFlush and shutdown are not functions',
      'metricReaders[0]: must be a MetricReader (setMetricProducer, collect, shutdown, forceFlush), ' +
        'got an object whose setMetricProducer, collect, shutdown and forceFlush are not functions',
      'metricReaders[1]: must be a MetricReader (setMetricProducer, collect, shutdown, forceFlush), got "reader"',
      'samplingPolicies[1]: must be a SamplingPolicy (a string name and kind, and evaluate), ' +
        'got an object whose evaluate is not a function and whose kind is not a string',
      'samplingPolicies[2]: must be a SamplingPolicy (a string name and kind, and evaluate); ' +
        'reading its name threw: name is not ready',
    ]);
  });

  it('takes real span processors, metric readers and sampling policies', () => {
    const reader = new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 60_000,
    });
    telemetry = createTelemetry(ordersSpec, {
      logDestination: captureLines().destination,
      spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
      metricReaders: [reader],
      samplingPolicies: buildPolicies([{ name: 'errors', kind: 'errors' }]),
    });
    expect(() => telemetry!.tracer.startSpan('checked').end()).not.toThrow();
  });

  it('names unknown and misspelt options, with the closest known one', () => {
    const options = {
      logDestination: captureLines().destination,
      unknownOpt: 1,
      maxQueuedSpan: 10,
      'log level': 'info',
      maxConcurrentScrapes: 0,
    } as TelemetryOptions;
    const expected = [
      'unknownOpt: is not an option of createTelemetry',
      'maxQueuedSpan: is not an option of createTelemetry; did you mean "maxQueuedSpans"?',
      '"log level": is not an option of createTelemetry; did you mean "logLevel"?',
      // With the other problems, all at once.
      'maxConcurrentScrapes: must be a whole number of at least 1, got 0',
    ];
    expect(issuesOf(() => createTelemetry(ordersSpec, options))).toEqual(expected);
    // nodeSdkParts takes the same options, checked the same way (before it registers anything).
    expect(issuesOf(() => nodeSdkParts(ordersSpec, options))).toEqual(expected);
    // Every option of TelemetryOptions is known: none is reported when all are given.
    const all: Required<TelemetryOptions> = {
      logDestination: captureLines().destination,
      logLevel: 'info',
      strict: false,
      otlpEndpoint: 'http://127.0.0.1:4318',
      otlpLogs: false,
      exportTimeoutMs: 1000,
      maxQueuedSpans: 10,
      maxQueuedLogRecords: 10,
      maxPendingMetricExports: 1,
      logMaxBufferedBytes: 1024,
      maxConcurrentScrapes: 1,
      scrapeTimeoutMs: 1000,
      spanProcessors: [],
      tailSampling: false,
      samplingPolicies: [],
      metricReaders: [],
      logRecordProcessors: [],
      registerGlobal: false,
      securityLogDestination: captureLines().destination,
      securityLog: { foldWindowMs: 1000, maxLinesPerWindow: 1 },
      exemplarFilter: 'always_off',
      metricExportIntervalMs: 2000,
      labelValueLengthLimit: 2048,
    };
    expect(issuesOf(() => createTelemetry(ordersSpec, { ...all, maxQueuedSpans: 0 }))).toEqual([
      'maxQueuedSpans: must be a whole number of at least 1, got 0',
    ]);
  });
});
