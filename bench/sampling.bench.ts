// Tail sampling hot path: cost per span against BatchSpanProcessor alone (same exporter, same
// traffic), heap under 1x/5x/10x floods of maxTraces against the heap at the cap, and decision
// latency (local root end to decision) against the configured grace period.
//
// Why the baseline is what it is. The cost rows compare two pipelines that do the same job end
// to end: the app ends spans and an exporter receives them.
// - Baseline: BatchSpanProcessor -> exporter. Its queue is sized so that it never drops (an
//   earlier version ran a synchronous loop against the default 2,048-span queue: the BSP dropped
//   most spans and held almost nothing, which made it look cheaper than it is).
// - Tail sampler: TailSamplingProcessor -> the same BatchSpanProcessor setup -> the same exporter.
//   Its forwarding into the BSP and the BSP's own work are in its number.
// - Traffic: REQUESTS_PER_TURN requests, then a yield to the event loop (setImmediate), so the
//   sampler's decision timer and the BSP's batch exports run the way they do in a service; each
//   sample runs until the exporter holds every span (forceFlush), and both sides must account for
//   every span (the run throws otherwise), so no side wins by dropping work. This drives the
//   process at saturation, the worst case for the sampler: spans held through the grace
//   period see the most young-generation collections per span.
// - Two exporters, one pair of rows each:
//   - a counting exporter that reads each span's context, tracestate and attributes (as an OTLP
//     exporter does first), so lazy work a wrapper defers to export is charged to the sampler;
//     this isolates the processors' cost.
//   - the OTLP/HTTP exporter createTelemetry uses, sending to a sink in a child process on
//     loopback that reads every request and answers 200: the pipeline a service runs. The
//     exporter's encoding is then in both numbers, and a sampler that drops a trace saves it.
// Two sampler rows per exporter: keeping every trace (the worst case: all of the sampler's work
// plus all of the BSP's, and the policy attribute and `ot=th` on every span) and the usual
// policies (errors, slow, a 100 traces/s budget) under a load far above the budget, where most
// traces are dropped before they reach the BSP.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { ExportResult } from '@opentelemetry/core';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SamplingSpec } from '../src/spec/types.js';
import { TailSamplingProcessor } from '../src/sampling/tail-sampling-processor.js';
import { DRY_RUN_ATTRIBUTE } from '../src/sampling/sampled-span.js';
import type { BenchRow } from './harness.js';
import { comparedRow, row } from './harness.js';

/**
 * A no-op exporter that really receives everything: it counts the spans and reads what an OTLP
 * exporter reads first (context, tracestate, attributes), so lazy work a wrapper defers to
 * export time is charged to the side that defers it.
 */
class CountingExporter implements SpanExporter {
  spans = 0;
  fieldsRead = 0;
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      const spanContext = span.spanContext();
      if (spanContext.traceState !== undefined) this.fieldsRead++;
      for (const key in span.attributes) if (key.length > 0) this.fieldsRead++;
    }
    this.spans += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

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

type Pipeline =
  'bsp' | 'keepAll' | 'policies' | 'policiesNoGrace' | 'otlpBsp' | 'otlpKeepAll' | 'otlpPolicies';
const PIPELINES: readonly Pipeline[] = [
  'bsp',
  'keepAll',
  'policies',
  'policiesNoGrace',
  'otlpBsp',
  'otlpKeepAll',
  'otlpPolicies',
];
const SPANS_PER_REQUEST = 2;
const REQUESTS_PER_TURN = 50;
const SAMPLE_REQUESTS = 40_000;
const WARMUP_REQUESTS = 20_000;
const ROUNDS = 7;
const KEEP_ALL: SamplingSpec = { policies: [{ name: 'all', kind: 'budget', tracesPerSecond: 1e9 }] };
/**
 * Diagnostic: no grace, so a trace no rule keeps is dropped the moment it is done and nothing is
 * held; the gap to SPEC is the cost of holding those traces through the grace period.
 */
const POLICIES_NO_GRACE: SamplingSpec = { ...SPEC, decisionWaitMs: 0 };
const SPECS: Record<Exclude<Pipeline, 'bsp' | 'otlpBsp'>, SamplingSpec> = {
  keepAll: KEEP_ALL,
  policies: SPEC,
  policiesNoGrace: POLICIES_NO_GRACE,
  otlpKeepAll: KEEP_ALL,
  otlpPolicies: SPEC,
};

/** Counts the spans an inner exporter delivered (its export reported success). */
class DeliveredCounter implements SpanExporter {
  spans = 0;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.spans += spans.length;
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** An OTLP/HTTP sink in a child process on loopback: reads each request whole, answers 200. */
async function startSink(): Promise<{ url: string; child: ChildProcess }> {
  const program = `
    const server = require('node:http').createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
    process.stdin.on('end', () => process.exit(0)).resume();`;
  const child = spawn(process.execPath, ['-e', program], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${chunk.toString().trim()}/v1/traces`, child };
}

/** A BSP that cannot drop in these runs: its queue holds a whole sample. */
function batchProcessor(exporter: SpanExporter): BatchSpanProcessor {
  return new BatchSpanProcessor(exporter, { maxQueueSize: SAMPLE_REQUESTS * SPANS_PER_REQUEST * 2 });
}

/** Runs `requests` requests through one pipeline until exported; returns ns per span. */
async function sampleCost(pipeline: Pipeline, requests: number, sinkUrl: string): Promise<number> {
  const otlp = pipeline.startsWith('otlp');
  const counting = new CountingExporter();
  // forceFlush sends every queued batch at once; on a loaded machine the sink falls behind and
  // the exporter's default limit (30 requests in flight) failed the run, on both sides alike.
  const exporter = otlp
    ? new DeliveredCounter(new OTLPTraceExporter({ url: sinkUrl, concurrencyLimit: 10_000 }))
    : counting;
  const tail =
    pipeline === 'bsp' || pipeline === 'otlpBsp'
      ? undefined
      : new TailSamplingProcessor(SPECS[pipeline], batchProcessor(exporter));
  const { tracer, provider } = tracerWith(tail ?? batchProcessor(exporter));
  const start = process.hrtime.bigint();
  for (let i = 0; i < requests;) {
    const end = Math.min(requests, i + REQUESTS_PER_TURN);
    for (; i < end; i++) request(tracer, i);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await provider.forceFlush();
  const elapsed = Number(process.hrtime.bigint() - start);
  await provider.shutdown();
  // Both sides account for every span, or the comparison is void.
  const spans = requests * SPANS_PER_REQUEST;
  const delivered = exporter instanceof DeliveredCounter ? exporter.spans : counting.spans;
  if (tail === undefined || SPECS[pipeline as keyof typeof SPECS] === KEEP_ALL) {
    if (delivered !== spans) throw new Error(`${pipeline}: exported ${delivered} of ${spans} spans`);
  } else {
    const stats = tail.stats();
    let traces = 0;
    for (const outcome of Object.values(stats.decisions)) traces += outcome.keep + outcome.drop;
    if (traces !== requests || stats.bufferedSpans !== 0)
      throw new Error(`${pipeline}: decided ${traces} of ${requests} traces`);
    const kept = Object.values(stats.decisions).reduce((sum, outcome) => sum + outcome.keep, 0);
    if (delivered !== kept * SPANS_PER_REQUEST)
      throw new Error(`${pipeline}: exported ${delivered} spans of ${kept} kept traces`);
  }
  return elapsed / spans;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  // ---- cost per span (see the header for why the baseline is what it is) ----
  const sink = await startSink();
  const variants = Object.fromEntries(PIPELINES.map((pipeline) => [pipeline, [] as number[]])) as Record<
    Pipeline,
    number[]
  >;
  try {
    for (const pipeline of PIPELINES) await sampleCost(pipeline, WARMUP_REQUESTS, sink.url); // warm-up, JIT
    for (let round = 0; round < ROUNDS; round++) {
      for (const pipeline of PIPELINES)
        variants[pipeline].push(await sampleCost(pipeline, SAMPLE_REQUESTS, sink.url));
    }
  } finally {
    sink.child.stdin!.end();
    sink.child.kill();
  }
  process.stderr.write(
    `sampling cost per span (ns, ${ROUNDS} samples of ${SAMPLE_REQUESTS * SPANS_PER_REQUEST} spans): ` +
      PIPELINES.map((pipeline) => `${pipeline} ${variants[pipeline].map(Math.round).join('/')}`).join(', ') +
      '\n',
  );
  const baseline = 'BatchSpanProcessor alone, same counting exporter and traffic, no drops';
  const otlpBaseline = 'BatchSpanProcessor alone, same OTLP/HTTP exporter to a loopback sink, no drops';
  // Each row is the median of the per-round ratios, with its spread (min-max): rounds interleave
  // the pipelines, so load from other processes falls on both sides of a ratio alike.
  const comparison = { samples: PIPELINES.map((pipeline) => variants[pipeline]) };
  const cost = (name: string, pipeline: Pipeline, base: Pipeline, baselineName: string, target: string) =>
    comparedRow(name, comparison, PIPELINES.indexOf(pipeline), PIPELINES.indexOf(base), baselineName, target);
  rows.push(
    cost(
      'sampling: cost per span, tail sampler keeping every trace -> BSP (counting exporter)',
      'keepAll',
      'bsp',
      baseline,
      '<= 1.1',
    ),
  );
  rows.push(
    cost(
      'sampling: cost per span, tail sampler errors/slow/budget (most dropped) -> BSP (counting exporter)',
      'policies',
      'bsp',
      baseline,
      '<= 1.1',
    ),
  );
  // Not a target: with decisionWaitMs 0 nothing waits, which separates the sampler's own CPU from
  // the garbage-collection cost of holding dropped traces through the grace period.
  rows.push(
    cost(
      'sampling: cost per span, errors/slow/budget with decisionWaitMs 0 (diagnostic) -> BSP (counting exporter)',
      'policiesNoGrace',
      'bsp',
      baseline,
      'none (diagnostic)',
    ),
  );
  rows.push(
    cost(
      'sampling: cost per span, tail sampler keeping every trace -> BSP -> OTLP/HTTP',
      'otlpKeepAll',
      'otlpBsp',
      otlpBaseline,
      '<= 1.1',
    ),
  );
  rows.push(
    cost(
      'sampling: cost per span, tail sampler errors/slow/budget (most dropped) -> BSP -> OTLP/HTTP',
      'otlpPolicies',
      'otlpBsp',
      otlpBaseline,
      '<= 1.2',
    ),
  );

  // ---- heap under floods of 1x, 5x and 10x maxTraces ----
  // Measured from before the processor exists, so its fixed-size decision caches (typed arrays
  // sized from the caps at construction, off the V8 heap: hence arrayBuffers) are in every number.
  // The grace is long, so only the maxTraces cap decides: every trace past the cap evicts one.
  const maxTraces = 2_000;
  const floodSpec: SamplingSpec = { ...SPEC, decisionWaitMs: 60_000, maxTraces, maxBytes: 8 * 1024 * 1024 };
  const held = (): number => {
    gc();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
  };
  // The cost rows' pipelines are shut down, but their exporters' sockets and timers let go of
  // what they hold a moment later; measured at once, that release fell inside the flood and the
  // rows read negative bytes (-9 to -14 MB on a quiet machine). Let it happen first.
  let before = held();
  for (let settled = 0; settled < 20; settled++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = held();
    if (Math.abs(now - before) < 64 * 1024) break;
    before = now;
  }
  const flood = new TailSamplingProcessor(floodSpec, batchProcessor(new CountingExporter()));
  const floodTracer = tracerWith(flood);
  const empty = held() - before;
  let sent = 0;
  const floodTo = async (traces: number): Promise<number> => {
    while (sent < traces) {
      const end = Math.min(traces, sent + REQUESTS_PER_TURN);
      for (; sent < end; sent++) request(floodTracer.tracer, sent);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return held() - before;
  };
  const at1x = await floodTo(maxTraces);
  const at5x = await floodTo(5 * maxTraces);
  const at10x = await floodTo(10 * maxTraces);
  const floodStats = flood.stats();
  const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
  process.stderr.write(
    `sampling flood (maxTraces ${maxTraces}): held over the process before the sampler: empty ${mb(empty)} MB ` +
      `(decision caches), 1x ${mb(at1x)} MB, 5x ${mb(at5x)} MB, 10x ${mb(at10x)} MB; buffered ` +
      `${floodStats.bufferedTraces} traces / ${floodStats.bufferedBytes} B (estimate), evictions ${JSON.stringify(floodStats.evictions)}\n`,
  );
  // From 1x to 5x the eviction path starts and its bounded slack appears (decided trace records
  // awaiting compaction in the admission and deadline queues, at most ~2x maxTraces small
  // records, no spans); from 5x on nothing may grow.
  rows.push(
    row(
      'sampling: heap+arrayBuffers held at 10x maxTraces flood (ns_per_op = bytes)',
      at10x,
      'held at 1x maxTraces (ns = bytes), caches included',
      at1x,
      '<= 1.2',
    ),
  );
  rows.push(
    row(
      'sampling: heap+arrayBuffers held at 10x maxTraces flood vs 5x (ns_per_op = bytes)',
      at10x,
      'held at 5x maxTraces (ns = bytes), caches included',
      at5x,
      '<= 1.05',
    ),
  );
  await floodTracer.provider.shutdown();

  // ---- decision latency: local root end -> decision ----
  // In dry run every trace is forwarded when it is decided, so the forwarding time of the root is
  // the decision time, for dropped traces too. Errors-only policy: one trace in ten has an error
  // (kept by a rule the moment the trace is done), the rest would be dropped (after the grace).
  const graceMs = 20;
  const rootEndedAt = new Map<string, number>();
  const latencies = { keep: [] as number[], drop: [] as number[] };
  const recorder: SpanProcessor = {
    onStart: () => {},
    onEnd: (span: ReadableSpan) => {
      const endedAt = rootEndedAt.get(span.spanContext().traceId);
      if (span.parentSpanContext !== undefined || endedAt === undefined) return;
      const outcome = span.attributes[DRY_RUN_ATTRIBUTE] === 'keep' ? 'keep' : 'drop';
      latencies[outcome].push(performance.now() - endedAt);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const timed = tracerWith(
    new TailSamplingProcessor(
      { decisionWaitMs: graceMs, dryRun: true, policies: [{ name: 'errors', kind: 'errors' }] },
      recorder,
    ),
  );
  for (let i = 0; i < 1_000; i++) {
    const root = timed.tracer.startSpan('GET /orders/:id', { attributes: { 'http.route': '/orders/:id' } });
    timed.tracer.startSpan('SELECT orders', {}, trace.setSpan(context.active(), root)).end();
    if (i % 10 === 0) root.setStatus({ code: SpanStatusCode.ERROR });
    rootEndedAt.set(root.spanContext().traceId, performance.now());
    root.end();
    if (i % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await new Promise((resolve) => setTimeout(resolve, graceMs * 3));
  const quantile = (values: number[], q: number) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length * q)] ?? Number.NaN;
  const latency = {
    keep: { p50: quantile(latencies.keep, 0.5), p99: quantile(latencies.keep, 0.99) },
    drop: { p50: quantile(latencies.drop, 0.5), p99: quantile(latencies.drop, 0.99) },
  };
  process.stderr.write(
    `sampling decision latency (grace ${graceMs} ms): kept by a rule p50 ${latency.keep.p50.toFixed(3)} ms, ` +
      `p99 ${latency.keep.p99.toFixed(3)} ms over ${latencies.keep.length} traces; dropped p50 ` +
      `${latency.drop.p50.toFixed(2)} ms, p99 ${latency.drop.p99.toFixed(2)} ms over ${latencies.drop.length} traces\n`,
  );
  const graceBaseline = `decisionWaitMs grace (${graceMs} ms); no library baseline`;
  // A keep is decided the moment the local trace is done: the grace does not apply.
  rows.push(
    row(
      'sampling: decision latency p50, kept by a rule (root end -> decision)',
      latency.keep.p50 * 1e6,
      graceBaseline,
      graceMs * 1e6,
      '<= 0.05',
    ),
  );
  rows.push(
    row(
      'sampling: decision latency p99, kept by a rule (root end -> decision)',
      latency.keep.p99 * 1e6,
      graceBaseline,
      graceMs * 1e6,
      '<= 0.1',
    ),
  );
  // Anything else waits out the grace, then is decided by the timer.
  rows.push(
    row(
      'sampling: decision latency p50, dropped (root end -> decision)',
      latency.drop.p50 * 1e6,
      graceBaseline,
      graceMs * 1e6,
      '<= 1.5',
    ),
  );
  rows.push(
    row(
      'sampling: decision latency p99, dropped (root end -> decision)',
      latency.drop.p99 * 1e6,
      graceBaseline,
      graceMs * 1e6,
      '<= 2',
    ),
  );
  await timed.provider.shutdown();
  return rows;
}
