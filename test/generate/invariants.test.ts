// The invariants doc: committed file matches the generator; every alert's runbook_url lands on an
// invariant's anchor; every anchor is an invariant; every invariant names a monitor that the
// spec, the SDK exposition, the SLO rules or the collector really produces.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../examples/blueprint/config.js';
import { spec as blueprintSpec } from '../../examples/blueprint/telemetry.js';
import { collectorMetrics, scrapeUpMetric, sdkSelfMetrics } from '../../src/generate/pipeline-series.js';
import { buildDashboards } from '../../src/generate/dashboards/render.js';
import {
  anchorTag,
  explicitAnchors,
  githubSlug,
  headingSlugs,
  internalLinks,
} from '../../src/generate/invariants/anchors.js';
import { invariantsOf, renderInvariantsDoc, writeInvariantsDoc } from '../../src/generate/invariants/doc.js';
import { mentionsMetric } from '../../src/generate/invariants/monitors.js';
import { DEFAULT_RUNBOOK_BASE_URL, INVARIANTS_DOC_PATH } from '../../src/generate/invariants/options.js';
import blueprintDocOptions, {
  BLUEPRINT_DELIVERY,
  BLUEPRINT_LIMITS,
} from '../../examples/blueprint/invariants-doc.js';
import { pipelineAlertRules } from '../../src/generate/rules/pipeline-alerts.js';
import { generatePrometheusRules } from '../../src/generate/rules/prometheus-rules.js';
import { createMetrics, DROPPED_MEASUREMENTS, OVERFLOW_MEASUREMENTS } from '../../src/metrics/index.js';
import { loadSpecFile } from '../../src/spec/load.js';
import { prometheusBaseName, prometheusCounterName, sloSeries } from '../../src/spec/naming.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { TELEMETRY_DROPPED, TELEMETRY_EXPORTED } from '../../src/telemetry/pipeline-metrics.js';
import { dashboardSpec } from '../fixtures/dashboard-spec.js';

interface Rule {
  record?: string;
  alert?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Every rule of both rule files, read from the generators' own output. */
function allRules(spec: TelemetrySpec, base?: string): Rule[] {
  const slo = parse(generatePrometheusRules(spec, base === undefined ? {} : { runbookBaseUrl: base })) as {
    groups: { rules: Rule[] }[];
  };
  return [
    ...slo.groups.flatMap((group) => group.rules),
    ...pipelineAlertRules(base === undefined ? {} : { runbookBaseUrl: base }).map((rule) => ({
      alert: rule.alert,
      labels: { ...rule.labels },
      annotations: { ...rule.annotations },
    })),
  ];
}

/** The text of the section an explicit anchor opens (up to the next anchor). */
function section(doc: string, anchor: string): string {
  const start = doc.indexOf(anchorTag(anchor));
  expect(start, `no anchor ${anchor}`).toBeGreaterThanOrEqual(0);
  const next = doc.indexOf('<a id="', start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

/** Metric names known independently of the doc generator: naming.ts over the spec, the rules, the pipeline dashboard's list. */
function knownMetrics(spec: TelemetrySpec): Set<string> {
  const names = new Set<string>([
    ...Object.values(collectorMetrics),
    ...Object.values(sdkSelfMetrics),
    scrapeUpMetric,
    DROPPED_MEASUREMENTS,
    OVERFLOW_MEASUREMENTS,
    TELEMETRY_EXPORTED,
    TELEMETRY_DROPPED,
    sloSeries.burnRateGauge,
    sloSeries.errorBudgetRemainingGauge,
    sloSeries.alertFiringGauge,
  ]);
  for (const [name, h] of Object.entries(spec.histograms ?? {})) {
    for (const suffix of ['_bucket', '_sum', '_count']) names.add(prometheusBaseName(name, h.unit) + suffix);
  }
  for (const [name, c] of Object.entries(spec.counters ?? {})) names.add(prometheusCounterName(name, c.unit));
  for (const [name, g] of Object.entries(spec.gauges ?? {})) names.add(prometheusBaseName(name, g.unit));
  for (const rule of allRules(spec)) if (rule.record !== undefined) names.add(rule.record);
  return names;
}

const doc = renderInvariantsDoc(blueprintSpec, blueprintDocOptions);
const invariants = invariantsOf(blueprintSpec, blueprintDocOptions);

describe('docs/invariants.md', () => {
  it('matches the generator output for the blueprint spec (no drift)', async () => {
    const committed = await readFile(INVARIANTS_DOC_PATH, 'utf8');
    expect(committed, `${INVARIANTS_DOC_PATH} is stale: run \`plumbline generate docs\``).toBe(doc);
  });

  it('is what the CLI renders from the spec file with the blueprint doc options', async () => {
    expect(
      renderInvariantsDoc(await loadSpecFile('examples/blueprint/telemetry.ts'), blueprintDocOptions),
    ).toBe(doc);
  });

  it('quotes the values of examples/blueprint/blueprint.toml (the blueprint doc options are that file)', async () => {
    const config = await loadConfig('examples/blueprint/blueprint.toml');
    expect(BLUEPRINT_LIMITS).toEqual({
      tenants: config.tenants.map((t) => ({ name: t.name, queueBound: t.queueBound })),
      timeoutMs: config.ingress.timeoutMs,
      maxInFlight: config.ingress.maxInFlight,
      enrichmentBudgetMs: config.enrichment.budgetMs,
      minBatch: config.storage.minBatch,
      maxBatch: config.storage.maxBatch,
      maxWaitMs: config.storage.maxWaitMs,
    });
    for (const tenant of config.tenants) expect(doc).toContain(`${tenant.name} ${tenant.queueBound}`);
  });

  it('opens with the deploy and roll back section, before any invariant', () => {
    const firstHeading = doc.split('\n').find((line) => line.startsWith('## '));
    expect(firstHeading).toBe('## Deploy and roll back');
    const deploy = doc.slice(doc.indexOf('## Deploy and roll back'), doc.indexOf('<a id="'));
    for (const file of ['collector/agent.yaml', 'collector/gateway.yaml', 'collector/single.yaml']) {
      expect(deploy).toContain(file);
    }
    for (const path of [
      'dashboards/provisioning/',
      'alerts/pipeline.rules.yaml',
      'alerts/blueprint-slo.rules.yaml',
    ]) {
      expect(deploy).toContain(path);
    }
    expect(deploy).toContain('### Roll back');
    expect(deploy).toContain('previous commit');
    for (const flag of ['OTEL_METRICS_EXEMPLAR_FILTER', 'dry-run', '[chaos]']) expect(deploy).toContain(flag);
  });
});

describe('alerts and anchors', () => {
  const rules = allRules(blueprintSpec).filter((rule) => rule.alert !== undefined);
  const anchors = explicitAnchors(doc);

  it('covers the SLO and pipeline rules of the blueprint', () => {
    expect(rules.some((rule) => rule.labels?.slo === 'availability')).toBe(true);
    expect(rules.some((rule) => rule.labels?.slo === 'latency')).toBe(true);
    expect(rules.some((rule) => rule.alert === 'PlumblineScrapeTargetDown')).toBe(true);
  });

  it("every alert rule's runbook_url points at an anchor of the doc, in whose section the alert is listed", () => {
    const prefix = `${DEFAULT_RUNBOOK_BASE_URL}${INVARIANTS_DOC_PATH}#`;
    for (const rule of rules) {
      const url = rule.annotations?.runbook_url ?? '';
      expect(
        url.startsWith(prefix),
        `${rule.alert}: runbook_url ${url} does not point into ${INVARIANTS_DOC_PATH}`,
      ).toBe(true);
      const anchor = url.slice(prefix.length);
      expect(anchors, `${rule.alert}: #${anchor} is not an anchor of the doc`).toContain(anchor);
      expect(section(doc, anchor)).toContain(`\`${rule.alert}`);
    }
  });

  it('SLO alerts land on slo-<name> and carry tier and severity', () => {
    for (const rule of rules.filter((r) => r.labels?.slo !== undefined)) {
      expect(rule.annotations?.runbook_url.endsWith(`#slo-${rule.labels!.slo}`)).toBe(true);
      expect(section(doc, `slo-${rule.labels!.slo}`)).toContain(`tier="${rule.labels!.tier}"`);
      expect(['page', 'ticket']).toContain(rule.labels!.severity);
    }
  });

  it('every explicit anchor is an invariant, once, directly above its heading', () => {
    expect(anchors).toEqual(invariants.map((invariant) => invariant.anchor));
    expect(new Set(anchors).size).toBe(anchors.length);
    const lines = doc.split('\n');
    for (const invariant of invariants) {
      const at = lines.indexOf(anchorTag(invariant.anchor));
      expect(lines[at + 1]).toBe(`## ${invariant.title}`);
    }
  });

  it('heading anchors follow GitHub rules, are unique, and never shadow an explicit anchor', () => {
    const slugs = headingSlugs(doc);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const anchor of anchors) expect(slugs).not.toContain(anchor);
    expect(slugs).toContain('deploy-and-roll-back');
    expect(slugs).toContain('slo-availability-999-over-30d');
  });

  it('every in-doc link resolves to an explicit anchor or a heading', () => {
    const targets = new Set([...anchors, ...headingSlugs(doc)]);
    const links = internalLinks(doc);
    expect(links.length).toBeGreaterThan(invariants.length);
    for (const link of links) expect(targets, `dangling link #${link}`).toContain(link);
  });

  it('a custom runbook base URL keeps alerts and anchors matched', () => {
    const base = 'https://git.example.com/ops/blueprint/-/blob/v2/';
    const custom = invariantsOf(blueprintSpec, { ...blueprintDocOptions, runbookBaseUrl: base });
    const owned = custom.flatMap((invariant) => invariant.alerts.map((alert) => alert.alert));
    expect(owned.length).toBe(
      allRules(blueprintSpec, base).filter((rule) => rule.alert !== undefined).length,
    );
    for (const invariant of custom) {
      for (const alert of invariant.alerts)
        expect(alert.runbookUrl).toBe(`${base}${INVARIANTS_DOC_PATH}#${invariant.anchor}`);
    }
  });
});

describe('monitors', () => {
  const known = knownMetrics(blueprintSpec);

  it('every invariant names at least one monitor, a panel and a first step', () => {
    for (const invariant of invariants) {
      expect(invariant.metrics.length + invariant.alerts.length, invariant.anchor).toBeGreaterThan(0);
      expect(invariant.panels.length, invariant.anchor).toBeGreaterThan(0);
      expect(invariant.firstSteps.length, invariant.anchor).toBeGreaterThan(0);
    }
  });

  it('the promised invariants are all there', () => {
    const titles = invariants.map((invariant) => invariant.title);
    for (const title of [
      'Every accepted event is stored',
      'Queue depth never exceeds its bound',
      'No exemplar points at a dropped trace',
      'Telemetry failure never blocks requests',
      'Schema violations stay rare',
      'Targets are scraped',
    ]) {
      expect(titles).toContain(title);
    }
    for (const slo of Object.keys(blueprintSpec.slos)) {
      expect(invariants.map((invariant) => invariant.anchor)).toContain(`slo-${slo}`);
    }
  });

  it('every metric the doc names is produced by the spec, the SDK, the SLO rules or the collector', () => {
    for (const invariant of invariants) {
      for (const metric of invariant.metrics) {
        expect(known, `${invariant.anchor}: ${metric.name} is produced by nothing`).toContain(metric.name);
        expect(section(doc, invariant.anchor)).toContain(`\`${metric.name}`);
      }
    }
  });

  it("the spec's series the doc names appear in a real /metrics exposition", () => {
    const metrics = createMetrics(blueprintSpec, { exemplarFilter: 'always_off' });
    metrics.histogram('http.server.request.duration').record(0.2, {
      'http.request.method': 'POST',
      'http.route': '/events',
      'http.response.status_code': 202,
      'url.scheme': 'http',
      tenant: 'checkout',
      outcome: 'ok',
    });
    metrics.histogram('blueprint.batch.size').record(25);
    metrics.histogram('blueprint.batch.flush.duration').record(0.004);
    metrics
      .counter('blueprint.ingress.decisions')
      .add(1, { tenant: 'checkout', class: 'latency-sensitive', decision: 'accepted', reason: 'accepted' });
    metrics.counter('blueprint.enrichment.lookups').add(1, { dependency: 'geo', outcome: 'answered' });
    metrics.gauge('blueprint.queue.depth').set(3, { tenant: 'checkout' });
    metrics.counter('no.such.counter' as never).add(1);
    const exposed = new Set(
      metrics
        .serialize()
        .body.split('\n')
        .filter((line) => line !== '' && !line.startsWith('#'))
        .map((line) => /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(line)![0]),
    );
    const specSeries = invariants
      .flatMap((invariant) => invariant.metrics.map((metric) => metric.name))
      .filter((name) => name.startsWith('blueprint_') || name === DROPPED_MEASUREMENTS);
    expect(specSeries.length).toBeGreaterThan(3);
    for (const name of specSeries) expect(exposed, `${name} is not in the exposition`).toContain(name);
  });

  it('every panel the doc names is in the generated dashboards and queries a metric of its invariant', () => {
    const dashboards = buildDashboards(blueprintSpec);
    for (const invariant of invariants) {
      for (const panel of invariant.panels) {
        expect(section(doc, invariant.anchor)).toContain(`"${panel.panelTitle}"`);
        const dashboard = dashboards.get(panel.file);
        expect(dashboard?.title, `${panel.file} is not a generated dashboard`).toBe(panel.dashboardTitle);
        const found = (
          dashboard!.panels as unknown as { title?: string; targets?: { expr?: string }[] }[]
        ).find((candidate) => candidate.title === panel.panelTitle);
        expect(found, `${invariant.anchor}: no panel "${panel.panelTitle}" in ${panel.file}`).toBeDefined();
        const exprs = (found!.targets ?? []).map((target) => target.expr ?? '');
        expect(
          invariant.metrics.some((metric) => exprs.some((expr) => mentionsMetric(expr, metric.name))),
          `${invariant.anchor}: panel "${panel.panelTitle}" queries none of the invariant's metrics`,
        ).toBe(true);
      }
    }
  });
});

describe('anchor and matching helpers', () => {
  it("githubSlug follows GitHub's rules: lowercase, spaces to '-', punctuation dropped", () => {
    expect(githubSlug('Deploy and roll back')).toBe('deploy-and-roll-back');
    expect(githubSlug('SLO availability: 99.9% over 30d')).toBe('slo-availability-999-over-30d');
    expect(githubSlug('The telemetry pipeline delivers: exporters send')).toBe(
      'the-telemetry-pipeline-delivers-exporters-send',
    );
    expect(githubSlug('Keep `under_score` and-dash')).toBe('keep-under_score-and-dash');
  });

  it('explicit anchors round-trip through the tag, quotes escaped', () => {
    expect(explicitAnchors(`${anchorTag('slo-a"b')}\n${anchorTag('x')}`)).toEqual(['slo-a"b', 'x']);
  });

  it('mentionsMetric matches whole series names only', () => {
    expect(mentionsMetric('sum(rate(up_total[5m]))', 'up')).toBe(false);
    expect(mentionsMetric('sum(up{job="a"})', 'up')).toBe(true);
    expect(mentionsMetric('rate(a_b_bucket[1m])', 'a_b')).toBe(false);
    expect(mentionsMetric('x / a_b_bucket', 'a_b_bucket')).toBe(true);
  });
});

describe('other specs and options', () => {
  it('a spec without the blueprint instruments renders with delivery and queue left out', () => {
    const other = renderInvariantsDoc(dashboardSpec, { delivery: false, queue: false });
    const otherAnchors = explicitAnchors(other);
    expect(otherAnchors).not.toContain('accepted-events-stored');
    expect(otherAnchors).toContain('slo-availability');
    expect(otherAnchors).toContain('slo-latency');
    for (const rule of allRules(dashboardSpec).filter((r) => r.alert !== undefined)) {
      expect(otherAnchors).toContain(rule.annotations!.runbook_url.split('#')[1]);
    }
  });

  it('an SLO of any name gets its slo-<name> anchor', () => {
    // Any name the spec check accepts ([a-z0-9][a-z0-9-]*): generators read checked specs only.
    const renamed: TelemetrySpec = {
      ...blueprintSpec,
      slos: { '99th-checkout-fast': blueprintSpec.slos.latency },
    };
    const text = renderInvariantsDoc(renamed, { ...blueprintDocOptions, delivery: false });
    expect(explicitAnchors(text)).toContain('slo-99th-checkout-fast');
    expect(text).toContain('SLOErrorBudgetBurn{slo="99th-checkout-fast", tier="page-fast"}');
  });

  it('options naming instruments the spec lacks fail with the field named', () => {
    // A service invariant is in the doc only when options name its instruments, and then a
    // missing one is an error; without options the doc has none (see the regression test
    // generate-docs-quotes-blueprint-config).
    expect(() =>
      renderInvariantsDoc(
        { ...dashboardSpec, counters: {} },
        { limits: BLUEPRINT_LIMITS, queue: false, delivery: BLUEPRINT_DELIVERY },
      ),
    ).toThrow(/delivery\.decisionsCounter: "blueprint\.ingress\.decisions" is not a counter of the spec/);
    expect(() =>
      renderInvariantsDoc(blueprintSpec, {
        ...blueprintDocOptions,
        queue: {
          depthGauge: 'nope',
          tenantAttribute: 'tenant',
          decisionsCounter: 'blueprint.ingress.decisions',
          queueFull: {},
        },
      }),
    ).toThrow(/queue\.depthGauge: "nope" is not a gauge/);
    expect(() =>
      renderInvariantsDoc(blueprintSpec, { runbookBaseUrl: 'https://x.example/no-slash' }),
    ).toThrow(/runbookBaseUrl/);
    expect(() =>
      renderInvariantsDoc(blueprintSpec, {
        ...blueprintDocOptions,
        limits: { ...BLUEPRINT_LIMITS, minBatch: 200 },
      }),
    ).toThrow(/limits\.minBatch/);
    expect(() => renderInvariantsDoc(blueprintSpec, { delivery: BLUEPRINT_DELIVERY })).toThrow(
      /invariants doc option limits: required with delivery/,
    );
  });

  it('writeInvariantsDoc writes exactly the rendered text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-invariants-'));
    try {
      const path = await writeInvariantsDoc(
        blueprintSpec,
        join(dir, 'docs', 'invariants.md'),
        blueprintDocOptions,
      );
      expect(await readFile(path, 'utf8')).toBe(doc);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
