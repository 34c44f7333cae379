// Export under an error storm: the tail sampler at saturation with every other trace an error,
// with the spec's error budget and without one. The row reports the error traces kept per
// second of wall time against the budget; without a budget every error trace is kept (the
// unbounded export load the error budget exists to stop).
import { context, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  ParentBasedSampler,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { SamplingSpec } from '../src/spec/types.js';
import { TailSamplingProcessor } from '../src/sampling/tail-sampling-processor.js';
import type { BenchRow } from './harness.js';

const ERROR_BUDGET = 100;
const ROUNDS = 5;
const ROUND_MS = 2_000;
const WARM_UP_MS = 2_000;
const REQUESTS_PER_TURN = 50;

/** Counts kept error traces (their local roots) as the exporter receives them. */
class ErrorCountingExporter implements SpanExporter {
  errorRoots = 0;
  spans = 0;
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    for (const span of spans) {
      this.spans++;
      if (span.parentSpanContext === undefined && span.status.code === SpanStatusCode.ERROR)
        this.errorRoots++;
    }
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function specWith(budget: boolean): SamplingSpec {
  return {
    policies: [
      budget
        ? { name: 'errors', kind: 'errors', budget: { tracesPerSecond: ERROR_BUDGET, key: 'http.route' } }
        : { name: 'errors', kind: 'errors' },
      { name: 'slow', kind: 'latency', thresholdMs: 500 },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 100, key: 'http.route' },
    ],
  };
}

/** One request, 2 spans; every other one fails. */
function request(tracer: Tracer, i: number): void {
  const root = tracer.startSpan('POST /events', {
    attributes: { 'http.route': i % 4 < 2 ? '/events' : '/orders', 'http.request.method': 'POST' },
  });
  tracer.startSpan('INSERT events', {}, trace.setSpan(context.active(), root)).end();
  if (i % 2 === 0) root.setStatus({ code: SpanStatusCode.ERROR });
  root.end();
}

/** Error traces sent and kept per second in each round, after a warm-up. */
async function flood(budget: boolean): Promise<{ keptPerSecond: number[] }> {
  const exporter = new ErrorCountingExporter();
  const processor = new TailSamplingProcessor(specWith(budget), new SimpleSpanProcessor(exporter));
  const provider = new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('bench');
  let i = 0;
  const runFor = async (ms: number): Promise<void> => {
    const start = performance.now();
    while (performance.now() - start < ms) {
      for (let n = 0; n < REQUESTS_PER_TURN; n++, i++) request(tracer, i);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await runFor(WARM_UP_MS);
  const keptPerSecond: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Decisions of the previous round's last traces land in the next round: over rounds of
    // seconds against a 100 ms grace that is noise, and it falls on both sides alike.
    const before = exporter.errorRoots;
    const start = performance.now();
    await runFor(ROUND_MS);
    const seconds = (performance.now() - start) / 1000;
    keptPerSecond.push((exporter.errorRoots - before) / seconds);
  }
  await provider.shutdown();
  return { keptPerSecond };
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

function rateRow(name: string, perSecond: readonly number[], target: string): BenchRow {
  const ratios = perSecond.map((rate) => rate / ERROR_BUDGET);
  return {
    name,
    ns_per_op: round(median(perSecond)),
    baseline: `error budget (${ERROR_BUDGET} error traces/s; ns_per_op = kept error traces/s)`,
    baseline_ns_per_op: ERROR_BUDGET,
    ratio: round(median(ratios), 3),
    target,
    spread: [round(Math.min(...ratios), 3), round(Math.max(...ratios), 3)],
    rounds: ratios.length,
  };
}

export async function run(): Promise<BenchRow[]> {
  const budgeted = await flood(true);
  const unbounded = await flood(false);
  return [
    rateRow(
      'sampling: error traces kept per second under a 50% error flood, with the error budget',
      budgeted.keptPerSecond,
      '<= 1.1',
    ),
    rateRow(
      'sampling: the same without an error budget (every error trace kept)',
      unbounded.keptPerSecond,
      'informational (no target)',
    ),
  ];
}
