import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePrometheusRules } from '../../src/generate/rules/prometheus-rules.js';
import { generatePromtoolTests } from '../../src/generate/rules/promtool-tests.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { checkoutSpec } from '../fixtures/slo/checkout-spec.js';
import { variantSpec } from '../fixtures/slo/variant-spec.js';

const golden = new URL('../fixtures/slo/golden/', import.meta.url);

/** Compares with the committed file (.golden: prettier leaves it alone); UPDATE_GOLDEN=1 rewrites it. */
async function expectGolden(name: string, text: string): Promise<void> {
  const file = new URL(name, golden);
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, text);
  expect(text).toBe(await readFile(file, 'utf8'));
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
    await expectGolden('checkout-slo.test.yaml.golden', generatePromtoolTests(checkoutSpec));
    await expectGolden('ledger-slo.rules.yaml.golden', generatePrometheusRules(variantSpec));
    await expectGolden('ledger-slo.test.yaml.golden', generatePromtoolTests(variantSpec));
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
    const tests = parse(generatePromtoolTests(checkoutSpec)) as {
      tests: {
        name: string;
        alert_rule_test: { alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }[];
      }[];
    };
    const firing = (name: string) =>
      tests.tests
        .find((t) => t.name === name)!
        .alert_rule_test.flatMap((a) => a.exp_alerts.map((e) => `${e.exp_labels.slo}/${e.exp_labels.tier}`));
    expect(firing('checkout-availability: page-fast burn fires page, faster tiers stay quiet')).toContain(
      'checkout-availability/page-fast',
    );
    const ticket = firing('checkout-availability: ticket-fast burn fires ticket, faster tiers stay quiet');
    expect(ticket).toEqual(['checkout-availability/ticket-fast', 'checkout-availability/ticket-slow']);
    expect(firing('checkout-availability: healthy, no alert')).toEqual([]);
    expect(firing('checkout-availability: low traffic, 9 failed requests, no alert')).toEqual([]);
    expect(firing('no data: the absent-data alert fires for every SLO')).toEqual([
      'checkout-availability/absent',
      'checkout-latency/absent',
    ]);
  });
});
