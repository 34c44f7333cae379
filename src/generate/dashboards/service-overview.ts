// The service overview dashboard, derived from the spec: per histogram its rate, error ratio
// (when an availability SLO reads it) and p50/p90/p99 split by each attribute, a heatmap with
// exemplars and the slow spans of its latency SLOs; counters by each attribute; gauges by each
// attribute.
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
import { aggregateBy, histogramQuantile, rateOf, scopedSelector, sumBy, sumRate } from './promql.js';
import { attributeMatchers } from '../../spec/promql.js';
import { dashboardString } from './grafana-text.js';
import {
  ERROR_TYPE,
  FAILURE_ONLY_ATTRIBUTES,
  HTTP_REQUEST_METHOD,
  HTTP_RESPONSE_STATUS_CODE,
  HTTP_ROUTE,
  HTTP_SERVER_DURATION_METRIC,
  URL_SCHEME,
} from '../../spec/semconv-http.js';
import { isPattern, valueRegex } from '../../spec/value-match.js';
import { dashboardShell } from './shell.js';
import { durationMillis, gaugeAggregation, grafanaUnit, rateDisplay } from './units.js';

const QUANTILES = [0.5, 0.9, 0.99] as const;

type AvailabilitySli = Extract<SliSpec, { kind: 'availability' }>;
type LatencySli = Extract<SliSpec, { kind: 'latency' }>;

/** An SLI and the name of its SLO. */
interface NamedSli<S extends SliSpec> {
  readonly slo: string;
  readonly sli: S;
}

/** The availability SLIs that count requests with this instrument. */
function availabilitySlis(spec: TelemetrySpec, metric: string): NamedSli<AvailabilitySli>[] {
  const slis: NamedSli<AvailabilitySli>[] = [];
  for (const [slo, { sli }] of Object.entries(spec.slos ?? {})) {
    if (sli.kind === 'availability' && sli.metric === metric) slis.push({ slo, sli });
  }
  return slis;
}

/** The latency SLIs of this histogram. */
function latencySlis(spec: TelemetrySpec, histogram: string): NamedSli<LatencySli>[] {
  const slis: NamedSli<LatencySli>[] = [];
  for (const [slo, { sli }] of Object.entries(spec.slos ?? {})) {
    if (sli.kind === 'latency' && sli.histogram === histogram) slis.push({ slo, sli });
  }
  return slis;
}

function latencyThresholds(spec: TelemetrySpec, histogram: string): number[] {
  const thresholds = new Set(latencySlis(spec, histogram).map(({ sli }) => sli.threshold));
  return [...thresholds].sort((a, b) => a - b);
}

/**
 * Attributes that say how a request ended, as label names: the `bad` keys of the SLIs reading the
 * instrument, and the failure-only attributes. Rates are split by them; ratios and quantiles not.
 */
function outcomeAttributes(slis: readonly NamedSli<AvailabilitySli>[]): Set<string> {
  return new Set(
    [...slis.flatMap(({ sli }) => Object.keys(sli.bad)), ...FAILURE_ONLY_ATTRIBUTES].map(sanitizeLabelName),
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
  const where = attributeMatchers(sli.where, dashboardString);
  const bad = attributeMatchers(sli.bad, dashboardString);
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
  options: {
    readonly serviceName: string;
    readonly traceLimit: number;
    readonly exemplarTraceIdLabel: string;
  },
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
      unit: 'ops',
      bucketUnit: unit,
      bucketRateExpr: `${sumBy(['le'])} (rate(${bucket}[$__rate_interval]))`,
      exemplars,
      traceIdLabel: options.exemplarTraceIdLabel,
    }),
    16,
  );
  for (const table of slowSpanTables(spec, name, histogram, options.serviceName)) {
    layout.panel(traceTablePanel({ ...table, limit: options.traceLimit }), 8);
  }
}

/** The TraceQL type of a span attribute: how a `where` value is compared with it. */
type SpanAttributeType = 'string' | 'int';

/**
 * The spans a histogram measures, as far as the spec says: http.server.request.duration is the
 * duration of HTTP server requests (OpenTelemetry's HTTP convention), i.e. of server spans; with
 * `spans.server.convention: 'http'` those spans carry the convention's attributes, with the
 * convention's types, so an SLI's `where` on them picks the same requests on the spans. Server
 * span attributes of the spec's own (`spans.server.attributes`) have no declared type (TraceQL
 * compares typed values), so they are not used. Any other histogram: unknown.
 */
function measuredSpans(
  spec: TelemetrySpec,
  histogram: string,
): { readonly attributes: ReadonlyMap<string, SpanAttributeType> } | undefined {
  if (histogram !== HTTP_SERVER_DURATION_METRIC) return undefined;
  const attributes = new Map<string, SpanAttributeType>();
  if (spec.spans?.server?.convention === 'http') {
    for (const attribute of [HTTP_REQUEST_METHOD, HTTP_ROUTE, URL_SCHEME, ERROR_TYPE])
      attributes.set(attribute, 'string');
    attributes.set(HTTP_RESPONSE_STATUS_CODE, 'int');
  }
  return { attributes };
}

/** `a` alone, or `(a || b)`. */
function anyOf(conditions: readonly string[]): string {
  return conditions.length === 1 ? conditions[0]! : `(${conditions.join(' || ')})`;
}

/**
 * A TraceQL condition on a span attribute matching what the `where` values match in PromQL, or
 * undefined when TraceQL cannot say the same: an empty value (PromQL reads an absent label as
 * empty), a pattern on an integer attribute. Literal strings compare with `=`, patterns (and
 * several values) with a regex anchored at both ends (Tempo versions differ in anchoring one).
 */
function spanCondition(
  attribute: string,
  values: readonly string[],
  type: SpanAttributeType,
): string | undefined {
  if (values.length === 0 || values.includes('')) return undefined;
  const field = `span.${attribute}`;
  if (type === 'int') {
    if (!values.every((value) => /^(0|[1-9][0-9]{0,15})$/.test(value))) return undefined;
    return anyOf(values.map((value) => `${field} = ${value}`));
  }
  if (values.length === 1 && !isPattern(values[0]!)) return `${field} = ${dashboardString(values[0]!)}`;
  return `${field} =~ ${dashboardString(`^(?:${values.map(valueRegex).join('|')})$`)}`;
}

function sloList(slos: readonly string[]): string {
  return `${slos.length === 1 ? 'SLO' : 'SLOs'} ${slos.join(', ')}`;
}

interface SlowSpanTable {
  readonly title: string;
  readonly description: string;
  readonly traceql: string;
}

/**
 * The slow-span tables of a histogram: per latency SLO, the spans slower than its threshold,
 * narrowed to what the histogram measures where the spec says (see {@link measuredSpans}); SLOs
 * whose queries come out the same share a table. Where the spec cannot say which spans the
 * histogram measures, the title says the table lists any span of the service.
 */
function slowSpanTables(
  spec: TelemetrySpec,
  name: string,
  histogram: HistogramSpec,
  serviceName: string,
): SlowSpanTable[] {
  const spans = measuredSpans(spec, name);
  const tables = new Map<
    string,
    { millis: number; filters: string[]; slos: string[]; unfiltered: Set<string> }
  >();
  for (const { slo, sli } of latencySlis(spec, name)) {
    const millis = durationMillis(sli.threshold, histogram.unit);
    if (millis === undefined) continue;
    const conditions = [`resource.service.name = ${dashboardString(serviceName)}`];
    const filters: string[] = [];
    const unfiltered: string[] = [];
    if (spans !== undefined) {
      conditions.push('kind = server');
      for (const attribute of Object.keys(sli.where ?? {}).sort()) {
        const values = sli.where?.[attribute] ?? [];
        const type = spans.attributes.get(attribute);
        const condition = type === undefined ? undefined : spanCondition(attribute, values, type);
        if (condition === undefined) {
          unfiltered.push(attribute);
          continue;
        }
        conditions.push(condition);
        filters.push(`${attribute}=${values.join('|')}`);
      }
    }
    conditions.push(`duration > ${millis}ms`);
    const traceql = `{ ${conditions.join(' && ')} }`;
    const table = tables.get(traceql);
    if (table === undefined) {
      tables.set(traceql, { millis, filters, slos: [slo], unfiltered: new Set(unfiltered) });
    } else {
      table.slos.push(slo);
      for (const attribute of unfiltered) table.unfiltered.add(attribute);
    }
  }
  return [...tables]
    .sort(([, a], [, b]) => a.millis - b.millis)
    .map(([traceql, { millis, filters, slos, unfiltered }]) => {
      const threshold = `the threshold of ${sloList(slos)} (${millis}ms)`;
      if (spans === undefined) {
        return {
          title: `${name}: any span of ${serviceName} slower than ${millis}ms`,
          description: `The spec does not say which spans ${name} measures, so this lists every span of ${serviceName} slower than ${threshold}, not only those of ${name}, from the trace datasource variable.`,
          traceql,
        };
      }
      const left = [...unfiltered].sort();
      return {
        title: `${name}: server spans slower than ${millis}ms${filters.length === 0 ? '' : ` (${filters.join(', ')})`}`,
        description:
          `Recent server spans of ${serviceName} (the requests ${name} measures)` +
          `${filters.length === 0 ? '' : ` with ${filters.join(', ')}`} slower than ${threshold}, from the trace datasource variable.` +
          (left.length === 0
            ? ''
            : ` The SLO's where is not filtered by ${left.join(', ')}: the spec does not declare ${left.length === 1 ? 'it' : 'them'} on the server spans (or not as values TraceQL compares), so spans the SLO does not count may be listed.`),
        traceql,
      };
    });
}

/**
 * The availability SLIs of an instrument grouped by their matchers: SLIs that select the same bad
 * and total events (e.g. one SLI under two objectives or windows) have one ratio, one panel.
 */
function ratioGroups(
  slis: readonly NamedSli<AvailabilitySli>[],
): { readonly sli: AvailabilitySli; readonly slos: string[] }[] {
  const groups = new Map<string, { sli: AvailabilitySli; slos: string[] }>();
  for (const { slo, sli } of slis) {
    const key = JSON.stringify([attributeMatchers(sli.bad), attributeMatchers(sli.where)]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { sli, slos: [slo] });
    else group.slos.push(slo);
  }
  return [...groups.values()];
}

/**
 * One error-ratio panel per availability SLI reading this instrument (SLIs with the same
 * matchers share one), per split label. With more than one ratio on the instrument, each
 * title names its SLO: the panels' titles and legends would otherwise be the same.
 */
function addErrorRatioPanels(
  layout: PanelLayout,
  name: string,
  noun: string,
  series: string,
  slis: readonly NamedSli<AvailabilitySli>[],
  ratioSplits: (string | undefined)[],
): void {
  const groups = ratioGroups(slis);
  for (const { sli, slos } of groups) {
    const named = groups.length === 1 ? '' : ` (${sloList(slos)})`;
    for (const label of ratioSplits.length === 0 ? [undefined] : ratioSplits) {
      layout.panel(
        timeseriesPanel({
          title: `${splitTitle(`${name} error ratio`, label)}${named}`,
          description: `The SLI of ${sloList(slos)}: share of ${name} ${noun} matching ${JSON.stringify(sli.bad)} among those matching ${JSON.stringify(sli.where ?? {})}.`,
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
  const rate = rateDisplay(counter.unit);
  for (const label of splits(counter.attributes)) {
    layout.panel(
      timeseriesPanel({
        title: splitTitle(`${name} rate`, label),
        description: `${counter.description} Per-second rate of ${metric}${rate.reading === undefined ? '' : `, ${rate.reading}`}.`,
        unit: rate.unit,
        targets: [
          {
            expr: `${sumRate(scopedSelector(metric), byLabel(label))}${rate.scale}`,
            legend: legendFor(label, 'all'),
          },
        ],
        min: 0,
      }),
    );
  }
}

function addGauge(layout: PanelLayout, name: string, gauge: GaugeSpec): void {
  const metric = prometheusBaseName(name, gauge.unit);
  // Regression: dashboard-ratio-gauge-summed-across-instances,
  // dashboard-gauge-of-unknown-unit-summed-across-instances.
  const aggregation = gaugeAggregation(gauge.unit, gauge.acrossInstances);
  for (const label of splits(gauge.attributes)) {
    layout.panel(
      timeseriesPanel({
        title: splitTitle(name, label),
        description: `${gauge.description} ${aggregation.reading} (${metric}).`,
        unit: grafanaUnit(gauge.unit),
        targets: [
          {
            expr: `${aggregateBy(aggregation.operator, byLabel(label))} (${scopedSelector(metric)})`,
            legend: legendFor(label, aggregation.legend),
          },
        ],
        // No min: a gauge may go below 0 (a balance, a temperature, a clock offset).
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
      exemplarTraceIdLabel: identity.exemplarTraceIdLabel,
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
