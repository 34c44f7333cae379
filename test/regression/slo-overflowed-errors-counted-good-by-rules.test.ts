// Regression (SLO review): past an instrument's cardinalityLimit every later attribute set went
// to one series labelled only otel_metric_overflow="true", so the generated rules could not see
// an overflowed event's `outcome` (or any `bad` or `where` attribute) while the in-process engine
// counted every event by its own attributes. Without a `where` overflowed errors counted as good
// in the rules; with one they dropped out of both sides; a latency SLI's `where` lost them too.
// The alerts that should page stayed quiet (ten tenants at 10% errors, limit 3: engine 0.1,
// rules 0.01; below, also engine 0.135, 0.18 and 0.36 where the rules read 0). The overflow series
// are now split by the attributes the spec's SLIs read on that instrument, so the same rules read
// what the engine reads. Real parts: the series /metrics writes, fed to the generated rules in
// promtool.
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
import type { TelemetrySpec } from '../../src/spec/types.js';
import { peerBinary } from '../support/peers.js';

const MINUTE = 60_000;
const MINUTES = 10;

const spec = {
  service: { name: 'shop' },
  events: {},
  counters: {
    'shop.requests': {
      description: 'Requests.',
      attributes: ['tenant', 'route', 'outcome'],
      cardinalityLimit: 3,
    },
    'shop.orders': { description: 'Orders.', attributes: ['tenant', 'outcome'], cardinalityLimit: 3 },
  },
  histograms: {
    'shop.duration': {
      description: 'Request time.',
      unit: 's',
      attributes: ['tenant', 'route'],
      cardinalityLimit: 2,
      buckets: { boundaries: [0.25, 1] },
    },
  },
  slos: {
    orders: {
      description: 'Orders succeed',
      objective: 99,
      sli: { kind: 'availability', metric: 'shop.orders', bad: { outcome: ['error'] } },
    },
    errors: {
      description: 'Requests succeed',
      objective: 99,
      sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: ['error'] } },
    },
    'checkout-errors': {
      description: 'Checkouts succeed',
      objective: 99,
      sli: {
        kind: 'availability',
        metric: 'shop.requests',
        where: { route: ['/checkout'] },
        bad: { outcome: ['error'] },
      },
    },
    'checkout-latency': {
      description: 'Checkouts are fast',
      objective: 99,
      sli: { kind: 'latency', histogram: 'shop.duration', threshold: 0.25, where: { route: ['/checkout'] } },
    },
  },
} as const satisfies TelemetrySpec;

const TENANTS = Array.from({ length: 10 }, (_, i) => `t${i}`);

/**
 * One minute of traffic. t0 (the first series, kept under the limit) is clean; t1..t9 (past the
 * limit) fail 2 in 10 checkouts and 1 in 10 browses, and 4 in 10 checkouts are slow.
 */
function minuteOfTraffic(metrics: ReturnType<typeof createMetrics<typeof spec>>): void {
  const requests = metrics.counter('shop.requests');
  const duration = metrics.histogram('shop.duration');
  const orders = metrics.counter('shop.orders');
  for (const tenant of TENANTS) {
    // Every tenant at 10% errors (the rules read 0.01).
    orders.add(9, { tenant, outcome: 'ok' });
    orders.add(1, { tenant, outcome: 'error' });
    const clean = tenant === 't0';
    requests.add(clean ? 10 : 8, { tenant, route: '/checkout', outcome: 'ok' });
    requests.add(clean ? 10 : 9, { tenant, route: '/browse', outcome: 'ok' });
    if (!clean) {
      requests.add(2, { tenant, route: '/checkout', outcome: 'error' });
      requests.add(1, { tenant, route: '/browse', outcome: 'error' });
    }
    for (let i = 0; i < 10; i++) {
      duration.record(clean || i < 6 ? 0.1 : 0.5, { tenant, route: '/checkout' });
      duration.record(0.1, { tenant, route: '/browse' });
    }
  }
}

/** The 5m error ratios of all events, as the engine reads them (per minute: 200 requests, 100 orders). */
const EXPECTED: Record<keyof typeof spec.slos, number> = {
  orders: 0.1,
  errors: 27 / 200,
  'checkout-errors': 18 / 100,
  'checkout-latency': 36 / 100,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-slo-overflow-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('regression: under cardinality overflow the rules counted overflowed errors as good', () => {
  it('the rules read the same 5m error ratios as the engine over the series /metrics writes', async () => {
    let now = 0;
    const engine = createSloEngine(spec, { now: () => now });
    const metrics = createMetrics(spec, { listeners: engine.listeners, now: () => now });
    // Prometheus' view: the SLI series of /metrics at every minute mark.
    const samples = new Map<string, (number | undefined)[]>();
    const scrape = (minute: number) => {
      for (const line of metrics.serialize().body.split('\n')) {
        const match =
          /^((?:shop_requests_total|shop_orders_total|shop_duration_seconds_(?:bucket|count))(?:\{[^}]*\})?) (\S+)$/.exec(
            line,
          );
        if (match === null) continue;
        const values = samples.get(match[1]!) ?? [];
        values[minute] = Number(match[2]);
        samples.set(match[1]!, values);
      }
    };
    for (let minute = 1; minute <= MINUTES; minute++) {
      now = minute * MINUTE - 1;
      minuteOfTraffic(metrics);
      scrape(minute);
    }
    const body = metrics.serialize().body;
    expect(body, 'the instruments overflowed').toContain(
      'plumbline_metrics_overflow_total{metric="shop.requests"}',
    );
    expect(body).not.toContain('plumbline_metrics_overflow_total{metric="shop.requests"} 0\n');

    const rules = generatePrometheusRules(spec);
    await writeFile(join(dir, 'shop-slo.rules.yaml'), rules);
    await writeFile(
      join(dir, 'overflow.test.yaml'),
      stringify({
        rule_files: ['shop-slo.rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            name: 'the rules over the series /metrics writes',
            interval: '1m',
            input_series: [...samples].map(([series, values]) => ({
              series,
              // Minute 0: every series at 0, as a scrape just before its first measurement.
              values: ['0', ...Array.from({ length: MINUTES }, (_, i) => String(values[i + 1] ?? '_'))].join(
                ' ',
              ),
            })),
            // Rounded to 9 digits: promtool compares floats exactly.
            promql_expr_test: Object.keys(EXPECTED).map((slo) => ({
              expr: `round(1e9 * plumbline_slo:error_ratio:rate5m{slo="${slo}"})`,
              eval_time: `${MINUTES}m`,
              exp_samples: [
                {
                  labels: `{service="shop",slo="${slo}"}`,
                  value: Math.round(1e9 * EXPECTED[slo as keyof typeof EXPECTED]),
                },
              ],
            })),
          },
        ],
      }),
    );
    const { stdout, stderr } = await promisify(execFile)(
      peerBinary('promtool'),
      ['test', 'rules', 'overflow.test.yaml'],
      { cwd: dir },
    ).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }));

    const ratios = Object.fromEntries(
      engine
        .status(MINUTES * MINUTE)
        .map((s) => [s.slo, s.windows.find((w) => w.window === '5m')!.errorRatio]),
    );
    expect(ratios, "the engine's 5m error ratios").toEqual(
      Object.fromEntries(Object.entries(EXPECTED).map(([slo, ratio]) => [slo, expect.closeTo(ratio, 12)])),
    );
    expect(stdout + stderr, "the rules read the engine's ratios").toContain('SUCCESS');
  });
});
