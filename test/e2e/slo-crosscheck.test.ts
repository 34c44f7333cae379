// The same synthetic traffic goes to the in-process engine and, as counter series, to
// `promtool test rules` over the generated rules: every alert must fire and resolve at the
// same minute in both, within one evaluation interval. A disagreement is a bug in one of them.
// For the pipeline SLI the engine hears the SDK's export counters, as in a service.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generatePrometheusRules } from '../../src/generate/rules/prometheus-rules.js';
import {
  buildSeries,
  seriesText,
  valuesText,
  type InputSeries,
  type Phase,
} from '../../src/generate/rules/promtool-series.js';
import { BURN_ALERT } from '../../src/generate/rules/text.js';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { createSloEngine, type SloEngine } from '../../src/slo/engine.js';
import { resolveSlos } from '../../src/spec/model.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import {
  PipelineMetrics,
  TELEMETRY_DROPPED,
  TELEMETRY_EXPORTED,
  type PipelineSignal,
} from '../../src/telemetry/pipeline-metrics.js';
import { checkoutSpec } from '../fixtures/slo/checkout-spec.js';
import { patternSpec } from '../fixtures/slo/pattern-spec.js';
import { pipelineSpec } from '../fixtures/slo/pipeline-spec.js';
import { peerBinary } from '../support/peers.js';

const MINUTE = 60_000;
const MINUTES = 400;
const PROMTOOL = peerBinary('promtool');

/** Per SLO: [from minute, to minute, events a minute, bad a minute]. */
const TRAFFIC: Record<string, [number, number, number, number][]> = {
  // 0.1% budget: 0.5x, a 30x burst (pages), 0.5x, a long 4x burn (tickets, no page), clean.
  'checkout-availability': [
    [0, 60, 10_000, 5],
    [60, 100, 10_000, 300],
    [100, 150, 10_000, 5],
    [150, 330, 10_000, 40],
    [330, MINUTES, 10_000, 0],
  ],
  // 1% budget: 0.5x, a 30x burst, 0.5x, then no traffic at all.
  'checkout-latency': [
    [0, 100, 10_000, 50],
    [100, 150, 10_000, 3_000],
    [150, 200, 10_000, 50],
    [200, MINUTES, 0, 0],
  ],
};

/** Per signal of the pipeline SLOs: [from minute, to minute, items a minute, dropped a minute]. */
const PIPELINE_TRAFFIC: Record<string, [number, number, number, number][]> = {
  // 0.2% dropped, the collector down for 40 minutes (everything dropped), 0.2% again, clean.
  span: [
    [0, 60, 10_000, 20],
    [60, 100, 10_000, 10_000],
    [100, 200, 10_000, 20],
    [200, MINUTES, 10_000, 0],
  ],
  // Down with the spans, and once more alone for 40 minutes (half of all items then).
  log_record: [
    [0, 60, 10_000, 0],
    [60, 100, 10_000, 10_000],
    [100, 250, 10_000, 0],
    [250, 290, 10_000, 10_000],
    [290, MINUTES, 10_000, 0],
  ],
  metric_batch: [
    [0, 60, 4, 0],
    [60, 100, 4, 4],
    [100, MINUTES, 4, 0],
  ],
};

function phasesOf(slo: string): Phase[] {
  return TRAFFIC[slo]!.map(([from, to, total, bad]) => ({ minutes: to - from, total, bad }));
}

function perMinute(slo: string, minute: number): { total: number; bad: number } {
  const [, , total, bad] = TRAFFIC[slo]!.find(([from, to]) => minute > from && minute <= to)!;
  return { total, bad };
}

let dir: string;

describe('in-process engine vs Prometheus rules', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plumbline-crosscheck-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fires and resolves the same alerts at the same minutes', async () => {
    const slos = resolveSlos(checkoutSpec);
    // The engine: each minute's events land just before the minute mark, as a scrape would see them.
    const firingAt = await agree(
      checkoutSpec,
      (engine, minute) => {
        for (const slo of slos) {
          const { total, bad } = perMinute(slo.name, minute);
          if (total - bad > 0) engine.record(slo.name, true, total - bad);
          if (bad > 0) engine.record(slo.name, false, bad);
        }
      },
      // Prometheus: the same counts as counter series.
      buildSeries(checkoutSpec, slos, new Map(slos.map((s) => [s.name, phasesOf(s.name)])), MINUTES, 0),
    );
    // The traffic must exercise fire and resolve of pages and tickets, or this test proves little.
    const everFiring = new Set(firingAt.flat());
    expect([...everFiring].sort()).toEqual([
      'checkout-availability/page-fast',
      'checkout-availability/page-slow',
      'checkout-availability/ticket-fast',
      'checkout-availability/ticket-slow',
      'checkout-latency/page-fast',
      'checkout-latency/page-slow',
      'checkout-latency/ticket-fast',
      'checkout-latency/ticket-slow',
    ]);
    expect(firingAt[MINUTES]).not.toContain('checkout-availability/page-fast');
    expect(firingAt[150]!.filter((a) => a.startsWith('checkout-availability/page'))).toEqual([]);
    expect(firingAt[300]).toContain('checkout-availability/ticket-fast');
    expect(firingAt[300]).not.toContain('checkout-availability/page-slow');
  }, 120_000);

  it('agrees on the pipeline SLI: the engine fed by the SDK export counters, Prometheus by their series', async () => {
    // The engine hears the counters through PipelineMetrics, as in a service; Prometheus reads
    // the same counts as the series /metrics writes (dropped with its reason label).
    const metrics = createMetrics(pipelineSpec);
    let pipeline: PipelineMetrics | undefined;
    const series: InputSeries[] = [];
    for (const [signal, rows] of Object.entries(PIPELINE_TRAFFIC)) {
      const exported = [0];
      const dropped = [0];
      for (let minute = 1; minute <= MINUTES; minute++) {
        const [, , total, bad] = rows.find(([from, to]) => minute > from && minute <= to)!;
        exported.push(exported[minute - 1]! + total - bad);
        dropped.push(dropped[minute - 1]! + bad);
      }
      series.push({ metric: TELEMETRY_EXPORTED, labels: { signal }, values: exported });
      series.push({
        metric: TELEMETRY_DROPPED,
        labels: { signal, reason: 'export_failed' },
        values: dropped,
      });
    }
    const firingAt = await agree(
      pipelineSpec,
      (engine, minute) => {
        pipeline ??= new PipelineMetrics(metrics, engine.listeners.selfCounters);
        for (const [signal, rows] of Object.entries(PIPELINE_TRAFFIC)) {
          const [, , total, bad] = rows.find(([from, to]) => minute > from && minute <= to)!;
          if (total - bad > 0) pipeline.export(signal as PipelineSignal, total - bad);
          if (bad > 0) pipeline.drop(signal as PipelineSignal, 'export_failed', bad);
        }
      },
      series,
    );
    const everFiring = new Set(firingAt.flat());
    for (const alert of ['telemetry-export/page-fast', 'telemetry-export/page-slow', 'span-export/page-fast'])
      expect(everFiring).toContain(alert);
    // The log-record outage alone (minutes 250-290) burns the all-signals SLO, not the spans one.
    expect(firingAt[285]).toContain('telemetry-export/page-fast');
    expect(firingAt[285]!.filter((a) => a.startsWith('span-export/'))).toEqual([]);
  }, 120_000);

  it('agrees on pattern matches: 5* for any 5xx status, * for any error.type', async () => {
    // The engine hears the histogram's records, with the attributes as the app records them
    // (status codes as integers); Prometheus reads the _count series /metrics writes.
    const statuses = ['200', '404', '500', '502', '503'];
    const labelsOf = (status: string): Record<string, string> =>
      status.startsWith('5')
        ? { http_response_status_code: status, error_type: status }
        : { http_response_status_code: status };
    const series: InputSeries[] = statuses.map((status) => {
      const values = [0];
      for (let minute = 1; minute <= MINUTES; minute++)
        values.push(values[minute - 1]! + (statusesAt(minute)[status] ?? 0));
      return { metric: 'http_server_request_duration_seconds_count', labels: labelsOf(status), values };
    });
    let metrics: ReturnType<typeof createMetrics<typeof patternSpec>> | undefined;
    const firingAt = await agree(
      patternSpec,
      (engine, minute) => {
        metrics ??= createMetrics(patternSpec, { listeners: engine.listeners });
        const duration = metrics.histogram('http.server.request.duration');
        for (const [status, count] of Object.entries(statusesAt(minute))) {
          const code = Number(status);
          const attributes =
            code >= 500
              ? { 'http.response.status_code': code, 'error.type': status }
              : { 'http.response.status_code': code };
          for (let i = 0; i < count; i++) duration.record(0.05, attributes);
        }
      },
      series,
    );
    const everFiring = [...new Set(firingAt.flat())].sort();
    expect(everFiring).toContain('any-5xx/page-fast');
    // Both SLIs read the same failures: the same alerts at the same minutes.
    expect(everFiring.filter((a) => a.startsWith('any-5xx/')).map((a) => a.split('/')[1])).toEqual(
      everFiring.filter((a) => a.startsWith('any-error-type/')).map((a) => a.split('/')[1]),
    );
  }, 120_000);
});

/** Per minute, requests by status code ([from minute, to minute, counts]); a 5xx carries error.type. */
const STATUS_TRAFFIC: [number, number, Record<string, number>][] = [
  [0, 60, { '200': 1997, '404': 2, '500': 1 }], // 0.05%: half the budget (404s are not bad)
  [60, 100, { '200': 1880, '500': 40, '503': 80 }], // 6%: a 60x burn, pages
  [100, 200, { '200': 1999, '502': 1 }],
  [200, MINUTES, { '200': 2000 }],
];

function statusesAt(minute: number): Record<string, number> {
  return STATUS_TRAFFIC.find(([from, to]) => minute > from && minute <= to)![2];
}

/**
 * Feeds the engine minute by minute (`feed` records minute m's events just before the minute
 * mark, as a scrape would see them), then runs `promtool test rules` over the generated rules
 * with `series`, expecting at every minute the alerts the engine fires, except within one
 * evaluation interval of an engine transition. Answers the engine's firing alerts per minute.
 */
async function agree(
  spec: TelemetrySpec,
  feed: (engine: SloEngine, minute: number) => void,
  series: readonly InputSeries[],
): Promise<string[][]> {
  let now = 0;
  const engine = createSloEngine(spec, { now: () => now });
  const firingAt: string[][] = [[]];
  for (let minute = 1; minute <= MINUTES; minute++) {
    now = minute * MINUTE - 1;
    feed(engine, minute);
    firingAt.push(
      engine
        .status(minute * MINUTE)
        .flatMap((s) => s.tiers.filter((t) => t.firing).map((t) => `${s.slo}/${t.tier}`)),
    );
  }
  const transitions: number[] = [];
  for (let minute = 1; minute <= MINUTES; minute++) {
    if (firingAt[minute]!.join() !== firingAt[minute - 1]!.join()) transitions.push(minute);
  }
  const checked = [];
  for (let minute = 1; minute <= MINUTES; minute++) {
    if (transitions.some((t) => Math.abs(t - minute) <= 1)) continue;
    checked.push({
      expr: `sum by (slo, tier) (ALERTS{alertname="${BURN_ALERT}",alertstate="firing"})`,
      eval_time: `${minute}m`,
      exp_samples: firingAt[minute]!.map((alert) => {
        const [slo, tier] = alert.split('/');
        return { labels: `{slo="${slo}",tier="${tier}"}`, value: 1 };
      }),
    });
  }
  expect(checked.length).toBeGreaterThan(MINUTES - 3 * transitions.length - 1);
  const name = spec.service.name;
  await writeFile(join(dir, `${name}.rules.yaml`), generatePrometheusRules(spec));
  await writeFile(
    join(dir, `${name}.crosscheck.test.yaml`),
    stringify({
      rule_files: [`${name}.rules.yaml`],
      evaluation_interval: '1m',
      tests: [
        {
          name: 'engine vs rules',
          interval: '1m',
          input_series: series.map((s) => ({
            series: seriesText(s.metric, s.labels),
            values: valuesText(s.values),
          })),
          promql_expr_test: checked,
        },
      ],
    }),
  );
  const result = await promisify(execFile)(PROMTOOL, ['test', 'rules', `${name}.crosscheck.test.yaml`], {
    cwd: dir,
    maxBuffer: 64 << 20,
  }).catch((error: { stdout?: string; stderr?: string }) => ({
    stdout: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    stderr: '',
  }));
  expect(result.stdout + result.stderr, `engine transitions at minutes ${transitions.join(', ')}`).toContain(
    'SUCCESS',
  );
  return firingAt;
}
