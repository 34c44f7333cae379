// grafana/dashboard-linter's documented rules, implemented over the generated JSON (the Go
// linter is not installable here), plus a PromQL parse check of every expression with promtool.
// Rule texts: github.com/grafana/dashboard-linter docs/index.md and lint/rule_*.go.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { spec as blueprintSpec } from '../../examples/blueprint/telemetry.js';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { metricCatalogue } from '../../src/generate/invariants/monitors.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { dashboardSpec } from '../fixtures/dashboard-spec.js';
import { peerBinary } from '../support/peers.js';

const PROMTOOL = peerBinary('promtool');

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  type: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  fieldConfig?: { defaults?: { unit?: string; mappings?: unknown[] } };
}
interface Variable {
  name: string;
  type: string;
  label?: string;
  query?: string;
  datasource?: { uid?: string };
  multi?: boolean;
  allValue?: string;
  refresh?: number;
}
interface Dashboard {
  title: string;
  editable?: boolean;
  panels: Panel[];
  templating: { list: Variable[] };
}
interface Exclusions {
  exclusions: Record<string, { reason: string; entries: { dashboard: string; panel: string }[] }>;
}

// panel-units-rule's list (lint/rule_panel_units.go), the part a telemetry dashboard can use.
const VALID_UNITS = new Set([
  'none',
  'short',
  'percent',
  'percentunit',
  'bytes',
  'decbytes',
  'kbytes',
  'mbytes',
  'Bps',
  'KiBs',
  'MiBs',
  'ns',
  'µs',
  'ms',
  's',
  'm',
  'h',
  'd',
  'cps',
  'ops',
  'reqps',
  'rps',
  'bool',
  'bool_yes_no',
  'bool_on_off',
]);
// Panel types the linter's panel rules look at.
const LINTED_PANEL_TYPES = new Set(['stat', 'singlestat', 'graph', 'table-old', 'timeseries', 'gauge']);
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OPERATOR_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2']);
// Aggregation operators may be followed by a by/without clause before their parenthesis.
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
]);

interface Selector {
  metric: string;
  matchers: string;
  /** Text right after the closing brace, e.g. "[$__rate_interval]))". */
  after: string;
  /** Text right before the metric name. */
  before: string;
}

/** Vector selectors of a PromQL expression: metric names outside strings, braces, ranges and label lists. */
export function selectors(expr: string): Selector[] {
  const found: Selector[] = [];
  let index = 0;
  while (index < expr.length) {
    const char = expr[index]!;
    if (char === '"') {
      index = expr.indexOf('"', index + 1) + 1;
      continue;
    }
    if (char === '[') {
      index = expr.indexOf(']', index) + 1;
      continue;
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(index));
    if (ident === null || (index > 0 && /[0-9.]/.test(expr[index - 1]!))) {
      index += 1;
      continue;
    }
    const name = ident[0];
    let next = index + name.length;
    while (expr[next] === ' ') next += 1;
    if (LABEL_LIST_KEYWORDS.has(name)) {
      index = expr.indexOf(')', next) + 1;
      continue;
    }
    if (expr[next] === '(' || OPERATOR_KEYWORDS.has(name) || AGGREGATIONS.has(name)) {
      index = next;
      continue;
    }
    let matchers = '';
    let end = next;
    if (expr[next] === '{') {
      end = next + 1;
      while (end < expr.length && expr[end] !== '}') {
        if (expr[end] === '"') end = expr.indexOf('"', end + 1);
        end += 1;
      }
      matchers = expr.slice(next + 1, end);
      end += 1;
    }
    found.push({ metric: name, matchers, after: expr.slice(end), before: expr.slice(0, index) });
    index = end;
  }
  return found;
}

/** Range arguments of every rate()/irate() call. */
function rateRanges(expr: string): string[] {
  const ranges: string[] = [];
  for (const match of expr.matchAll(/(?<![a-zA-Z_])i?rate\(/g)) {
    let depth = 1;
    let at = match.index + match[0].length;
    let range: string | undefined;
    while (at < expr.length && depth > 0) {
      const char = expr[at]!;
      if (char === '"') at = expr.indexOf('"', at + 1);
      else if (char === '(') depth += 1;
      else if (char === ')') depth -= 1;
      else if (char === '[' && depth === 1 && range === undefined)
        range = expr.slice(at + 1, expr.indexOf(']', at));
      at += 1;
    }
    ranges.push(range ?? '<none>');
  }
  return ranges;
}

function lintDashboard(dashboard: Dashboard, exclusions: Exclusions): string[] {
  const problems: string[] = [];
  const excluded = (rule: string, panel: Panel): boolean =>
    exclusions.exclusions[rule]?.entries.some(
      (e) => e.dashboard === dashboard.title && e.panel === panel.title,
    ) ?? false;
  const report = (rule: string, what: string): void => {
    problems.push(`${rule}: ${dashboard.title}: ${what}`);
  };
  const variables = dashboard.templating.list;

  // template-datasource-rule
  const datasourceVariables = variables.filter((v) => v.type === 'datasource');
  if (datasourceVariables.length === 0) report('template-datasource-rule', 'no templated datasource');
  for (const variable of datasourceVariables) {
    const query = variable.query ?? '';
    const names = [
      `${query.toLowerCase()}_datasource`,
      ...(datasourceVariables.length === 1 ? ['datasource'] : []),
    ];
    if (!names.includes(variable.name))
      report('template-datasource-rule', `variable ${variable.name} should be ${names.join(' or ')}`);
    const label = `${query.charAt(0).toUpperCase()}${query.slice(1)} data source`;
    if (variable.label !== label)
      report('template-datasource-rule', `variable ${variable.name} should be labelled ${label}`);
  }
  const promDatasource = datasourceVariables.find((v) => v.query === 'prometheus');
  const templatedUids = new Set(datasourceVariables.flatMap((v) => [`$${v.name}`, `\${${v.name}}`]));

  if (promDatasource !== undefined) {
    // template-job-rule, template-instance-rule
    for (const [name, label] of [
      ['job', 'Job'],
      ['instance', 'Instance'],
    ] as const) {
      const variable = variables.find((v) => v.name === name);
      if (variable === undefined) {
        report(`template-${name}-rule`, `missing the ${name} variable`);
        continue;
      }
      if (!templatedUids.has(variable.datasource?.uid ?? ''))
        report(`template-${name}-rule`, `${name} must use the datasource variable`);
      if (variable.type !== 'query') report(`template-${name}-rule`, `${name} must be a query variable`);
      if (variable.label !== label) report(`template-${name}-rule`, `${name} must be labelled ${label}`);
      if (variable.multi !== true) report(`template-${name}-rule`, `${name} must be multi-select`);
      if (variable.allValue !== '.+') report(`template-${name}-rule`, `${name} allValue must be .+`);
    }
    // template-label-promql-rule
    for (const variable of variables.filter((v) => v.type === 'query')) {
      const match = /^([a-z_]+)\((.+)\)$/.exec(variable.query ?? '');
      if (match === null || !['label_names', 'label_values', 'metrics', 'query_result'].includes(match[1]!)) {
        report('template-label-promql-rule', `variable ${variable.name} query ${variable.query}`);
      }
    }
  }
  // template-on-time-change-reload-rule
  for (const variable of variables.filter((v) => v.type === 'query')) {
    if (variable.refresh !== 2)
      report('template-on-time-change-reload-rule', `variable ${variable.name} refresh ${variable.refresh}`);
  }
  // uneditable-dashboard
  if (dashboard.editable !== false) report('uneditable-dashboard', 'is editable');
  // panel-title-unique-rule (plumbline's own; dashboard-linter has none): two panels titled
  // alike with different queries cannot be told apart, and docs and links name panels by title.
  const titles = new Set<string>();
  for (const panel of dashboard.panels) {
    if (panel.type === 'row') continue;
    if (titles.has(panel.title ?? '')) report('panel-title-unique-rule', `panel "${panel.title}" twice`);
    titles.add(panel.title ?? '');
  }

  for (const panel of dashboard.panels) {
    if (panel.type === 'row') continue;
    const where = `panel "${panel.title}"`;
    if (LINTED_PANEL_TYPES.has(panel.type)) {
      // panel-datasource-rule
      if (!templatedUids.has(panel.datasource?.uid ?? ''))
        report('panel-datasource-rule', `${where} datasource ${panel.datasource?.uid}`);
      // panel-title-description-rule
      if (!panel.title || !panel.description) report('panel-title-description-rule', where);
      // panel-no-targets-rule
      if ((panel.targets ?? []).length === 0) report('panel-no-targets-rule', where);
    }
    // panel-units-rule, held to every panel (our contract is "a unit on every panel").
    const unit = panel.fieldConfig?.defaults?.unit;
    if (unit === undefined || !VALID_UNITS.has(unit)) report('panel-units-rule', `${where} unit ${unit}`);

    for (const target of panel.targets ?? []) {
      if (!templatedUids.has(target.datasource?.uid ?? ''))
        report('panel-datasource-rule', `${where} target ${target.refId} datasource`);
      if (target.datasource?.type !== 'prometheus') continue;
      const expr = target.expr ?? '';
      if (expr === '') report('target-promql-rule', `${where} target ${target.refId} has no expr`);
      // target-rate-interval-rule
      for (const range of rateRanges(expr)) {
        if (range !== '$__rate_interval')
          report('target-rate-interval-rule', `${where}: rate over [${range}] in ${expr}`);
      }
      for (const selector of selectors(expr)) {
        // target-job-rule, target-instance-rule
        for (const label of ['job', 'instance']) {
          const rule = `target-${label}-rule`;
          if (!selector.matchers.includes(`${label}=~"$${label}"`) && !excluded(rule, panel)) {
            report(rule, `${where}: ${selector.metric} has no ${label}=~"$${label}"`);
          }
        }
        // target-counter-agg-rule
        if (
          selector.metric.endsWith('_total') &&
          !(/^\[[^\]]+\]/.test(selector.after) && /(?:^|[^a-z_])(?:i?rate|increase)\($/.test(selector.before))
        ) {
          report('target-counter-agg-rule', `${where}: ${selector.metric} is not under rate/irate/increase`);
        }
      }
    }
  }
  return problems;
}

function lintAll(spec: TelemetrySpec): string[] {
  const files = renderDashboards(spec);
  const exclusions = parse(files.get('.lint')!) as Exclusions;
  return [...files]
    .filter(([name]) => name.endsWith('.json'))
    .flatMap(([, text]) => lintDashboard(JSON.parse(text) as Dashboard, exclusions));
}

/** Every Prometheus expression of the dashboards, with Grafana variables given sample values. */
function promExpressions(spec: TelemetrySpec): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const [name, text] of renderDashboards(spec)) {
    if (!name.endsWith('.json')) continue;
    const dashboard = JSON.parse(text) as Dashboard;
    for (const variable of dashboard.templating.list) {
      const inner = /^label_values\((.+), *[a-zA-Z_]+\)$/.exec(variable.query ?? '');
      if (inner !== null) out.push({ where: `${name} variable ${variable.name}`, expr: inner[1]! });
    }
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        if (target.datasource?.type === 'prometheus')
          out.push({ where: `${name} "${panel.title}" ${target.refId}`, expr: target.expr! });
      }
    }
  }
  return out.map(({ where, expr }) => ({ where, expr: expr.replaceAll('$__rate_interval', '1m') }));
}

describe('dashboard lint (grafana/dashboard-linter rules)', () => {
  it.each([
    ['the blueprint spec', blueprintSpec as TelemetrySpec],
    ['the fixture spec', dashboardSpec as TelemetrySpec],
  ])('finds no problem in the dashboards of %s', (_name, spec) => {
    expect(lintAll(spec)).toEqual([]);
  });

  it('excludes only SLO recording-rule panels and collector panels from the job/instance rules, with reasons', () => {
    const exclusions = parse(renderDashboards(blueprintSpec).get('.lint')!) as Exclusions;
    expect(Object.keys(exclusions.exclusions).sort()).toEqual(['target-instance-rule', 'target-job-rule']);
    const dashboards = renderDashboards(blueprintSpec);
    const pipeline = JSON.parse(dashboards.get('blueprint-pipeline.json')!) as Dashboard;
    for (const rule of Object.values(exclusions.exclusions)) {
      expect(rule.reason).toMatch(/recording rules/);
      expect(rule.reason).toMatch(/collector_job and collector_instance/);
      expect(new Set(rule.entries.map((e) => e.dashboard))).toEqual(
        new Set(['blueprint: SLOs', 'blueprint: telemetry pipeline']),
      );
      // On the pipeline dashboard: exactly the panels whose every selector is a collector's,
      // scoped by the collector variables.
      const excluded = rule.entries
        .filter((e) => e.dashboard === 'blueprint: telemetry pipeline')
        .map((e) => e.panel);
      const collectorPanels = pipeline.panels
        .filter((p) => (p.targets ?? []).length > 0)
        .filter((p) =>
          p.targets!.every((t) =>
            selectors(t.expr ?? '').every((s) =>
              s.matchers.startsWith('job=~"$collector_job", instance=~"$collector_instance"'),
            ),
          ),
        )
        .map((p) => p.title);
      expect(excluded).toEqual(collectorPanels);
      expect(excluded.length).toBeGreaterThanOrEqual(8);
    }
  });

  it('catches what it is meant to catch', () => {
    const text = renderDashboards(dashboardSpec).get('blueprint-pipeline.json')!;
    const broken = JSON.parse(text) as Dashboard;
    const victim = broken.panels.find((p) => p.type === 'timeseries')!;
    delete victim.fieldConfig!.defaults!.unit;
    victim.description = '';
    victim.targets![0]!.expr =
      'sum(rate(otelcol_exporter_sent_spans_total{job=~"$job"}[5m])) + otelcol_exporter_sent_spans_total';
    broken.editable = true;
    broken.panels.push({ ...victim });
    const problems = lintDashboard(broken, { exclusions: {} }).map((p) => p.split(':')[0]);
    expect(new Set(problems)).toEqual(
      new Set([
        'panel-units-rule',
        'panel-title-description-rule',
        'target-rate-interval-rule',
        'target-instance-rule',
        'target-job-rule',
        'target-counter-agg-rule',
        'uneditable-dashboard',
        'panel-title-unique-rule',
      ]),
    );
  });

  it('finds the selectors of an expression', () => {
    expect(
      selectors(
        'sum by (le, route) (rate(a_bucket{job=~"$job", x="}"}[5m])) / on(route) b + 2 * max without (i) (c_total{})',
      ).map((s) => s.metric),
    ).toEqual(['a_bucket', 'b', 'c_total']);
  });
});

describe('dashboard PromQL', () => {
  it('names only metrics the spec, the SDK, the SLO rules or the collector produce (both specs)', () => {
    const unknown: string[] = [];
    for (const spec of [blueprintSpec, dashboardSpec]) {
      const catalogue = metricCatalogue(spec);
      for (const { where, expr } of promExpressions(spec)) {
        for (const { metric } of selectors(expr)) {
          if (!catalogue.has(metric)) unknown.push(`${where}: ${metric}`);
        }
      }
    }
    expect(unknown).toEqual([]);
  });

  it('parses with promtool (every target and variable expression of both specs)', async () => {
    const expressions = [...promExpressions(blueprintSpec), ...promExpressions(dashboardSpec)];
    expect(expressions.length).toBeGreaterThan(50);
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-dashboard-promql-'));
    try {
      const file = join(dir, 'exprs.rules.yaml');
      await writeFile(
        file,
        stringify({
          groups: [
            {
              name: 'dashboard-exprs',
              rules: expressions.map(({ expr }, i) => ({ record: `dashboard:expr:${i}`, expr })),
            },
          ],
        }),
      );
      const result = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
      if (result.error)
        throw new Error(
          `${PROMTOOL} did not run (bash scripts/peer.sh promtool builds it): ${result.error.message}`,
        );
      expect(result.stdout + result.stderr).toContain(`SUCCESS: ${expressions.length} rules found`);
      expect(result.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
