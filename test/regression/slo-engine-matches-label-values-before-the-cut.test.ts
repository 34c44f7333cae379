// Regression (SLO review): since label values are cut to labelValueLengthLimit (default 2048
// UTF-8 bytes) where a series is looked up, the generated rules read the cut value while the
// in-process engine matched the raw one. A value past the limit could then be bad for one and
// good for the other: a suffix pattern (`*.internal`) matched the raw value and not the cut one,
// and a raw value whose cut form is a listed value was bad for the rules only (engine 5m ratios
// 0.5 and 0, rules 0 and 0.5). And a match value longer than the limit was accepted though no
// series can ever carry it. The engine now reads a value as the series is labelled (cut), the
// spec check refuses a match value longer than the default limit, and createMetrics refuses a
// labelValueLengthLimit shorter than a match value of an SLO on that instrument. Alike, /metrics
// writes a lone surrogate as U+FFFD, which the engine did not: a match value with either is now
// refused (no label value carries a lone surrogate, and PromQL refuses a raw U+FFFD as an
// "invalid UTF-8 rune", so such a value's rules file did not even load).
// Real parts: the series /metrics writes, fed to the generated rules in promtool.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generatePrometheusRules } from '../../src/generate/rules/prometheus-rules.js';
import { createMetrics, MetricsOptionsError } from '../../src/metrics/create-metrics.js';
import { createSloEngine, SloEngineOptionsError } from '../../src/slo/engine.js';
import { specIssues } from '../../src/spec/validate.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { peerBinary } from '../support/peers.js';

const MINUTE = 60_000;
const MINUTES = 10;
/** A listed value of 2047 bytes: a raw value of it and more is cut to it ("é" is 2 bytes). */
const LONG_CODE = `${'c'.repeat(2045)}é`;

const spec = {
  service: { name: 'edge' },
  events: {},
  counters: {
    'edge.requests': { description: 'Requests.', attributes: ['host', 'outcome', 'code'] },
  },
  slos: {
    internal: {
      description: 'Internal requests succeed',
      objective: 99,
      sli: {
        kind: 'availability',
        metric: 'edge.requests',
        where: { host: ['*.internal'] },
        bad: { outcome: ['error'] },
      },
    },
    'long-code': {
      description: 'No request fails with the long code',
      objective: 99,
      sli: { kind: 'availability', metric: 'edge.requests', bad: { code: [LONG_CODE] } },
    },
  },
} as const satisfies TelemetrySpec;

/** Each minute's requests: a host name past the limit, and a code whose cut form is LONG_CODE. */
const LONG_HOST = `${'h'.repeat(3000)}.internal`;
const TRAFFIC: [Record<string, string>, number][] = [
  [{ host: 'a.internal', outcome: 'ok' }, 10],
  [{ host: LONG_HOST, outcome: 'error' }, 10],
  [{ host: 'b.public', outcome: 'ok', code: `${LONG_CODE}éé` }, 20],
];

/** The 5m error ratios as the rules read the series /metrics writes (40 requests a minute). */
const EXPECTED: Record<keyof typeof spec.slos, number> = {
  // LONG_HOST is cut before ".internal": not in the where.
  internal: 0,
  'long-code': 20 / 40,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-slo-cut-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('regression: the engine matched label values before the length cut', () => {
  it('reads the same 5m error ratios as the rules over the series /metrics writes', async () => {
    let now = 0;
    const engine = createSloEngine(spec, { now: () => now });
    const metrics = createMetrics(spec, { listeners: engine.listeners });
    const counter = metrics.counter('edge.requests');
    const samples = new Map<string, (number | undefined)[]>();
    const scrape = (minute: number) => {
      for (const line of metrics.serialize().body.split('\n')) {
        const match = /^(edge_requests_total(?:\{[^}]*\})?) (\S+)$/.exec(line);
        if (match === null) continue;
        const values = samples.get(match[1]!) ?? [];
        values[minute] = Number(match[2]);
        samples.set(match[1]!, values);
      }
    };
    for (let minute = 1; minute <= MINUTES; minute++) {
      now = minute * MINUTE - 1;
      for (const [attributes, count] of TRAFFIC) counter.add(count, attributes);
      scrape(minute);
    }
    expect(samples.size).toBe(TRAFFIC.length);

    await writeFile(join(dir, 'edge-slo.rules.yaml'), generatePrometheusRules(spec));
    await writeFile(
      join(dir, 'cut.test.yaml'),
      stringify({
        rule_files: ['edge-slo.rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            name: 'the rules over the series /metrics writes',
            interval: '1m',
            input_series: [...samples].map(([series, values]) => ({
              series,
              values: ['0', ...Array.from({ length: MINUTES }, (_, i) => String(values[i + 1] ?? '_'))].join(
                ' ',
              ),
            })),
            promql_expr_test: Object.entries(EXPECTED).map(([slo, ratio]) => ({
              expr: `round(1e9 * plumbline_slo:error_ratio:rate5m{slo="${slo}"})`,
              eval_time: `${MINUTES}m`,
              exp_samples: [{ labels: `{service="edge",slo="${slo}"}`, value: Math.round(1e9 * ratio) }],
            })),
          },
        ],
      }),
    );
    const { stdout, stderr } = await promisify(execFile)(
      peerBinary('promtool'),
      ['test', 'rules', 'cut.test.yaml'],
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

  it('refuses a match value no label value can be, naming the field', () => {
    const tooLong = 'x'.repeat(2049);
    const issues = specIssues({
      ...spec,
      slos: {
        long: {
          description: 'x',
          objective: 99,
          sli: {
            kind: 'availability',
            metric: 'edge.requests',
            where: { outcome: ['a\uDC00b'], host: ['*\uFFFD'] },
            bad: { code: ['500', tooLong] },
          },
        },
      },
    });
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'slos.long.sli.bad.code[1]',
        message: expect.stringContaining('2049 UTF-8 bytes'),
      }),
      expect.objectContaining({
        path: 'slos.long.sli.where.outcome[0]',
        message: expect.stringContaining('lone surrogate'),
      }),
      expect.objectContaining({
        path: 'slos.long.sli.where.host[0]',
        message: expect.stringContaining('U+FFFD'),
      }),
    ]);
  });

  it('refuses a labelValueLengthLimit shorter than an SLO match value, in createMetrics and the engine', () => {
    const build = () => createMetrics(spec, { labelValueLengthLimit: 100 });
    expect(build).toThrow(MetricsOptionsError);
    expect(build).toThrow(/labelValueLengthLimit.*slos\["long-code"\]\.sli\.bad\.code/s);
    expect(() => createMetrics(spec, { labelValueLengthLimit: 2047 })).not.toThrow();
    expect(() => createSloEngine(spec, { labelValueLengthLimit: 100 })).toThrow(SloEngineOptionsError);
    expect(() => createSloEngine(spec, { labelValueLengthLimit: 0 })).toThrow(/labelValueLengthLimit/);
  });
});
