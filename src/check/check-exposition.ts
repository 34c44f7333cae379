// Checks one scrape of /metrics against the spec: every family declared (or not the spec's:
// not-spec-metrics.ts), with the declared type, unit, labels and bucket boundaries, under its
// cardinality cap, exemplars where the spec asks for them, and the OTel HTTP convention's
// attributes on http.server.request.duration.
import { REDACTED } from '../logs/field-schema.js';
import { formatPrometheusFloat, sanitizeLabelName } from '../spec/naming.js';
import {
  FAILURE_ONLY_ATTRIBUTES,
  HTTP_SERVER_DURATION_REQUIRED,
  httpServerAttributeProblems,
} from '../spec/semconv-http.js';
import type { AttributeMatch, TelemetrySpec } from '../spec/types.js';
import { isPresencePattern, valueMatcher } from '../spec/value-match.js';
import type { Deviations } from './deviations.js';
import {
  expectedUnitWord,
  OVERFLOW_LABEL,
  type ExpectedInstrument,
  type ExpectedTelemetry,
} from './expected.js';
import type { NotSpecMetrics } from './not-spec-metrics.js';
import {
  parseFloatLabel,
  type Labels,
  type MetricFamily,
  type ParsedExposition,
  type Sample,
} from './openmetrics-parser.js';

const KIND_TYPES: Readonly<Record<ExpectedInstrument['kind'], readonly string[]>> = {
  histogram: ['histogram'],
  counter: ['counter'],
  gauge: ['gauge'],
};

/**
 * `notSpec` takes the families the spec does not declare (the live check decides at the end which
 * are an instrumentation library's); without it they are `undeclared-metric` at once.
 */
export function checkExposition(
  expected: ExpectedTelemetry,
  scrape: ParsedExposition,
  openMetrics: boolean,
  deviations: Deviations,
  notSpec?: NotSpecMetrics,
): void {
  for (const problem of scrape.problems)
    deviations.add('exposition-invalid', `line ${problem.line}`, 'metrics', problem.message);
  if (openMetrics && !scrape.sawEof)
    deviations.add('exposition-invalid', '# EOF', 'metrics', 'OpenMetrics text must end with # EOF');
  for (const family of scrape.families.values()) {
    // Prometheus 0.0.4 text names counter families with their _total.
    const name = expected.byFamily.has(family.name) ? family.name : family.name.replace(/_total$/, '');
    if (expected.sdkFamilies.has(name)) continue;
    const instrument = expected.byFamily.get(name);
    if (instrument === undefined) {
      if (notSpec !== undefined) notSpec.scrapedFamily(family);
      else
        deviations.add('undeclared-metric', family.name, 'metrics', `type ${family.type}, not in the spec`);
      continue;
    }
    checkFamily(instrument, family, openMetrics, expected.sensitiveFields, deviations);
  }
}

function checkFamily(
  instrument: ExpectedInstrument,
  family: MetricFamily,
  openMetrics: boolean,
  sensitiveFields: ReadonlySet<string>,
  deviations: Deviations,
): void {
  const subject = instrument.name;
  if (!KIND_TYPES[instrument.kind].includes(family.type))
    deviations.add(
      'type-mismatch',
      subject,
      'metrics',
      `exposed as ${family.type}, declared ${instrument.kind}`,
    );
  const unitWord = expectedUnitWord(instrument);
  if (openMetrics && (family.unit ?? '') !== unitWord)
    deviations.add(
      'unit-mismatch',
      subject,
      'metrics',
      `# UNIT "${family.unit ?? ''}", declared unit "${instrument.unit}" ("${unitWord}")`,
    );

  const seriesKeys = new Set<string>();
  const bucketsBySeries = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    for (const label of Object.keys(sample.labels)) {
      if (label === 'le' && instrument.kind === 'histogram') continue;
      // OTel's Prometheus exporters add the instrumentation scope to every series.
      if (label === OVERFLOW_LABEL || label.startsWith('otel_scope_')) continue;
      const attribute = instrument.labels.get(label) ?? label;
      if (sensitiveFields.has(attribute) && sample.labels[label] !== REDACTED)
        deviations.add('sensitive-unredacted', `${subject} ${label}`, 'metrics', `label ${label} in clear`);
      if (!instrument.labels.has(label))
        deviations.add(
          'undeclared-attribute',
          `${subject} ${label}`,
          'metrics',
          `label ${label} is not a declared attribute`,
        );
    }
    if (sample.labels[OVERFLOW_LABEL] === 'true')
      deviations.add(
        'cardinality-exceeded',
        subject,
        'metrics',
        `the overflow series is present: more than ${instrument.cardinalityLimit} attribute sets were recorded`,
      );
    const key = seriesKey(sample.labels);
    seriesKeys.add(key);
    if (instrument.kind === 'histogram' && sample.name === `${family.name}_bucket`) {
      let buckets = bucketsBySeries.get(key);
      if (buckets === undefined) bucketsBySeries.set(key, (buckets = []));
      buckets.push(sample);
    } else if (instrument.kind === 'gauge' && sample.exemplar !== undefined) {
      deviations.add('exemplars-unexpected', subject, 'metrics', 'a gauge sample carries an exemplar');
    } else if (
      instrument.kind === 'counter' &&
      sample.exemplar !== undefined &&
      instrument.exemplars?.enabled === false
    ) {
      deviations.add(
        'exemplars-unexpected',
        subject,
        'metrics',
        'a counter sample carries an exemplar; the spec turns them off',
      );
    }
    // An overflow series (the overflow label, with at most the attributes SLOs match on) is
    // reported above, not here.
    if (
      instrument.httpServerConvention &&
      sample.labels[OVERFLOW_LABEL] !== 'true' &&
      (sample.name.endsWith('_count') || instrument.kind !== 'histogram')
    ) {
      const attributes: Record<string, string> = {};
      for (const [label, value] of Object.entries(sample.labels))
        attributes[instrument.labels.get(label) ?? label] = value;
      for (const problem of httpServerAttributeProblems(attributes, HTTP_SERVER_DURATION_REQUIRED))
        deviations.add('semconv', `${subject} ${problem.split(' ')[0]!}`, 'metrics', problem);
    }
  }
  if (seriesKeys.size > instrument.cardinalityLimit)
    deviations.add(
      'cardinality-exceeded',
      subject,
      'metrics',
      `${seriesKeys.size} series, cap ${instrument.cardinalityLimit}`,
    );
  if (instrument.kind === 'histogram') checkBuckets(instrument, bucketsBySeries, openMetrics, deviations);
}

function checkBuckets(
  instrument: ExpectedInstrument,
  bucketsBySeries: ReadonlyMap<string, Sample[]>,
  openMetrics: boolean,
  deviations: Deviations,
): void {
  const subject = instrument.name;
  const planned = new Set((instrument.boundaries ?? []).map(formatPrometheusFloat));
  const exemplars = instrument.exemplars ?? { enabled: false, minValue: Infinity };
  let eligibleObservations = 0;
  let exemplarCount = 0;
  for (const buckets of bucketsBySeries.values()) {
    const seen = new Set<string>();
    const sorted = buckets
      .map((sample) => ({ sample, le: parseFloatLabel(sample.labels.le) }))
      .sort((a, b) => a.le - b.le);
    let previous = 0;
    for (const { sample, le } of sorted) {
      if (Number.isFinite(le)) seen.add(formatPrometheusFloat(le));
      const own = sample.value - previous;
      previous = sample.value;
      if (le > exemplars.minValue && own > 0) eligibleObservations += own;
      if (sample.exemplar !== undefined) exemplarCount++;
    }
    if (!sorted.some((b) => b.le === Infinity))
      deviations.add('bucket-mismatch', subject, 'metrics', 'no le="+Inf" bucket');
    const extra = [...seen].filter((le) => !planned.has(le));
    const missing = [...planned].filter((le) => !seen.has(le));
    if (extra.length > 0 || missing.length > 0)
      deviations.add(
        'bucket-mismatch',
        subject,
        'metrics',
        `boundaries ${[...seen].join(', ')}; planned ${[...planned].join(', ')}` +
          `${extra.length > 0 ? ` (not planned: ${extra.join(', ')})` : ''}` +
          `${missing.length > 0 ? ` (missing: ${missing.join(', ')})` : ''}`,
      );
  }
  if (!openMetrics) return;
  if (exemplars.enabled && eligibleObservations > 0 && exemplarCount === 0)
    deviations.update(
      'exemplars-missing',
      subject,
      'metrics',
      `${eligibleObservations} observations above ${exemplars.minValue} and no bucket carries an exemplar`,
    );
  if (!exemplars.enabled && exemplarCount > 0)
    deviations.add(
      'exemplars-unexpected',
      subject,
      'metrics',
      `${exemplarCount} buckets carry exemplars; the spec turns them off`,
    );
}

/** Whether the series the SLOs read are on /metrics (run on the last scrape). */
export function checkSliSeries(
  spec: TelemetrySpec,
  expected: ExpectedTelemetry,
  scrape: ParsedExposition,
  deviations: Deviations,
): void {
  for (const [sloName, slo] of Object.entries(spec.slos ?? {})) {
    // A pipeline SLI reads the SDK's own export counters, not an instrument of the spec; they
    // appear with the first OTLP export, which a check of /metrics alone cannot expect.
    const { sli } = slo;
    if (sli.kind === 'pipeline') continue;
    const metric = sli.kind === 'latency' ? sli.histogram : sli.metric;
    const instrument = expected.byName.get(metric);
    const family = instrument === undefined ? undefined : scrape.families.get(instrument.family);
    const subject = `${sloName} ${metric}`;
    if (instrument === undefined || family === undefined) {
      deviations.add(
        'sli-series-absent',
        subject,
        'metrics',
        `no ${instrument?.family ?? metric} family on /metrics`,
      );
      continue;
    }
    const totalName =
      instrument.kind === 'histogram'
        ? `${family.name}_count`
        : instrument.kind === 'counter'
          ? `${family.name}_total`
          : family.name;
    const selected = family.samples.filter((s) => s.name === totalName && matches(s.labels, sli.where));
    if (selected.length === 0) {
      deviations.add(
        'sli-series-absent',
        subject,
        'metrics',
        `no ${totalName} series${sli.where === undefined ? '' : ` matching ${JSON.stringify(sli.where)}`}`,
      );
      continue;
    }
    if (sli.kind === 'latency') {
      // By value: Prometheus (3.0 on) stores a scraped le in its float form ("0.250" and "2.5e-1"
      // as "0.25", "1" as "1.0"), the form the rules' le is written in.
      const le = formatPrometheusFloat(sli.threshold);
      const threshold = sli.threshold;
      const isBucket = (s: Sample) =>
        s.name === `${family.name}_bucket` && parseFloatLabel(s.labels.le) === threshold;
      if (!family.samples.some(isBucket))
        deviations.add(
          'sli-series-absent',
          subject,
          'metrics',
          `no ${family.name}_bucket{le="${le}"} series`,
        );
    } else {
      for (const [key, values] of Object.entries(sli.bad)) {
        // `*` (any value present), or an attribute set on failures only: the label is on bad
        // events only, absent until the first one.
        if (values.every(isPresencePattern) || FAILURE_ONLY_ATTRIBUTES.includes(key)) continue;
        const label = sanitizeLabelName(key);
        if (!selected.some((s) => label in s.labels))
          deviations.add(
            'sli-series-absent',
            subject,
            'metrics',
            `no series carries the "bad" label ${label}`,
          );
      }
    }
  }
}

function matches(labels: Labels, where: AttributeMatch | undefined): boolean {
  if (where === undefined) return true;
  return Object.entries(where).every(([key, values]) => valueMatcher(values)(labels[sanitizeLabelName(key)]));
}

function seriesKey(labels: Labels): string {
  return Object.keys(labels)
    .filter((k) => k !== 'le')
    .sort()
    .map((k) => `${k}=${labels[k]!}`)
    .join('\u0000');
}
