// Tail sampling hot path: cost per span against BatchSpanProcessor alone (same no-op exporter),
// heap under a 10x flood against the heap at the cap, and decision latency (local root end to
// decision) against the configured grace period.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { context, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SamplingSpec } from '../src/spec/types.js';
import { TailSamplingProcessor } from '../src/sampling/tail-sampling-processor.js';
import type { BenchRow } from './harness.js';
import { measure, row } from './harness.js';

const noopExporter: SpanExporter = {
  export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: () => Promise.resolve(),
};

const SPEC: SamplingSpec = {
  policies: [
    { name: 'errors', kind: 'errors' },
    { name: 'slow', kind: 'latency', thresholdMs: 500 },
    { name: 'baseline', kind: 'budget', tracesPerSecond: 100, key: 'http.route' },
  ],
};

function tracerWith(processor: SpanProcessor): { tracer: Tracer; provider: BasicTracerProvider } {
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [processor],
  });
  return { tracer: provider.getTracer('bench'), provider };
}

/** One request: a server span with a child, 2 spans. */
function request(tracer: Tracer, i: number): void {
  const root = tracer.startSpan('GET /orders/:id', {
    attributes: { 'http.route': i % 4 === 0 ? '/orders/:id' : '/health', 'http.request.method': 'GET' },
  });
  tracer
    .startSpan(
      'SELECT orders',
      { attributes: { 'db.system': 'postgresql' } },
      trace.setSpan(context.active(), root),
    )
    .end();
  root.end();
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  // ---- cost per span ----
  const bare = tracerWith(new BatchSpanProcessor(noopExporter));
  const sampled = tracerWith(new TailSamplingProcessor(SPEC, new BatchSpanProcessor(noopExporter)));
  const baseNs = (await measure((i) => request(bare.tracer, i), { iterations: 5_000, minTimeMs: 500 })) / 2;
  const tailNs =
    (await measure((i) => request(sampled.tracer, i), { iterations: 5_000, minTimeMs: 500 })) / 2;
  const baseNs2 = (await measure((i) => request(bare.tracer, i), { iterations: 5_000, minTimeMs: 500 })) / 2;
  rows.push(
    row(
      'sampling: span start+end through TailSamplingProcessor',
      tailNs,
      'BatchSpanProcessor alone, same no-op exporter',
      Math.min(baseNs, baseNs2),
      '<= 1.2',
    ),
  );
  await bare.provider.shutdown();
  await sampled.provider.shutdown();

  // ---- heap under a 10x flood ----
  const maxTraces = 2_000;
  const floodSpec: SamplingSpec = { ...SPEC, decisionWaitMs: 60_000, maxTraces, maxBytes: 8 * 1024 * 1024 };
  const flood = new TailSamplingProcessor(floodSpec, new BatchSpanProcessor(noopExporter));
  const floodTracer = tracerWith(flood);
  const heapAt = (traces: number, from: number) => {
    for (let i = from; i < traces; i++) request(floodTracer.tracer, i);
    gc();
    return process.memoryUsage().heapUsed;
  };
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const heapAtCap = heapAt(maxTraces, 0) - heapBefore;
  const heapAt10x = heapAt(10 * maxTraces, maxTraces) - heapBefore;
  const floodStats = flood.stats();
  process.stderr.write(
    `sampling flood: heap over baseline at cap ${(heapAtCap / 1e6).toFixed(2)} MB, at 10x ${(heapAt10x / 1e6).toFixed(2)} MB; ` +
      `buffered ${floodStats.bufferedTraces} traces / ${floodStats.bufferedBytes} B (estimate), evictions ${JSON.stringify(floodStats.evictions)}\n`,
  );
  rows.push(
    row(
      'sampling: heap bytes held at 10x maxTraces flood (ns_per_op = bytes)',
      heapAt10x,
      'heap bytes held at 1x maxTraces (ns = bytes)',
      heapAtCap,
      '<= 1.2',
    ),
  );
  await floodTracer.provider.shutdown();

  // ---- decision latency: local root end -> decision (next.onEnd of the root) ----
  const graceMs = 20;
  const latencies: number[] = [];
  const recorder: SpanProcessor = {
    onStart: () => {},
    onEnd: (span: ReadableSpan) => {
      if (span.parentSpanContext === undefined) {
        const endedAt = span.endTime[0] * 1e3 + span.endTime[1] / 1e6;
        latencies.push(performance.timeOrigin + performance.now() - endedAt);
      }
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const timed = tracerWith(
    new TailSamplingProcessor(
      { decisionWaitMs: graceMs, policies: [{ name: 'all', kind: 'budget', tracesPerSecond: 1e9 }] },
      recorder,
    ),
  );
  for (let i = 0; i < 400; i++) {
    request(timed.tracer, i);
    if (i % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await new Promise((resolve) => setTimeout(resolve, graceMs * 3));
  latencies.sort((a, b) => a - b);
  const p50 = latencies[Math.floor(latencies.length * 0.5)] ?? Number.NaN;
  const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? Number.NaN;
  process.stderr.write(
    `sampling decision latency (grace ${graceMs} ms): p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms over ${latencies.length} traces\n`,
  );
  rows.push(
    row(
      'sampling: decision latency p50 (root end -> decision)',
      p50 * 1e6,
      `decisionWaitMs grace (${graceMs} ms); no library baseline`,
      graceMs * 1e6,
      '<= 1.5',
    ),
  );
  rows.push(
    row(
      'sampling: decision latency p99 (root end -> decision)',
      p99 * 1e6,
      `decisionWaitMs grace (${graceMs} ms); no library baseline`,
      graceMs * 1e6,
      '<= 2',
    ),
  );
  await timed.provider.shutdown();
  return rows;
}
