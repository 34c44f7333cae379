// What the spec says a running service emits, indexed the ways the checks look it up: by
// Prometheus family name (scrapes) and by instrument name (OTLP), with labels both ways.
import { resolveSpec } from '../spec/model.js';
import {
  prometheusBaseName,
  prometheusCounterName,
  prometheusUnit,
  sanitizeLabelName,
  sdkSeries,
  sloSeries,
} from '../spec/naming.js';
import { HTTP_SERVER_DURATION_METRIC } from '../spec/semconv-http.js';
import type { TelemetrySpec } from '../spec/types.js';

export type InstrumentKind = 'histogram' | 'counter' | 'gauge';

/** The default cardinality cap of an instrument (metrics SDK: 2000 attribute sets). */
export const DEFAULT_CARDINALITY_LIMIT = 2000;

export interface ExpectedInstrument {
  readonly name: string;
  readonly kind: InstrumentKind;
  readonly unit: string;
  /** The OpenMetrics family name (counters without `_total`). */
  readonly family: string;
  /** Declared attribute names. */
  readonly attributes: ReadonlySet<string>;
  /** Prometheus label name → attribute name. */
  readonly labels: ReadonlyMap<string, string>;
  /** Histograms: the planned finite upper boundaries. */
  readonly boundaries?: readonly number[];
  /**
   * Histograms: exemplars expected on buckets whose upper bound is above minValue. Counters:
   * whether exemplars are allowed at all (minValue -Infinity). Gauges: none (never allowed).
   */
  readonly exemplars?: { readonly enabled: boolean; readonly minValue: number };
  readonly cardinalityLimit: number;
  /** Follows the OTel HTTP server metric convention. */
  readonly httpServerConvention: boolean;
}

export interface ExpectedTelemetry {
  readonly byFamily: ReadonlyMap<string, ExpectedInstrument>;
  readonly byName: ReadonlyMap<string, ExpectedInstrument>;
  /** plumbline's own series (OpenMetrics family names): always allowed on /metrics. */
  readonly sdkFamilies: ReadonlySet<string>;
  /** Field names declared sensitive by any event. */
  readonly sensitiveFields: ReadonlySet<string>;
}

/** OTel's overflow attribute and its Prometheus label, carried by the overflow series. */
export const OVERFLOW_LABEL = 'otel_metric_overflow';

export function expectedTelemetry(spec: TelemetrySpec): ExpectedTelemetry {
  const byFamily = new Map<string, ExpectedInstrument>();
  const byName = new Map<string, ExpectedInstrument>();
  const add = (instrument: ExpectedInstrument) => {
    byFamily.set(instrument.family, instrument);
    byName.set(instrument.name, instrument);
  };
  const common = (name: string, unit: string | undefined, attributes: readonly string[] | undefined) => ({
    name,
    unit: unit ?? '',
    attributes: new Set(attributes ?? []),
    labels: new Map((attributes ?? []).map((a) => [sanitizeLabelName(a), a])),
    httpServerConvention: name === HTTP_SERVER_DURATION_METRIC,
  });
  for (const { name, spec: h, boundaries } of Object.values(resolveSpec(spec).histograms)) {
    add({
      ...common(name, h.unit, h.attributes),
      kind: 'histogram',
      family: prometheusBaseName(name, h.unit),
      boundaries,
      exemplars: { enabled: h.exemplars?.enabled !== false, minValue: h.exemplars?.minValue ?? -Infinity },
      cardinalityLimit: h.cardinalityLimit ?? DEFAULT_CARDINALITY_LIMIT,
    });
  }
  for (const [name, c] of Object.entries(spec.counters ?? {})) {
    add({
      ...common(name, c.unit, c.attributes),
      kind: 'counter',
      family: prometheusCounterName(name, c.unit).replace(/_total$/, ''),
      exemplars: { enabled: c.exemplars?.enabled !== false, minValue: -Infinity },
      cardinalityLimit: c.cardinalityLimit ?? DEFAULT_CARDINALITY_LIMIT,
    });
  }
  for (const [name, g] of Object.entries(spec.gauges ?? {})) {
    add({
      ...common(name, g.unit, g.attributes),
      kind: 'gauge',
      family: prometheusBaseName(name, g.unit),
      cardinalityLimit: g.cardinalityLimit ?? DEFAULT_CARDINALITY_LIMIT,
    });
  }
  const sdkFamilies = new Set<string>(
    [
      ...Object.values(sdkSeries),
      sloSeries.burnRateGauge,
      sloSeries.errorBudgetRemainingGauge,
      sloSeries.alertFiringGauge,
      // The resource as a metric, which OTel's Prometheus exporters write (compatibility spec):
      // family `target` of type info in OpenMetrics, `target_info` in 0.0.4 text.
      'target',
      'target_info',
    ].map((name) => name.replace(/_total$/, '')),
  );
  const sensitiveFields = new Set<string>();
  for (const event of Object.values(spec.events))
    for (const [field, fieldSpec] of Object.entries(event.fields))
      if (fieldSpec.sensitive === true) sensitiveFields.add(field);
  return { byFamily, byName, sdkFamilies, sensitiveFields };
}

/** The unit word a family's `# UNIT` line must carry for an instrument ('' when none). */
export function expectedUnitWord(instrument: ExpectedInstrument): string {
  return prometheusUnit(instrument.unit);
}
