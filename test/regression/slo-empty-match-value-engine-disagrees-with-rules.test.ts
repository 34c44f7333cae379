// Regression (SLO review): the in-process engine and the generated rules disagreed on an empty
// match value. In PromQL `outcome=""` also selects the series without the label (Prometheus
// reads an empty label as an absent one, and /metrics leaves an absent or empty attribute out),
// but the engine required the attribute to be there: with bad: { outcome: [''] } and events
// without an outcome, the engine's 5m error ratio read 0 where the rule read 0.6494. The engine
// now reads an absent attribute as "", as the exposition writes it and PromQL matches it.
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
  counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome', 'http.route'] } },
  slos: {
    'no-outcome': {
      description: 'Requests say how they went',
      objective: 99,
      sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: [''] } },
    },
    'no-outcome-or-error': {
      description: 'Requests succeed and say so',
      objective: 99,
      sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: ['', 'error'] } },
    },
    'no-outcome-or-err-pattern': {
      description: 'Requests succeed and say so',
      objective: 99,
      sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: ['', 'err*'] } },
    },
    unrouted: {
      description: 'Requests outside the router succeed',
      objective: 99,
      sli: {
        kind: 'availability',
        metric: 'shop.requests',
        where: { 'http.route': [''] },
        bad: { outcome: ['error'] },
      },
    },
  },
} as const satisfies TelemetrySpec;

/** Each minute's requests: attributes as the app records them, and how many. */
const TRAFFIC: [Record<string, string | number | null>, number][] = [
  [{}, 30],
  [{ outcome: 'error' }, 20],
  [{ outcome: 'ok' }, 40],
  [{ outcome: 'ok', 'http.route': '/a' }, 10],
  [{ outcome: '', 'http.route': '/a' }, 5],
];

/** The 5m error ratio of each SLO under TRAFFIC (105 requests a minute), as PromQL reads it. */
const EXPECTED: Record<keyof typeof spec.slos, number> = {
  'no-outcome': 35 / 105,
  'no-outcome-or-error': 55 / 105,
  'no-outcome-or-err-pattern': 55 / 105,
  unrouted: 20 / 90,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-slo-empty-value-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('regression: the engine and the rules disagree on an empty-string match value', () => {
  it('the engine reads the same 5m error ratios as the rules over the series /metrics writes', async () => {
    let now = 0;
    const engine = createSloEngine(spec, { now: () => now });
    const metrics = createMetrics(spec, { listeners: engine.listeners });
    const counter = metrics.counter('shop.requests');
    // Prometheus' view: the counter lines of /metrics at every minute mark.
    const samples = new Map<string, (number | undefined)[]>();
    const scrape = (minute: number) => {
      for (const line of metrics.serialize().body.split('\n')) {
        const match = /^(shop_requests_total(?:\{[^}]*\})?) (\S+)$/.exec(line);
        if (match === null) continue;
        const values = samples.get(match[1]!) ?? [];
        values[minute] = Number(match[2]);
        samples.set(match[1]!, values);
      }
    };
    scrape(0);
    for (let minute = 1; minute <= MINUTES; minute++) {
      now = minute * MINUTE - 1;
      for (const [attributes, count] of TRAFFIC) counter.add(count, attributes as Record<string, string>);
      scrape(minute);
    }
    expect(samples.size, [...samples.keys()].join('\n')).toBe(TRAFFIC.length);

    const rules = generatePrometheusRules(spec);
    await writeFile(join(dir, 'shop-slo.rules.yaml'), rules);
    await writeFile(
      join(dir, 'empty-value.test.yaml'),
      stringify({
        rule_files: ['shop-slo.rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            name: 'the rules over the series /metrics writes',
            interval: '1m',
            input_series: [...samples].map(([series, values]) => ({
              series,
              values: Array.from({ length: MINUTES + 1 }, (_, i) => values[i] ?? '_').join(' '),
            })),
            // Rounded to 9 digits: promtool compares floats exactly, and PromQL's sum of rates
            // need not be the last bit of 35 / 105.
            promql_expr_test: Object.entries(EXPECTED).map(([slo, ratio]) => ({
              expr: `round(1e9 * plumbline_slo:error_ratio:rate5m{slo="${slo}"})`,
              eval_time: `${MINUTES}m`,
              exp_samples: [{ labels: `{service="shop",slo="${slo}"}`, value: Math.round(1e9 * ratio) }],
            })),
          },
        ],
      }),
    );
    const { stdout, stderr } = await promisify(execFile)(
      peerBinary('promtool'),
      ['test', 'rules', 'empty-value.test.yaml'],
      { cwd: dir },
    ).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }));
    expect(stdout + stderr, 'the rules read the expected ratios').toContain('SUCCESS');

    const ratios = Object.fromEntries(
      engine
        .status(MINUTES * MINUTE)
        .map((s) => [s.slo, s.windows.find((w) => w.window === '5m')!.errorRatio]),
    );
    expect(ratios, "the engine's 5m error ratios (expected: the rules')").toEqual(
      Object.fromEntries(Object.entries(EXPECTED).map(([slo, ratio]) => [slo, expect.closeTo(ratio, 12)])),
    );
  });

  it('reads a null attribute as absent too, as /metrics does', () => {
    const engine = createSloEngine(spec, { now: () => 0 });
    const listener = engine.listeners.counters!['shop.requests']!;
    for (const l of listener) {
      l(3, { outcome: null });
      l(1, { outcome: 'ok' });
    }
    const status = engine.status(0).find((s) => s.slo === 'no-outcome')!;
    expect(status.windows[0]!.errorRatio).toBe(0.75);
  });
});
