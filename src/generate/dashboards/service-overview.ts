// The service overview dashboard, derived from the spec: per histogram its rate, error ratio
// (when an availability SLO reads it) and p50/p90/p99 split by each attribute, a heatmap with
// exemplars; counters by each attribute; gauges by each attribute.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { prometheusBaseName, prometheusCounterName, sanitizeLabelName } from '../../spec/naming.js';
import type { CounterSpec, GaugeSpec, HistogramSpec, SliSpec, TelemetrySpec } from '../../spec/types.js';
import type { DashboardIdentity } from './options.js';
import {
  PanelLayout,
  heatmapPanel,
  statPanel,
  timeseriesPanel,
  traceTablePanel,
  type PromTarget,
} from './panels.js';
import { histogramQuantile, rateOf, scopedSelector, sumBy, sumRate } from './promql.js';
import { attributeMatchers } from '../../spec/promql.js';
import { promString } from '../../spec/promql.js';
import { ERROR_TYPE } from '../../spec/semconv-http.js';
import { dashboardShell } from './shell.js';
import { durationMillis, grafanaRateUnit, grafanaUnit } from './units.js';

const QUANTILES = [0.5, 0.9, 0.99] as const;

type AvailabilitySli = Extract<SliSpec, { kind: 'availability' }>;

/** The availability SLIs that count requests with this instrument. */
function availabilitySlis(spec: TelemetrySpec, metric: string): AvailabilitySli[] {
  const slis: AvailabilitySli[] = [];
  for (const slo of Object.values(spec.slos ?? {})) {
    if (slo.sli.kind === 'availability' && slo.sli.metric === metric) slis.push(slo.sli);
  }
  return slis;
}

function latencyThresholds(spec: TelemetrySpec, histogram: string): number[] {
  const thresholds = new Set<number>();
  for (const slo of Object.values(spec.slos ?? {})) {
    if (slo.sli.kind === 'latency' && slo.sli.histogram === histogram) thresholds.add(slo.sli.threshold);
  }
  return [...thresholds].sort((a, b) => a - b);
}

/**
 * Attributes present only on failed events: OpenTelemetry's `error.type` (the HTTP convention sets
 * it on errors alone, and so does every other convention that uses it). Split by one, an error
 * ratio has only failed events in each series and reads 1.
 */
const FAILURE_ONLY_ATTRIBUTES: readonly string[] = [ERROR_TYPE];

/**
 * Attributes that say how a request ended, as label names: the `bad` keys of the SLIs reading the
 * instrument, and the failure-only attributes. Rates are split by them; ratios and quantiles not.
 */
function outcomeAttributes(slis: readonly AvailabilitySli[]): Set<string> {
  return new Set(
    [...slis.flatMap((sli) => Object.keys(sli.bad)), ...FAILURE_ONLY_ATTRIBUTES].map(sanitizeLabelName),
  );
}

function splits(attributes: readonly string[] | undefined): (string | undefined)[] {
  const labels = (attributes ?? []).map(sanitizeLabelName);
  return labels.length === 0 ? [undefined] : labels;
}

function byLabel(label: string | undefined): string[] {
  return label === undefined ? [] : [label];
}

function legendFor(label: string | undefined, fallback: string): string {
  return label === undefined ? fallback : `{{${label}}}`;
}

function splitTitle(what: string, label: string | undefined): string {
  return label === undefined ? what : `${what} by ${label}`;
}

/**
 * Bad over total events. The bad series exist only once something failed, so the numerator falls
 * back to the total's series times 0 (`rate(bad) or (rate(total) * 0)`, summed with the
 * denominator's grouping): where traffic flows without errors the ratio reads 0, not "No data",
 * and a split value without bad events keeps its 0 series. Without traffic it stays 0/0.
 */
function errorRatioTargets(
  countMetric: string,
  sli: AvailabilitySli,
  label: string | undefined,
  legend: string,
): PromTarget {
  const where = attributeMatchers(sli.where);
  const bad = attributeMatchers(sli.bad);
  const by = byLabel(label);
  const badRate = rateOf(scopedSelector(countMetric, [...bad, ...where]));
  const totalRate = rateOf(scopedSelector(countMetric, where));
  return {
    expr: `${sumBy(by)} (${badRate} or (${totalRate} * 0)) / ${sumBy(by)} (${totalRate})`,
    legend,
  };
}

function addHistogram(
  layout: PanelLayout,
  spec: TelemetrySpec,
  name: string,
  histogram: HistogramSpec,
  options: { readonly serviceName: string; readonly traceLimit: number },
): void {
  const base = prometheusBaseName(name, histogram.unit);
  const count = `${base}_count`;
  const bucket = scopedSelector(`${base}_bucket`);
  const unit = grafanaUnit(histogram.unit);
  const slis = availabilitySlis(spec, name);
  const outcomes = outcomeAttributes(slis);
  const thresholds = latencyThresholds(spec, name);
  const exemplars = histogram.exemplars?.enabled !== false;
  layout.row(`${name}: ${histogram.description}`);

  for (const label of splits(histogram.attributes)) {
    layout.panel(
      timeseriesPanel({
        title: splitTitle(`${name} rate`, label),
        description: `Per-second rate of ${name} observations (${count}).`,
        unit: 'ops',
        targets: [{ expr: sumRate(scopedSelector(count), byLabel(label)), legend: legendFor(label, 'all') }],
        min: 0,
      }),
    );
  }
  const ratioSplits = splits(histogram.attributes).filter(
    (label) => label === undefined || !outcomes.has(label),
  );
  addErrorRatioPanels(layout, name, 'observations', count, slis, ratioSplits);
  const quantileSplits = ratioSplits.length === 0 ? [undefined] : ratioSplits;
  for (const label of quantileSplits) {
    layout.panel(
      timeseriesPanel({
        title: splitTitle(`${name} p50/p90/p99`, label),
        description: `Quantiles estimated from the ${base} buckets${thresholds.length > 0 ? '; the dashed line is the SLO threshold' : ''}.`,
        unit,
        targets: QUANTILES.map((quantile) => ({
          expr: histogramQuantile(quantile, bucket, byLabel(label)),
          legend: `p${Math.round(quantile * 100)}${label === undefined ? '' : ` {{${label}}}`}`,
          exemplar: exemplars && quantile === 0.99,
        })),
        thresholdLines: thresholds,
        min: 0,
      }),
    );
  }
  layout.panel(
    heatmapPanel({
      title: `${name} distribution`,
      description: `Observations per second in each ${base} bucket${exemplars ? '; exemplar points link to their traces' : ''}.`,
      unit,
      bucketRateExpr: `${sumBy(['le'])} (rate(${bucket}[$__rate_interval]))`,
      exemplars,
    }),
    16,
  );
  for (const threshold of thresholds) {
    const millis = durationMillis(threshold, histogram.unit);
    if (millis === undefined) continue;
    layout.panel(
      traceTablePanel({
        title: `${name}: traces slower than ${millis}ms`,
        description: `Recent spans of ${options.serviceName} slower than the SLO threshold, from the trace datasource variable.`,
        traceql: `{ resource.service.name = ${promString(options.serviceName)} && duration > ${millis}ms }`,
        limit: options.traceLimit,
      }),
      8,
    );
  }
}

/** One error-ratio panel per availability SLI reading this instrument, per split label. */
function addErrorRatioPanels(
  layout: PanelLayout,
  name: string,
  noun: string,
  series: string,
  slis: Parameters<typeof errorRatioTargets>[1][],
  ratioSplits: (string | undefined)[],
): void {
  for (const sli of slis) {
    for (const label of ratioSplits.length === 0 ? [undefined] : ratioSplits) {
      layout.panel(
        timeseriesPanel({
          title: splitTitle(`${name} error ratio`, label),
          description: `Share of ${name} ${noun} matching ${JSON.stringify(sli.bad)} among those matching ${JSON.stringify(sli.where ?? {})}.`,
          unit: 'percentunit',
          targets: [errorRatioTargets(series, sli, label, legendFor(label, 'error ratio'))],
          min: 0,
        }),
      );
    }
  }
}

function addCounter(layout: PanelLayout, spec: TelemetrySpec, name: string, counter: CounterSpec): void {
  const metric = prometheusCounterName(name, counter.unit);
  const slis = availabilitySlis(spec, name);
  const outcomes = outcomeAttributes(slis);
  const ratioSplits = splits(counter.attributes).filter(
    (label) => label === undefined || !outcomes.has(label),
  );
  addErrorRatioPanels(layout, name, 'events', metric, slis, ratioSplits);
  for (const label of splits(counter.attributes)) {
    layout.panel(
      timeseriesPanel({
        title: splitTitle(`${name} rate`, label),
        description: `${counter.description} Per-second rate of ${metric}.`,
        unit: grafanaRateUnit(counter.unit),
        targets: [{ expr: sumRate(scopedSelector(metric), byLabel(label)), legend: legendFor(label, 'all') }],
        min: 0,
      }),
    );
  }
}

function addGauge(layout: PanelLayout, name: string, gauge: GaugeSpec): void {
  const metric = prometheusBaseName(name, gauge.unit);
  for (const label of splits(gauge.attributes)) {
    layout.panel(
      timeseriesPanel({
        title: splitTitle(name, label),
        description: `${gauge.description} Summed over instances (${metric}).`,
        unit: grafanaUnit(gauge.unit),
        targets: [
          { expr: `${sumBy(byLabel(label))} (${scopedSelector(metric)})`, legend: legendFor(label, 'all') },
        ],
        min: 0,
      }),
    );
  }
}

export function serviceOverviewDashboard(spec: TelemetrySpec, identity: DashboardIdentity): Dashboard {
  const builder = dashboardShell({
    uid: identity.uid('overview'),
    title: `${spec.service.name}: service overview`,
    description: `Traffic, errors, latency and saturation of ${spec.service.name}, generated from its telemetry spec.`,
    tags: identity.tags,
    scopeMetric: 'up',
    traces: true,
  });
  const layout = new PanelLayout(builder);
  layout.row('Targets');
  layout.panel(
    statPanel({
      title: 'Scrape targets up',
      description: 'Targets of the selected jobs that answered their last scrape.',
      unit: 'short',
      targets: [{ expr: `sum(${scopedSelector('up')})`, legend: 'up', instant: true }],
      decimals: 0,
    }),
    24,
    4,
  );
  for (const [name, histogram] of Object.entries(spec.histograms ?? {})) {
    addHistogram(layout, spec, name, histogram, {
      serviceName: spec.service.name,
      traceLimit: identity.traceLimit,
    });
  }
  const counters = Object.entries(spec.counters ?? {});
  if (counters.length > 0) {
    layout.row('Counters');
    for (const [name, counter] of counters) addCounter(layout, spec, name, counter);
  }
  const gauges = Object.entries(spec.gauges ?? {});
  if (gauges.length > 0) {
    layout.row('Gauges');
    for (const [name, gauge] of gauges) addGauge(layout, name, gauge);
  }
  return builder.build();
}
