import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePrometheusRules } from '../../src/generate/rules/prometheus-rules.js';
import { generatePromtoolFiles, promtoolDir } from '../../src/generate/rules/promtool-tests.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { TELEMETRY_DROPPED, TELEMETRY_EXPORTED } from '../../src/telemetry/pipeline-metrics.js';
import { checkoutSpec } from '../fixtures/slo/checkout-spec.js';
import { pipelineSpec } from '../fixtures/slo/pipeline-spec.js';
import { variantSpec } from '../fixtures/slo/variant-spec.js';

const golden = new URL('../fixtures/slo/golden/', import.meta.url);

/** Compares with the committed file (.golden: prettier leaves it alone); UPDATE_GOLDEN=1 rewrites it. */
async function expectGolden(name: string, text: string): Promise<void> {
  const file = new URL(name, golden);
  if (process.env.UPDATE_GOLDEN === '1') {
    await mkdir(new URL('.', file), { recursive: true });
    await writeFile(file, text);
  }
  expect(text).toBe(await readFile(file, 'utf8'));
}

/** The per-SLO promtool files against golden/promtool/<service>-slo/, no file more or less. */
async function expectPromtoolGolden(spec: TelemetrySpec): Promise<void> {
  const files = generatePromtoolFiles(spec);
  for (const [path, text] of Object.entries(files)) await expectGolden(`${path}.golden`, text);
  const committed = await readdir(new URL(`${promtoolDir(spec)}/`, golden));
  expect(committed.sort()).toEqual(
    Object.keys(files)
      .map((path) => `${path.slice(promtoolDir(spec).length + 1)}.golden`)
      .sort(),
  );
}

/** Every test group of the spec's promtool files. */
function promtoolTests<Test>(spec: TelemetrySpec): Test[] {
  return Object.entries(generatePromtoolFiles(spec))
    .filter(([path]) => path.endsWith('.test.yaml'))
    .flatMap(([, text]) => (parse(text) as { tests: Test[] }).tests);
}

interface RuleFile {
  groups: {
    name: string;
    rules: {
      record?: string;
      alert?: string;
      expr: string;
      labels: Record<string, string>;
      annotations?: Record<string, string>;
    }[];
  }[];
}

describe('generatePrometheusRules', () => {
  it('matches the committed rules and promtool tests (golden)', async () => {
    await expectGolden('checkout-slo.rules.yaml.golden', generatePrometheusRules(checkoutSpec));
    await expectPromtoolGolden(checkoutSpec);
    await expectGolden('ledger-slo.rules.yaml.golden', generatePrometheusRules(variantSpec));
    await expectPromtoolGolden(variantSpec);
    await expectGolden('relay-slo.rules.yaml.golden', generatePrometheusRules(pipelineSpec));
    await expectPromtoolGolden(pipelineSpec);
  });

  it('is deterministic', () => {
    expect(generatePrometheusRules(checkoutSpec)).toBe(
      generatePrometheusRules(structuredClone(checkoutSpec) as TelemetrySpec),
    );
  });

  it('reads the series the exposition writes', () => {
    const rules = parse(generatePrometheusRules(checkoutSpec)) as RuleFile;
    const [availability, latency] = rules.groups;
    const ratio5m = availability!.rules.find((r) => r.record === 'plumbline_slo:error_ratio:rate5m')!;
    expect(ratio5m.expr).toContain('http_server_requests_total{outcome=~"error|timeout"}[5m]');
    expect(ratio5m.labels).toEqual({ service: 'checkout', slo: 'checkout-availability' });
    const latencyRatio = latency!.rules.find((r) => r.record === 'plumbline_slo:error_ratio:rate1h')!;
    expect(latencyRatio.expr).toContain('http_server_duration_seconds_bucket{le="0.25"}[1h]');
    expect(latencyRatio.expr).toContain('http_server_duration_seconds_count[1h]');
  });

  it('reads a pipeline SLI from the SDK export counters /metrics writes, by signal', () => {
    const rules = parse(generatePrometheusRules(pipelineSpec)) as RuleFile;
    const [all, spans] = rules.groups;
    const ratio = (group: RuleFile['groups'][number], window: string) =>
      group.rules.find((r) => r.record === `plumbline_slo:error_ratio:rate${window}`)!.expr;
    // The names the SDK registers its counters under: what a scrape of /metrics returns. Each
    // sum defaults to 0, so the ratio reads before the first drop (no dropped series yet).
    const all5m = (name: string) =>
      `(sum(rate(${name}{signal=~"span|log_record|metric_batch"}[5m])) or vector(0))`;
    expect(ratio(all!, '5m')).toBe(
      `${all5m(TELEMETRY_DROPPED)} / clamp_min(${all5m(TELEMETRY_EXPORTED)} + ${all5m(TELEMETRY_DROPPED)}, 1e-300)`,
    );
    const span1h = (name: string) => `(sum(rate(${name}{signal="span"}[1h])) or vector(0))`;
    expect(ratio(spans!, '1h')).toBe(
      `${span1h(TELEMETRY_DROPPED)} / clamp_min(${span1h(TELEMETRY_EXPORTED)} + ${span1h(TELEMETRY_DROPPED)}, 1e-300)`,
    );
    const events = all!.rules.find((r) => r.record === 'plumbline_slo:events:increase1h')!;
    const all1h = (name: string) =>
      `(sum(increase(${name}{signal=~"span|log_record|metric_batch"}[1h])) or vector(0))`;
    expect(events.expr).toBe(`${all1h(TELEMETRY_EXPORTED)} + ${all1h(TELEMETRY_DROPPED)}`);
    const absent = all!.rules.find((r) => r.alert === 'SLODataAbsent')!;
    const present = (name: string) => `sum(${name}{signal=~"span|log_record|metric_batch"})`;
    expect(absent.expr).toBe(`absent(${present(TELEMETRY_EXPORTED)} or ${present(TELEMETRY_DROPPED)})`);
    // Extra matchers (a job) go on every series, before the signal.
    const scoped = parse(
      generatePrometheusRules(pipelineSpec, { seriesMatchers: { job: ['relay'] } }),
    ) as RuleFile;
    expect(ratio(scoped.groups[1]!, '5m')).toContain(`${TELEMETRY_DROPPED}{job="relay",signal="span"}[5m]`);
  });

  it('writes pipeline fixtures whose good and bad events sit on the exported and dropped counters', () => {
    const tests = promtoolTests<{ name: string; input_series: { series: string }[] }>(pipelineSpec);
    const burn = tests.find(
      (t) => t.name === 'telemetry-export: page-fast burn fires page, faster tiers stay quiet',
    )!;
    expect(burn.input_series.map((s) => s.series).sort()).toEqual([
      `${TELEMETRY_DROPPED}{signal="span"}`,
      `${TELEMETRY_EXPORTED}{signal="span"}`,
    ]);
  });

  it('gives every alert the stable labels and plain-language annotations', () => {
    const rules = parse(
      generatePrometheusRules(checkoutSpec, { runbookBaseUrl: 'https://example.test/' }),
    ) as RuleFile;
    const alerts = rules.groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined));
    expect(alerts.map((a) => `${a.labels.slo}/${a.labels.tier}/${a.labels.severity}`)).toEqual([
      'checkout-availability/page-fast/page',
      'checkout-availability/page-slow/page',
      'checkout-availability/ticket-fast/ticket',
      'checkout-availability/ticket-slow/ticket',
      'checkout-availability/absent/ticket',
      'checkout-latency/page-fast/page',
      'checkout-latency/page-slow/page',
      'checkout-latency/ticket-fast/ticket',
      'checkout-latency/ticket-slow/ticket',
      'checkout-latency/absent/ticket',
    ]);
    const pageFast = alerts[0]!;
    expect(pageFast.expr).toContain('> (14.4 * 0.001)');
    expect(pageFast.expr).toContain(
      'plumbline_slo:events:increase1h{service="checkout",slo="checkout-availability"} >= 10',
    );
    expect(pageFast.annotations!.runbook_url).toBe(
      'https://example.test/docs/invariants.md#slo-checkout-availability',
    );
    expect(pageFast.annotations!.description).toContain('{{ printf "%.1f" $value }}x');
  });

  it('refuses a latency threshold that is not a bucket boundary', () => {
    const spec = {
      ...checkoutSpec,
      slos: {
        slow: {
          ...checkoutSpec.slos['checkout-latency'],
          sli: { kind: 'latency', histogram: 'http.server.duration', threshold: 0.3 },
        },
      },
    } as const;
    expect(() => generatePrometheusRules(spec)).toThrow(/0\.3 is not a bucket boundary/);
  });

  it('writes fixtures where a ticket-tier burn does not page and a fast burn does', () => {
    const tests = promtoolTests<{
      name: string;
      alert_rule_test: { alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }[];
    }>(checkoutSpec);
    const firing = (name: string) =>
      tests
        .find((t) => t.name === name)!
        .alert_rule_test.flatMap((a) => a.exp_alerts.map((e) => `${e.exp_labels.slo}/${e.exp_labels.tier}`));
    expect(firing('checkout-availability: page-fast burn fires page, faster tiers stay quiet')).toContain(
      'checkout-availability/page-fast',
    );
    const ticket = firing('checkout-availability: ticket-fast burn fires ticket, faster tiers stay quiet');
    expect(ticket).toEqual(['checkout-availability/ticket-fast', 'checkout-availability/ticket-slow']);
    expect(firing('checkout-availability: healthy, no alert')).toEqual([]);
    expect(firing('checkout-availability: low traffic, 9 bad events, no alert')).toEqual([]);
    expect(firing('checkout-availability: no data, the absent-data alert fires')).toEqual([
      'checkout-availability/absent',
    ]);
    expect(firing('checkout-latency: no data, the absent-data alert fires')).toEqual([
      'checkout-latency/absent',
    ]);
  });
});
