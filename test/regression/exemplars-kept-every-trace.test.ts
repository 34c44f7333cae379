// Regression: every counter.add() or histogram.record() inside a sampled span asked the tail
// sampler to keep its trace for the exemplar, so the exemplar rule kept every traced request that
// recorded a metric and the budget sampled nothing away (a newcomer's app: 300 of 300 traces kept
// by "exemplar" against a 5/s budget). Exemplar keeps are now bounded by the exemplar rule's
// tracesPerSecond (default 10), and every exemplar on /metrics still points at an exported trace.
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import type { SamplingPolicySpec } from '../../src/spec/types.js';
import { DEFAULT_EXEMPLAR_TRACES_PER_SECOND } from '../../src/sampling/exemplar-keep-limit.js';
import { captureLines } from '../support/capture.js';

const REQUESTS = 400;

function specWith(policies: readonly SamplingPolicySpec[]) {
  return defineTelemetry({
    service: { name: 'shop' },
    events: {},
    counters: { 'shop.requests': { description: 'Requests.', attributes: ['route'] } },
    histograms: {
      'shop.work.duration': {
        description: 'Work time.',
        unit: 's',
        attributes: ['route'],
        buckets: { boundaries: [0.01, 0.1, 1] },
      },
    },
    sampling: { decisionWaitMs: 0, policies },
  });
}

type ShopTelemetry = Telemetry<ReturnType<typeof specWith>>;
let telemetry: ShopTelemetry | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

/** Runs REQUESTS traced requests that each add to the counter and record a duration; returns the ms taken. */
function drive(t: ShopTelemetry, failing = false): number {
  const requests = t.metrics.counter('shop.requests');
  const duration = t.metrics.histogram('shop.work.duration');
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) {
    t.tracer.startActiveSpan('GET /order', (span) => {
      requests.add(1, { route: '/order' });
      duration.record([0.005, 0.05, 0.5, 5][i % 4]!, { route: '/order' });
      if (failing) span.setAttribute('http.response.status_code', 500);
      span.end();
    });
  }
  return performance.now() - started;
}

function open(policies: readonly SamplingPolicySpec[]): { t: ShopTelemetry; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const t = createTelemetry(specWith(policies), {
    logDestination: captureLines().destination,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  telemetry = t;
  return { t, exporter };
}

/** Trace IDs of the exemplars on /metrics (OpenMetrics). */
function exemplarTraceIds(t: ShopTelemetry): string[] {
  const body = t.metrics.serialize('application/openmetrics-text').body;
  return [...body.matchAll(/# \{trace_id="([0-9a-f]{32})"/g)].map((m) => m[1]!);
}

function keepsBy(t: ShopTelemetry): Record<string, number> {
  const decisions = t.sampler!.stats().decisions;
  return Object.fromEntries(Object.entries(decisions).map(([policy, outcome]) => [policy, outcome.keep]));
}

describe('exemplars kept every trace (regression)', () => {
  it('keeps at most the exemplar rule’s rate of traces for exemplars, so the budget samples the rest', async () => {
    const { t, exporter } = open([
      { name: 'errors', kind: 'errors' },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 5 },
    ]);
    const elapsedMs = drive(t);
    await t.forceFlush();
    const keeps = keepsBy(t);
    // The token bucket holds one second of keeps and refills at the rate while the loop runs.
    const allowed =
      DEFAULT_EXEMPLAR_TRACES_PER_SECOND + Math.ceil((elapsedMs * DEFAULT_EXEMPLAR_TRACES_PER_SECOND) / 1000);
    expect(keeps.exemplar).toBeGreaterThan(0);
    expect(keeps.exemplar).toBeLessThanOrEqual(allowed); // was 400: every trace
    const stats = t.sampler!.stats();
    expect(stats.exemplarKeepsRefused).toBeGreaterThan(0);
    const kept = Object.values(keeps).reduce((a, b) => a + b, 0);
    expect(kept).toBeLessThan(REQUESTS / 4);
    // The refusals are on /metrics too.
    expect(t.metrics.serialize().body).toContain(
      `plumbline_exemplar_keeps_refused_total ${stats.exemplarKeepsRefused}`,
    );
    // Every exemplar still points at a trace that was exported.
    const exported = new Set(exporter.getFinishedSpans().map((span) => span.spanContext().traceId));
    const exemplars = exemplarTraceIds(t);
    expect(exemplars.length).toBeGreaterThan(0);
    for (const traceId of exemplars) expect(exported).toContain(traceId);
  });

  it('takes the rate from the exemplar rule of the spec', async () => {
    const { t } = open([
      { name: 'exemplars', kind: 'exemplar', tracesPerSecond: 2 },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 5 },
    ]);
    const elapsedMs = drive(t);
    await t.forceFlush();
    expect(keepsBy(t).exemplars).toBeLessThanOrEqual(2 + Math.ceil((elapsedMs * 2) / 1000));
  });

  it('lets an errors budget after the exemplar rule sample error traces (exemplars no longer keep them all)', async () => {
    const { t, exporter } = open([
      { name: 'exemplars', kind: 'exemplar' },
      { name: 'errors', kind: 'errors', budget: { tracesPerSecond: 2 } },
    ]);
    drive(t, true);
    await t.forceFlush();
    const decisions = t.sampler!.stats().decisions;
    expect(decisions.errors!.drop).toBeGreaterThan(REQUESTS / 2); // was 0: exemplars kept all 400
    const exported = new Set(exporter.getFinishedSpans().map((span) => span.spanContext().traceId));
    for (const traceId of exemplarTraceIds(t)) expect(exported).toContain(traceId);
  });
});
