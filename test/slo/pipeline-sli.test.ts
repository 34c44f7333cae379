// The pipeline SLI in process: the engine counts exactly what plumbline_telemetry_exported_total
// and plumbline_telemetry_dropped_total count on /metrics, by signal, and a real telemetry setup
// whose collector is down burns it.
import { createServer } from 'node:net';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { checkSlos } from '../../src/slo/check.js';
import { createSloEngine } from '../../src/slo/engine.js';
import { resolveSlos } from '../../src/spec/model.js';
import { specIssues } from '../../src/spec/validate.js';
import type { PipelineExportSignal, SliSpec, SloSpec, TelemetrySpec } from '../../src/spec/types.js';
import { createTelemetry } from '../../src/telemetry/create-telemetry.js';
import {
  PipelineMetrics,
  TELEMETRY_DROPPED,
  TELEMETRY_EXPORTED,
} from '../../src/telemetry/pipeline-metrics.js';
import { pipelineSpec } from '../fixtures/slo/pipeline-spec.js';

/** Sum of a family's samples on /metrics whose signal is one of these. */
function exposed(body: string, family: string, signals: readonly string[]): number {
  let sum = 0;
  for (const line of body.split('\n')) {
    const match = new RegExp(`^${family}\\{([^}]*)\\} (\\S+)$`).exec(line);
    const signal = /signal="([^"]+)"/.exec(match?.[1] ?? '')?.[1];
    if (match && signal !== undefined && signals.includes(signal)) sum += Number(match[2]);
  }
  return sum;
}

describe('pipeline SLI', () => {
  it('resolves to every exported signal by default, or the ones named', () => {
    const [all, spans] = resolveSlos(pipelineSpec);
    expect(all!.sli).toEqual({ kind: 'pipeline', signals: ['span', 'log_record', 'metric_batch'] });
    expect(spans!.sli).toEqual({ kind: 'pipeline', signals: ['span'] });
  });

  it('is typed: signals are the exported ones, and no metric or match is taken', () => {
    expectTypeOf<Extract<SliSpec, { kind: 'pipeline' }>['signals']>().toEqualTypeOf<
      readonly PipelineExportSignal[] | undefined
    >();
    // @ts-expect-error log lines are not exported over OTLP
    const lines: SliSpec = { kind: 'pipeline', signals: ['log_line'] };
    // @ts-expect-error a pipeline SLI reads no metric of the spec
    const withMetric: SliSpec = { kind: 'pipeline', metric: 'http.server.requests' };
    expect([lines, withMetric]).toHaveLength(2);
  });

  it('refuses unknown, repeated or no signals, naming the field', () => {
    const withSli = (sli: unknown): TelemetrySpec => ({
      ...pipelineSpec,
      slos: { s: { description: 'd', objective: 99, sli } as SloSpec },
    });
    expect(checkSlos(withSli({ kind: 'pipeline', signals: ['spans'] }))).toEqual([
      {
        path: 'slos.s.sli.signals[0]',
        message: 'expected one of span, log_record, metric_batch, got "spans"; did you mean "span"?',
      },
    ]);
    expect(checkSlos(withSli({ kind: 'pipeline', signals: ['span', 'span'] }))).toEqual([
      { path: 'slos.s.sli.signals[1]', message: '"span" is listed twice' },
    ]);
    expect(checkSlos(withSli({ kind: 'pipeline', signals: [] })).map((i) => i.path)).toEqual([
      'slos.s.sli.signals',
    ]);
    // The schema agrees: a log_line (not an export) or an extra key is refused at load.
    const paths = specIssues(withSli({ kind: 'pipeline', signals: ['log_line'], metric: 'x' })).map(
      (i) => i.path,
    );
    expect(paths).toEqual(expect.arrayContaining(['slos.s.sli.signals[0]', 'slos.s.sli.metric']));
    expect(specIssues(pipelineSpec)).toEqual([]);
  });

  it('counts what the pipeline counters count on /metrics: exported good, dropped bad, per signal', () => {
    const engine = createSloEngine(pipelineSpec, { now: () => 1000 });
    const metrics = createMetrics(pipelineSpec);
    const pipeline = new PipelineMetrics(metrics, engine.listeners.selfCounters);
    pipeline.export('span', 90);
    pipeline.drop('span', 'export_failed', 7);
    pipeline.drop('span', 'queue_full', 3);
    pipeline.export('log_record', 40);
    pipeline.drop('log_record', 'not_started');
    pipeline.export('metric_batch');
    pipeline.drop('metric_batch', 'busy');
    pipeline.drop('metric_batch', 'timeout');
    // Not exports: a full log destination and a refused scrape never count.
    pipeline.drop('log_line', 'destination_full', 50);
    pipeline.drop('scrape', 'busy');
    // The OTel batch processors report through their self-observability meter.
    const processed = pipeline
      .meterProvider('span')
      .getMeter('sdk')
      .createCounter('otel.sdk.processor.span.processed');
    processed.add(10);
    processed.add(5, { 'error.type': 'queue_full' });
    processed.add(0);
    processed.add(Number.NaN);

    const body = metrics.serialize().body;
    const [all, spans] = engine.status();
    for (const [status, signals] of [
      [all!, ['span', 'log_record', 'metric_batch']],
      [spans!, ['span']],
    ] as const) {
      const exported = exposed(body, TELEMETRY_EXPORTED, signals);
      const dropped = exposed(body, TELEMETRY_DROPPED, signals);
      expect(status.windows[0]).toMatchObject({ events: exported + dropped, badEvents: dropped });
    }
    expect(all!.windows[0]).toMatchObject({ events: 159, badEvents: 18 });
    expect(spans!.windows[0]).toMatchObject({ events: 115, badEvents: 15 });
  });

  it('burns while the collector is down: telemetry.slo.status() counts the failed exports', async () => {
    // A port that refuses connections: listen, note the port, close.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const telemetry = createTelemetry(pipelineSpec, {
      otlpEndpoint: `http://127.0.0.1:${port}`,
      exportTimeoutMs: 1000,
      registerGlobal: false,
      logDestination: '/dev/null',
    });
    try {
      for (let i = 0; i < 20; i++) telemetry.tracer.startSpan(`work ${i}`).end();
      await telemetry.forceFlush().catch(() => {});
      const body = telemetry.metrics.serialize().body;
      const dropped = exposed(body, TELEMETRY_DROPPED, ['span']);
      expect(dropped).toBeGreaterThanOrEqual(20);
      expect(exposed(body, TELEMETRY_EXPORTED, ['span', 'log_record', 'metric_batch'])).toBe(0);
      const spans = telemetry.slo.status().find((s) => s.slo === 'span-export')!;
      expect(spans.windows[0]).toMatchObject({ events: dropped, badEvents: dropped, errorRatio: 1 });
      // Every event bad, over minEvents: the fast page fires in process.
      expect(spans.tiers.find((t) => t.tier === 'page-fast')!.firing).toBe(true);
    } finally {
      await telemetry.shutdown();
    }
  });
});
