// Golden and behaviour tests of the dashboards generator: committed files match the blueprint
// spec, output is deterministic, and what is drawn follows the spec (not one hard-coded service).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { spec as blueprintSpec } from '../../examples/blueprint/telemetry.js';
import { collectorMetrics, sdkSelfMetrics } from '../../src/generate/pipeline-series.js';
import { buildDashboards, renderDashboards, writeDashboards } from '../../src/generate/dashboards/render.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { dashboardSpec } from '../fixtures/dashboard-spec.js';

interface Target {
  expr?: string;
  query?: string;
  exemplar?: boolean;
  format?: string;
  datasource?: { uid?: string };
}
interface Panel {
  type: string;
  title: string;
  description?: string;
  targets?: Target[];
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: { value: number | null }[] } } };
}
interface DashboardJson {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query?: string }[] };
}

function dashboardsOf(spec: TelemetrySpec): Map<string, DashboardJson> {
  const out = new Map<string, DashboardJson>();
  for (const [name, text] of renderDashboards(spec)) {
    if (name.endsWith('.json')) out.set(name, JSON.parse(text) as DashboardJson);
  }
  return out;
}

function panel(dashboard: DashboardJson, title: string): Panel {
  const found = dashboard.panels.find((p) => p.title === title);
  if (found === undefined)
    throw new Error(
      `no panel "${title}" in ${dashboard.title}: ${dashboard.panels.map((p) => p.title).join(' | ')}`,
    );
  return found;
}

function exprs(dashboard: DashboardJson): string[] {
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? t.query ?? ''));
}

describe('renderDashboards', () => {
  it('matches the committed dashboards/ generated from the blueprint spec (no drift)', async () => {
    const files = renderDashboards(blueprintSpec);
    expect([...files.keys()].sort()).toEqual([
      '.lint',
      'blueprint-overview.json',
      'blueprint-pipeline.json',
      'blueprint-slos.json',
      'provisioning/dashboards/plumbline.yaml',
      'provisioning/datasources/plumbline.yaml',
    ]);
    for (const [name, text] of files) {
      expect(
        await readFile(join('dashboards', name), 'utf8'),
        `dashboards/${name} is stale: run plumbline generate dashboards`,
      ).toBe(text);
    }
  });

  it('is deterministic: sorted keys, 2-space indent, trailing newline', () => {
    const first = renderDashboards(dashboardSpec);
    const second = renderDashboards(dashboardSpec);
    expect([...second]).toEqual([...first]);
    const text = first.get('blueprint-overview.json')!;
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toMatch(/^ {2}"/);
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys).toEqual([...keys].sort());
  });

  it('draws every histogram with rate, quantiles per attribute and a heatmap, exemplars where enabled', () => {
    const overview = dashboardsOf(dashboardSpec).get('blueprint-overview.json')!;
    const byRoute = panel(overview, 'blueprint.request.duration p50/p90/p99 by route');
    expect(byRoute.fieldConfig?.defaults?.unit).toBe('s');
    expect(byRoute.targets!.map((t) => t.expr)).toEqual(
      [0.5, 0.9, 0.99].map(
        (q) =>
          `histogram_quantile(${q}, sum by (le, route) (rate(blueprint_request_duration_seconds_bucket{job=~"$job", instance=~"$instance"}[$__rate_interval])))`,
      ),
    );
    expect(byRoute.targets![2]!.exemplar).toBe(true);
    // The SLO threshold of the latency SLO is drawn on the quantile panels.
    expect(byRoute.fieldConfig?.defaults?.thresholds?.steps.map((s) => s.value)).toEqual([null, 0.25]);
    panel(overview, 'blueprint.request.duration p50/p90/p99 by tenant');
    // outcome is the SLI's "bad" attribute: split rates by it, but not quantiles or ratios.
    panel(overview, 'blueprint.request.duration rate by outcome');
    expect(overview.panels.some((p) => p.title === 'blueprint.request.duration p50/p90/p99 by outcome')).toBe(
      false,
    );
    // So is error.type, which only failed requests carry (OTel HTTP convention).
    const blueprint = dashboardsOf(blueprintSpec).get('blueprint-overview.json')!;
    panel(blueprint, 'http.server.request.duration rate by error_type');
    for (const what of ['error ratio', 'p50/p90/p99']) {
      expect(blueprint.panels.map((p) => p.title)).not.toContain(
        `http.server.request.duration ${what} by error_type`,
      );
    }
    panel(blueprint, 'http.server.request.duration error ratio by http_route');

    const heatmap = panel(overview, 'blueprint.request.duration distribution');
    expect(heatmap.type).toBe('heatmap');
    expect(heatmap.targets![0]).toMatchObject({ format: 'heatmap', exemplar: true });
    const sizeHeatmap = panel(overview, 'blueprint.batch.size distribution');
    expect(sizeHeatmap.targets![0]!.exemplar).toBeUndefined();
    expect(panel(overview, 'blueprint.batch.size p50/p90/p99').fieldConfig?.defaults?.unit).toBe('short');
    expect(panel(overview, 'blueprint.batch.flush.duration p50/p90/p99').targets![0]!.expr).toContain(
      'blueprint_batch_flush_duration_seconds_bucket',
    );
  });

  it('derives error ratios from the availability SLI, counters and gauges from their attributes', () => {
    const overview = dashboardsOf(dashboardSpec).get('blueprint-overview.json')!;
    expect(panel(overview, 'blueprint.request.duration error ratio by tenant').targets![0]!.expr).toBe(
      'sum by (tenant) (rate(blueprint_request_duration_seconds_count{job=~"$job", instance=~"$instance", outcome=~"error|timeout", route=~"/ingest|/query"}[$__rate_interval])' +
        ' or (rate(blueprint_request_duration_seconds_count{job=~"$job", instance=~"$instance", route=~"/ingest|/query"}[$__rate_interval]) * 0))' +
        ' / sum by (tenant) (rate(blueprint_request_duration_seconds_count{job=~"$job", instance=~"$instance", route=~"/ingest|/query"}[$__rate_interval]))',
    );
    expect(panel(overview, 'blueprint.ingress.decisions rate by reason').targets![0]!.expr).toBe(
      'sum by (reason) (rate(blueprint_ingress_decisions_total{job=~"$job", instance=~"$instance"}[$__rate_interval]))',
    );
    expect(panel(overview, 'blueprint.queue.depth by tenant').targets![0]!.expr).toBe(
      'sum by (tenant) (blueprint_queue_depth{job=~"$job", instance=~"$instance"})',
    );
    // Nothing in the spec says which spans blueprint.request.duration measures: the table lists
    // any slow span of the service, and its title says so.
    const slow = panel(overview, 'blueprint.request.duration: any span of blueprint slower than 250ms');
    expect(slow.targets![0]).toMatchObject({
      query: '{ resource.service.name = "blueprint" && duration > 250ms }',
      datasource: { uid: '${tempo_datasource}' },
    });
  });

  it('is not tied to one service: another spec gets its own names, uids and no SLO dashboard', () => {
    const other: TelemetrySpec = {
      service: { name: 'Orders.API' },
      events: {},
      counters: { 'orders.placed': { description: 'Orders placed.', attributes: ['shop.region'] } },
      histograms: {
        'orders.latency': { description: 'Order latency.', unit: 'ms', buckets: { boundaries: [10, 100] } },
      },
    };
    const dashboards = dashboardsOf(other);
    // Orders.API is not a slug as it stands: lowercased, "." replaced, and a hash of the name added.
    expect([...dashboards.keys()]).toEqual([
      'orders-api-b4d5160e-overview.json',
      'orders-api-b4d5160e-pipeline.json',
    ]);
    const overview = dashboards.get('orders-api-b4d5160e-overview.json')!;
    expect(overview.uid).toBe('orders-api-b4d5160e-overview');
    expect(panel(overview, 'orders.placed rate by shop_region').targets![0]!.expr).toContain(
      'sum by (shop_region)',
    );
    expect(panel(overview, 'orders.latency p50/p90/p99').fieldConfig?.defaults?.unit).toBe('ms');
    expect(exprs(overview).join('\n')).not.toContain('blueprint');
  });

  it('draws each SLO with its resolved tiers, window and budget', () => {
    const slos = dashboardsOf(dashboardSpec).get('blueprint-slos.json')!;
    const burnPanels = (slo: string): Panel[] =>
      slos.panels.filter((p) => p.title.startsWith(`${slo}: burn rate `));
    expect(burnPanels('availability')).toHaveLength(4);
    // ticket-slow is turned off for latency; its 28d window scales the page-fast factor to 13.44.
    expect(burnPanels('latency').map((p) => p.title)).toEqual([
      'latency: burn rate page-fast (page, 13.44x over 1h and 5m)',
      'latency: burn rate page-slow (page, 5.6x over 6h and 30m)',
      'latency: burn rate ticket-fast (ticket, 2.8x over 1d and 2h)',
    ]);
    const pageFast = burnPanels('availability')[0]!;
    expect(pageFast.targets!.map((t) => t.expr)).toEqual([
      'plumbline_slo:error_ratio:rate1h{service="blueprint",slo="availability"} / 0.001',
      'plumbline_slo:error_ratio:rate5m{service="blueprint",slo="availability"} / 0.001',
    ]);
    expect(pageFast.fieldConfig?.defaults?.thresholds?.steps.map((s) => s.value)).toEqual([null, 14.4]);
    // The SLI over the window is the window's recorded ratio of rates, as the alerts read it.
    expect(panel(slos, 'latency: SLI over 28d').targets![0]!.expr).toBe(
      '1 - plumbline_slo:error_ratio:rate28d{service="blueprint",slo="latency"}',
    );
    expect(panel(slos, 'availability: SLI over 30d').targets![0]!.expr).toBe(
      '1 - plumbline_slo:error_ratio:rate30d{service="blueprint",slo="availability"}',
    );
    expect(panel(slos, 'availability: error budget remaining').targets![0]!.expr).toContain(
      'plumbline_slo_error_budget_remaining{',
    );
    expect(panel(slos, 'availability: alert state').targets![0]!.expr).toContain(
      'plumbline_slo_alert_firing{',
    );
    expect(panel(slos, 'availability: in-process burn rate').targets![0]!.expr).toContain(
      'plumbline_slo_burn_rate{',
    );
  });

  it('shows every collector and SDK self-metric on the pipeline dashboard (collector uptime in its variables)', () => {
    const pipeline = dashboardsOf(dashboardSpec).get('blueprint-pipeline.json')!;
    const all = [...exprs(pipeline), ...pipeline.templating.list.map((v) => v.query ?? '')].join('\n');
    for (const metric of [...Object.values(collectorMetrics), ...Object.values(sdkSelfMetrics)]) {
      expect(all, metric).toMatch(new RegExp(`${metric}[{,]`));
    }
  });

  it('scopes collector panels by their own variables, not by the service job (picking the service keeps them)', () => {
    const pipeline = dashboardsOf(dashboardSpec).get('blueprint-pipeline.json')!;
    const variables = new Map(pipeline.templating.list.map((v) => [v.name, v]));
    expect(variables.get('collector_job')).toMatchObject({
      type: 'query',
      query: `label_values(${collectorMetrics.processUptime}, job)`,
    });
    expect(variables.get('collector_instance')).toMatchObject({
      type: 'query',
      query: `label_values(${collectorMetrics.processUptime}{job=~"$collector_job"}, instance)`,
    });
    const collectorNames = Object.values(collectorMetrics) as string[];
    const sdkNames = Object.values(sdkSelfMetrics) as string[];
    let collectorTargets = 0;
    for (const p of pipeline.panels) {
      for (const target of p.targets ?? []) {
        const expr = target.expr ?? '';
        const names = [...expr.matchAll(/([a-z_:]+)\{([^}]*)\}/g)];
        expect(names.length, `${p.title}: ${expr}`).toBeGreaterThan(0);
        for (const [, name, matchers] of names) {
          if (collectorNames.includes(name!)) {
            collectorTargets++;
            expect(matchers, `${p.title}: ${name}`).toBe(
              'job=~"$collector_job", instance=~"$collector_instance"',
            );
          } else {
            expect(sdkNames, `${p.title}: ${name}`).toContain(name);
            expect(matchers, `${p.title}: ${name}`).toBe('job=~"$job", instance=~"$instance"');
          }
        }
      }
    }
    expect(collectorTargets).toBeGreaterThan(10);
    // The other dashboards read the service alone: no collector variables there.
    for (const name of ['blueprint-overview.json', 'blueprint-slos.json']) {
      const other = dashboardsOf(dashboardSpec).get(name)!;
      expect(other.templating.list.map((v) => v.name)).not.toContain('collector_job');
    }
  });

  it('reads 0, not nothing, on the fault counters the collector creates at the first fault', () => {
    const pipeline = dashboardsOf(dashboardSpec).get('blueprint-pipeline.json')!;
    const scope = '{job=~"$collector_job", instance=~"$collector_instance"}';
    const rate = (metric: string, by: string) => `sum by (${by}) (rate(${metric}${scope}[$__rate_interval]))`;
    const zeroed = (fault: string, healthy: string, by: string) =>
      `${rate(fault, by)} or (${rate(healthy, by)} * 0)`;
    const m = collectorMetrics;
    expect(panel(pipeline, 'Spans sent and failed by exporter').targets!.map((t) => t.expr)).toEqual([
      rate(m.exporterSentSpans, 'exporter'),
      zeroed(m.exporterSendFailedSpans, m.exporterSentSpans, 'exporter'),
      zeroed(m.exporterEnqueueFailedSpans, m.exporterSentSpans, 'exporter'),
    ]);
    expect(panel(pipeline, 'Log records sent and failed by exporter').targets!.map((t) => t.expr)).toEqual([
      rate(m.exporterSentLogRecords, 'exporter'),
      zeroed(m.exporterSendFailedLogRecords, m.exporterSentLogRecords, 'exporter'),
    ]);
    expect(panel(pipeline, 'Memory limiter refusals').targets!.map((t) => t.expr)).toEqual([
      zeroed(m.processorRefusedSpans, m.processorAcceptedSpans, 'processor'),
      zeroed(m.processorRefusedLogRecords, m.processorAcceptedLogRecords, 'processor'),
    ]);
    // The receivers' refused counters exist at 0 from the first batch: no fallback needed.
    expect(panel(pipeline, 'Spans accepted and refused by receiver').targets![1]!.expr).toBe(
      rate(m.receiverRefusedSpans, 'receiver'),
    );
  });

  it('provisions Prometheus with exemplar links to Tempo, and a file provider for the dashboards', () => {
    const files = renderDashboards(dashboardSpec, {
      prometheusUrl: 'http://prom:9090',
      dashboardsPath: '/dash',
    });
    const datasources = parse(files.get('provisioning/datasources/plumbline.yaml')!) as {
      datasources: { type: string; uid: string; url: string; jsonData: Record<string, unknown> }[];
    };
    const [prometheus, tempo] = datasources.datasources;
    expect(prometheus).toMatchObject({ type: 'prometheus', url: 'http://prom:9090' });
    expect(tempo).toMatchObject({ type: 'tempo' });
    expect(prometheus!.jsonData.exemplarTraceIdDestinations).toEqual([
      { name: 'trace_id', datasourceUid: tempo!.uid },
    ]);
    const providers = parse(files.get('provisioning/dashboards/plumbline.yaml')!) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers[0]).toMatchObject({ type: 'file', options: { path: '/dash' } });
  });

  it('rejects bad options with the field named', () => {
    expect(() => renderDashboards(dashboardSpec, { prometheusUrl: 'prom:9090' })).toThrow(
      /option prometheusUrl/,
    );
    expect(() => renderDashboards(dashboardSpec, { traceLimit: 0 })).toThrow(/option traceLimit/);
    expect(() => renderDashboards(dashboardSpec, { dashboardsPath: 'relative' })).toThrow(
      /option dashboardsPath/,
    );
    expect(() => renderDashboards({ ...dashboardSpec, service: { name: '***' } })).toThrow(/service\.name/);
  });

  it('buildDashboards returns the same dashboards as objects', () => {
    const built = buildDashboards(dashboardSpec);
    const rendered = dashboardsOf(dashboardSpec);
    expect([...built.keys()]).toEqual([...rendered.keys()]);
    expect(built.get('blueprint-slos.json')!.uid).toBe('blueprint-slos');
  });
});

describe('writeDashboards', () => {
  it('writes every rendered file under the out dir and returns the paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-dashboards-'));
    try {
      const written = await writeDashboards(dashboardSpec, dir);
      const rendered = renderDashboards(dashboardSpec);
      expect(written).toEqual([...rendered.keys()].map((name) => join(dir, name)));
      for (const [name, text] of rendered) expect(await readFile(join(dir, name), 'utf8')).toBe(text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
