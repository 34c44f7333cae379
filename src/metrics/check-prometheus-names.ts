// Spec checks for the names /metrics writes, run at setup by the spec validator: an instrument's
// attributes must become distinct labels that Prometheus does not reserve, and no two
// instruments (nor one of plumbline's own metrics) may write the same metric name. Either would
// break a scrape: a label written twice on a line fails the whole target (up=0), and a family
// written twice is refused ("second HELP line") or mixes two instruments' series.
import { specPath, type SpecIssue } from '../spec/errors.js';
import { sanitizeLabelName, sdkSeries, sloSeries } from '../spec/naming.js';
import type { TelemetrySpec } from '../spec/types.js';
import { familyNames, type FamilyType } from './exposition.js';
import { OVERFLOW_ATTRIBUTE } from './series-table.js';

const SECTIONS = [
  ['counters', 'counter'],
  ['gauges', 'gauge'],
  ['histograms', 'histogram'],
] as const satisfies readonly (readonly [string, FamilyType])[];

type Section = (typeof SECTIONS)[number][0];

/** Why a label name cannot be an attribute's, by the kind of instrument; undefined when it can. */
function reservedLabel(label: string, type: FamilyType): string | undefined {
  if (label.startsWith('__'))
    return 'names starting with "__" are Prometheus\' own (__name__ is the metric name), and it refuses the whole scrape of a target that writes one';
  if (label === 'le')
    return type === 'histogram'
      ? "it is the label of a histogram's buckets: it would be written twice on every bucket line, and Prometheus fails the whole scrape (up=0)"
      : `it is the label of a histogram's buckets (histogram_quantile reads it; promtool's lint refuses it on a ${type})`;
  if (label === 'quantile')
    return `it is the label of a summary's quantiles (promtool's lint refuses it on a ${type})`;
  if (label === 'job' || label === 'instance')
    return `Prometheus sets it on every scraped series (the target's ${label}): it renames the service's own to exported_${label}, so dashboards, SLO rules and alerts that select ${label} read the scrape's value instead`;
  if (label === sanitizeLabelName(OVERFLOW_ATTRIBUTE))
    return `it is the label of the overflow series that measurements past cardinalityLimit go to`;
  return undefined;
}

/**
 * Every name an instrument writes on /metrics, in 0.0.4 and OpenMetrics: its family names, a
 * histogram's _bucket/_sum/_count and the _created line of OpenMetrics.
 */
function writtenNames(name: string, unit: string | undefined, type: FamilyType): string[] {
  const { textName, openMetricsName } = familyNames(name, unit, type);
  if (type === 'histogram')
    return [textName, `${textName}_bucket`, `${textName}_sum`, `${textName}_count`, `${textName}_created`];
  if (type === 'counter') return [textName, openMetricsName, `${openMetricsName}_created`];
  return [textName];
}

/** The names plumbline's own metrics write (a counter's family name without _total too). */
function ownNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const name of [
    ...Object.values(sdkSeries),
    sloSeries.burnRateGauge,
    sloSeries.errorBudgetRemainingGauge,
    sloSeries.alertFiringGauge,
  ]) {
    names.set(name, name);
    if (name.endsWith('_total')) names.set(name.slice(0, -'_total'.length), name);
  }
  return names;
}

export function checkPrometheusNames(spec: TelemetrySpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const own = ownNames();
  /** Written name -> the instrument that writes it first (section, name). */
  const writers = new Map<string, { section: Section; name: string }>();
  for (const [section, type] of SECTIONS) {
    const instruments = spec[section];
    if (typeof instruments !== 'object' || instruments === null) continue;
    for (const [name, instrument] of Object.entries(instruments)) {
      if (typeof instrument !== 'object' || instrument === null) continue; // the structure check's
      issues.push(
        ...attributeIssues(section, name, type, (instrument as { attributes?: unknown }).attributes),
      );

      const unit = (instrument as { unit?: unknown }).unit;
      const written = writtenNames(name, typeof unit === 'string' ? unit : undefined, type);
      const path = specPath(section, name);
      // One name in two sections is the reference check's "is also declared in" already.
      const clash = written.find((at) => own.has(at) || (writers.get(at)?.name ?? name) !== name);
      if (clash !== undefined) {
        const other = writers.get(clash);
        issues.push({
          path,
          message:
            own.has(clash) || other === undefined
              ? `is written as "${written[0]!}" on /metrics, and "${clash}" is written by plumbline's own metric ${own.get(clash)!}; rename the instrument`
              : `is written as "${written[0]!}" on /metrics, and "${clash}" is also written by ${specPath(other.section, other.name)}: Prometheus would take the two for one metric; rename one`,
        });
      }
      for (const at of written) if (!writers.has(at)) writers.set(at, { section, name });
    }
  }
  return issues;
}

/** Attributes that are reserved as labels, or that become the label of another attribute. */
function attributeIssues(
  section: Section,
  instrument: string,
  type: FamilyType,
  attributes: unknown,
): SpecIssue[] {
  if (!Array.isArray(attributes)) return [];
  const issues: SpecIssue[] = [];
  const byLabel = new Map<string, number>();
  attributes.forEach((attribute: unknown, index) => {
    if (typeof attribute !== 'string') return;
    const path = specPath(section, instrument, 'attributes', index);
    const label = sanitizeLabelName(attribute);
    const reserved = reservedLabel(label, type);
    if (reserved !== undefined) {
      issues.push({
        path,
        message: `is the Prometheus label "${label}", which is reserved: ${reserved}; rename the attribute`,
      });
      return;
    }
    const first = byLabel.get(label);
    if (first === undefined) byLabel.set(label, index);
    // The same name twice is the structure check's (uniqueItems).
    else if (attributes[first] !== attribute)
      issues.push({
        path,
        message: `is the Prometheus label "${label}", as is attributes[${first}] (${JSON.stringify(attributes[first])}): a label written twice on one line fails the whole scrape (up=0); rename one`,
      });
  });
  return issues;
}
