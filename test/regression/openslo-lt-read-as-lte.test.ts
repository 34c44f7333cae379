// Regression (review): fromOpenSlo read a thresholdMetric objective's `op: lt` as `lte`. A latency
// SLI counts a request good when its value is at or under the threshold: the rules read the
// histogram's `le` bucket, which holds values equal to its bound, and the in-process engine
// counts `value <= threshold`. `lt` differs exactly at the bound, where values of a whole-number
// unit pile up: with requests in integer milliseconds, 60 of 100 at exactly 250 ms, `lt 250`
// means an error ratio of 0.7 and plumbline silently computed 0.1. `lt` is now refused, naming
// the field and saying what to write; `lte` is kept, and the engine and the rules agree at the
// bound (both 0.1 below, checked with promtool over the series /metrics writes).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generatePrometheusRules } from '../../src/generate/rules/prometheus-rules.js';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { createSloEngine } from '../../src/slo/engine.js';
import { fromOpenSlo, OpenSloError } from '../../src/spec/openslo.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { peerBinary } from '../support/peers.js';

const MINUTE = 60_000;
const MINUTES = 10;

function openSlo(op: string): string {
  return `
apiVersion: openslo/v1
kind: SLO
metadata: { name: checkout-latency }
spec:
  budgetingMethod: Occurrences
  indicator:
    metadata: { name: duration }
    spec:
      thresholdMetric: { metricSource: { type: plumbline, spec: { metric: checkout.duration } } }
  objectives: [{ op: ${op}, value: 250, targetPercent: 99 }]
`;
}

function specWith(slos: TelemetrySpec['slos']): TelemetrySpec {
  return {
    service: { name: 'checkout' },
    events: {},
    histograms: {
      'checkout.duration': {
        description: 'Checkout duration in whole milliseconds.',
        unit: 'ms',
        buckets: { boundaries: [100, 250, 500] },
      },
    },
    slos,
  };
}

/** Each minute's requests, in integer milliseconds: 60 exactly at the threshold. */
const TRAFFIC: readonly [number, number][] = [
  [100, 30],
  [250, 60],
  [400, 10],
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-openslo-lt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OpenSLO op: lt on a threshold metric', () => {
  it('is refused, naming the field and what to write, not read as lte', () => {
    let error: unknown;
    try {
      fromOpenSlo(openSlo('lt'));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(OpenSloError);
    expect((error as Error).message).toMatch(/^OpenSLO checkout-latency\.spec\.objectives\[0\]\.op: lt /);
    expect((error as Error).message).toContain('op: lte');
  });

  it('gt and gte stay refused (they would count the slow requests good)', () => {
    for (const op of ['gt', 'gte']) expect(() => fromOpenSlo(openSlo(op))).toThrow(/objectives\[0\]\.op/);
  });

  it('lte: values at the threshold are good for the engine and for the rules alike', async () => {
    const spec = specWith(fromOpenSlo(openSlo('lte')));
    expect(spec.slos!['checkout-latency']!.sli).toEqual({
      kind: 'latency',
      histogram: 'checkout.duration',
      threshold: 250,
    });
    let now = 0;
    const engine = createSloEngine(spec, { now: () => now });
    const metrics = createMetrics(spec, { listeners: engine.listeners });
    const histogram = metrics.histogram('checkout.duration');
    const samples = new Map<string, number[]>();
    const scrape = (minute: number) => {
      for (const line of metrics.serialize().body.split('\n')) {
        const match = /^(checkout_duration_milliseconds_(?:bucket|count)(?:\{[^}]*\})?) (\S+)$/.exec(line);
        if (match === null) continue;
        const values = samples.get(match[1]!) ?? [];
        values[minute] = Number(match[2]);
        samples.set(match[1]!, values);
      }
    };
    for (let minute = 1; minute <= MINUTES; minute++) {
      now = minute * MINUTE - 1;
      for (const [value, count] of TRAFFIC) for (let i = 0; i < count; i++) histogram.record(value);
      scrape(minute);
    }
    expect(samples.get('checkout_duration_milliseconds_bucket{le="250.0"}')?.[1]).toBe(90);

    await writeFile(join(dir, 'checkout-slo.rules.yaml'), generatePrometheusRules(spec));
    await writeFile(
      join(dir, 'bound.test.yaml'),
      stringify({
        rule_files: ['checkout-slo.rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            name: 'the rules over the series /metrics writes',
            interval: '1m',
            input_series: [...samples].map(([series, values]) => ({
              series,
              values: Array.from({ length: MINUTES + 1 }, (_, i) => values[i] ?? '_').join(' '),
            })),
            promql_expr_test: [
              {
                expr: 'round(1e9 * plumbline_slo:error_ratio:rate5m{slo="checkout-latency"})',
                eval_time: `${MINUTES}m`,
                exp_samples: [{ labels: '{service="checkout",slo="checkout-latency"}', value: 1e8 }],
              },
            ],
          },
        ],
      }),
    );
    const { stdout, stderr } = await promisify(execFile)(
      peerBinary('promtool'),
      ['test', 'rules', 'bound.test.yaml'],
      { cwd: dir },
    ).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }));
    expect(stdout + stderr, 'the rules read 10 bad of 100').toContain('SUCCESS');

    const status = engine.status(MINUTES * MINUTE).find((s) => s.slo === 'checkout-latency')!;
    expect(status.windows.find((w) => w.window === '5m')!.errorRatio).toBeCloseTo(0.1, 12);
  });
});
