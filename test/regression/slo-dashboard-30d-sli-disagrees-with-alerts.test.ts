// Regression: the SLOs dashboard's "SLI over 30d" was `1 - avg_over_time(<5m error ratio>[30d])`,
// the mean of 5-minute ratios, while the burn-rate alerts' annotations ("% of the budget spent")
// and `plumbline slo evaluate` read the window's ratio of rates (bad over total events in 30d).
// Under uneven traffic the two differ: an SRE trial read 0.851 on the panel and 0.908 from
// `slo evaluate`. The panel now reads the recording rule of the SLO's own window, the series the
// alert annotations name, so the dashboard, the alerts and `slo evaluate` show one number.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { spec as blueprintSpec } from '../../examples/blueprint/telemetry.js';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { generatePrometheusRules, type RuleGroup } from '../../src/generate/rules/prometheus-rules.js';
import { resolveSpec } from '../../src/spec/model.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { dashboardSpec } from '../fixtures/dashboard-spec.js';

/** The generated rule file, as the generator describes its groups. */
type RuleFile = { groups: RuleGroup[] };

/** A selector as name + sorted matchers, so spacing and matcher order do not matter. */
function normalise(selector: string): string {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}$/.exec(selector.trim());
  if (match === null) throw new Error(`not a selector: ${selector}`);
  const matchers = match[2]!
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '')
    .sort();
  return `${match[1]}{${matchers.join(',')}}`;
}

/** Every vector selector with braces in an expression, normalised. */
function selectorsOf(expr: string): string[] {
  return [...expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*\{[^}]*\}/g)].map((m) => normalise(m[0]));
}

/**
 * Per SLO (its group's slo label), the series the burn-rate alerts' "budget spent" annotation
 * query divides by the budget: `100 * <series> / <budget>`, read from the generated rule file.
 */
function budgetSeriesBySlo(rules: RuleFile): Map<string, string> {
  const bySlo = new Map<string, string>();
  for (const group of rules.groups) {
    for (const rule of group.rules) {
      if (rule.alert === undefined || rule.annotations === undefined) continue;
      const slo = rule.labels['slo']!;
      for (const text of Object.values(rule.annotations)) {
        for (const query of text.matchAll(/query "((?:[^"\\]|\\.)*)"/g)) {
          const promql = query[1]!.replace(/\\(.)/g, '$1');
          const spent = /^100 \* (\S+\{[^}]*\}) \/ [0-9.e+-]+$/.exec(promql);
          if (spent === null) continue;
          const series = normalise(spent[1]!);
          expect(bySlo.get(slo) ?? series, `${slo}: every tier's annotation names one series`).toBe(series);
          bySlo.set(slo, series);
        }
      }
    }
  }
  return bySlo;
}

function sliPanelExprs(spec: TelemetrySpec): Map<string, string> {
  const [, text] = [...renderDashboards(spec)].find(([name]) => name.endsWith('-slos.json'))!;
  const panels = (JSON.parse(text) as { panels: { title: string; targets?: { expr?: string }[] }[] }).panels;
  const exprs = new Map<string, string>();
  for (const slo of resolveSpec(spec).slos) {
    const panel = panels.find((p) => p.title === `${slo.name}: SLI over ${slo.window}`);
    expect(panel, `${slo.name}: SLI panel`).toBeDefined();
    expect(panel!.targets).toHaveLength(1);
    exprs.set(slo.name, panel!.targets![0]!.expr!);
  }
  return exprs;
}

// The blueprint's 30d SLOs, the fixture's 28d latency SLO, and a 7d window.
const weekly: TelemetrySpec = {
  ...dashboardSpec,
  slos: { availability: { ...dashboardSpec.slos.availability, window: '7d' } },
};

describe("the SLOs dashboard's SLI over the window reads what the alerts read", () => {
  it.each([
    ['the blueprint', blueprintSpec as TelemetrySpec],
    ['the fixture (28d latency SLO)', dashboardSpec as TelemetrySpec],
    ['a 7d SLO', weekly],
  ])('%s: the SLI panel names the series of the alert annotations, a recorded ratio', (_name, spec) => {
    const rules = parse(generatePrometheusRules(spec)) as RuleFile;
    const budgetSeries = budgetSeriesBySlo(rules);
    const exprs = sliPanelExprs(spec);
    const slos = resolveSpec(spec).slos.filter((slo) => slo.tiers.length > 0);
    expect(slos.length).toBeGreaterThan(0);
    for (const slo of slos) {
      const series = budgetSeries.get(slo.name);
      expect(series, `${slo.name}: the alerts' budget-spent series`).toBeDefined();
      // The series is a recording rule of this SLO's group in the generated rule file.
      const name = series!.slice(0, series!.indexOf('{'));
      const group = rules.groups.find((g) => g.rules.some((r) => r.labels['slo'] === slo.name))!;
      expect(
        group.rules.some((r) => r.record === name),
        `${slo.name}: ${name} is recorded`,
      ).toBe(true);
      const expr = exprs.get(slo.name)!;
      expect(selectorsOf(expr), `${slo.name}: ${expr}`).toEqual([series]);
      expect(expr, `${slo.name}: no mean of short-window ratios`).not.toMatch(/_over_time\(/);
      // Good share = 1 - that ratio, nothing else.
      expect(normalise(expr.replace(/^\s*1\s*-\s*/, '')), `${slo.name}: ${expr}`).toBe(series);
    }
  });
});
