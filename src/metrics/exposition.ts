// Writes the registry as Prometheus text 0.0.4 or OpenMetrics 1.0 text. Names, `le` spellings
// and label blocks are prepared once (here and at series creation); a scrape only concatenates.
// OpenMetrics adds what 0.0.4 cannot carry: exemplars on bucket and `_total` lines, `# UNIT`,
// `_created` and the closing `# EOF`.
import type { Attributes } from '@opentelemetry/api';
import {
  formatPrometheusFloat,
  prometheusBaseName,
  prometheusCounterName,
  prometheusUnit,
  sanitizeLabelName,
} from '../spec/naming.js';
import type { ExpositionFormat } from './content-negotiation.js';
import type { ExemplarReservoir } from './exemplar-reservoir.js';
import type { MetricRegistry } from './registry.js';
import { canonicalValue, escapeLabelValue } from './series-table.js';
import type { SelfSample } from './self-metrics.js';

/** OpenMetrics 1.0: the combined length of an exemplar's label names and values, in code points. */
export const EXEMPLAR_LABEL_LIMIT = 128;

interface Family {
  /** The name on `# TYPE` lines, per format (OpenMetrics counters drop `_total`). */
  readonly textName: string;
  readonly openMetricsName: string;
  readonly help: string;
  readonly unitWord: string;
  /** Attribute keys that are series labels, so they are not repeated as exemplar labels. */
  readonly declared: ReadonlySet<string>;
}

export class Exposition {
  private readonly histogramFamilies: Family[];
  private readonly histogramLe: string[][];
  private readonly counterFamilies: Family[];
  private readonly gaugeFamilies: Family[];

  constructor(private readonly registry: MetricRegistry) {
    this.histogramFamilies = registry.histograms.map((h) =>
      family(prometheusBaseName(h.name, h.spec.unit), h.spec.description, h.spec.unit, h.spec.attributes),
    );
    this.histogramLe = registry.histograms.map((h) =>
      [...h.boundaries, Infinity].map((bound) => `le="${formatPrometheusFloat(bound)}"} `),
    );
    this.counterFamilies = registry.counters.map((c) =>
      family(prometheusCounterName(c.name, c.spec.unit), c.spec.description, c.spec.unit, c.spec.attributes),
    );
    this.gaugeFamilies = registry.gauges.map((g) =>
      family(prometheusBaseName(g.name, g.spec.unit), g.spec.description, g.spec.unit, g.spec.attributes),
    );
  }

  write(format: ExpositionFormat): string {
    const om = format === 'openmetrics';
    const registry = this.registry;
    let out = '';

    registry.histograms.forEach((histogram, h) => {
      const fam = this.histogramFamilies[h]!;
      const name = fam.textName;
      out += header(fam, 'histogram', om);
      const le = this.histogramLe[h]!;
      const all = histogram.table.withOverflow;
      for (const series of all) {
        const { labelPrefix, labelBlock } = series.identity;
        const open = `${name}_bucket{${labelPrefix}`;
        const counts = series.counts;
        const exemplars = om ? series.exemplars : undefined;
        let cumulative = 0;
        for (let i = 0; i < counts.length; i++) {
          cumulative += counts[i]!;
          out += open + le[i]! + cumulative;
          if (exemplars !== undefined && exemplars.isFilled(i))
            out += this.exemplar(exemplars, i, fam, histogram.name);
          out += '\n';
        }
        out += `${name}_sum${labelBlock} ${formatValue(series.sum)}\n${name}_count${labelBlock} ${series.count}\n`;
        if (om) out += `${name}_created${labelBlock} ${series.identity.createdMs / 1000}\n`;
      }
    });

    registry.counters.forEach((counter, c) => {
      const fam = this.counterFamilies[c]!;
      out += header(fam, 'counter', om);
      const sampleName = fam.textName;
      const all = counter.table.withOverflow;
      for (const series of all) {
        const { labelBlock } = series.identity;
        out += `${sampleName}${labelBlock} ${formatValue(series.value)}`;
        if (om && series.exemplars !== undefined && series.exemplars.isFilled(0))
          out += this.exemplar(series.exemplars, 0, fam, counter.name);
        out += '\n';
        if (om) out += `${fam.openMetricsName}_created${labelBlock} ${series.identity.createdMs / 1000}\n`;
      }
    });

    registry.gauges.forEach((gauge, g) => {
      const fam = this.gaugeFamilies[g]!;
      out += header(fam, 'gauge', om);
      const all = gauge.table.withOverflow;
      for (const series of all)
        out += `${fam.textName}${series.identity.labelBlock} ${formatValue(series.value)}\n`;
    });

    for (const counter of registry.selfCounters)
      out += selfFamily(counter.name, counter.help, 'counter', counter.samples(), om);
    for (const gauge of registry.selfGauges)
      out += selfFamily(gauge.name, gauge.help, gauge.type, gauge.samples(), om);

    if (om) out += '# EOF\n';
    return out;
  }

  // ` # {trace_id="…",span_id="…",…} value timestamp`: the limit is applied here, at scrape
  // time, so recording never measures label lengths.
  private exemplar(reservoir: ExemplarReservoir, slot: number, fam: Family, metric: string): string {
    const parts: string[] = [];
    let used = 0;
    const traceId = reservoir.traceIds[slot]!;
    if (traceId !== '') {
      parts.push(`trace_id="${traceId}"`, `span_id="${reservoir.spanIds[slot]!}"`);
      used += 'trace_id'.length + traceId.length + 'span_id'.length + reservoir.spanIds[slot]!.length;
    }
    const attributes: Attributes | undefined = reservoir.attributes[slot];
    if (attributes !== undefined) {
      let dropped = 0;
      for (const key of Object.keys(attributes)) {
        if (fam.declared.has(key)) continue;
        const raw = attributes[key];
        if (raw === undefined || raw === null) continue;
        const labelName = sanitizeLabelName(key);
        const value = canonicalValue(raw);
        const length = codePoints(labelName) + codePoints(value);
        if (used + length > EXEMPLAR_LABEL_LIMIT) {
          dropped++;
          continue;
        }
        used += length;
        parts.push(`${labelName}="${escapeLabelValue(value)}"`);
      }
      if (dropped > 0) this.registry.onExemplarAttributesDropped(metric, dropped);
    }
    return ` # {${parts.join(',')}} ${formatValue(reservoir.values[slot]!)} ${reservoir.timesMs[slot]! / 1000}`;
  }
}

function family(
  textName: string,
  help: string,
  unit: string | undefined,
  attributes: readonly string[] | undefined,
): Family {
  return {
    textName,
    openMetricsName: textName.replace(/_total$/, ''),
    help,
    unitWord: prometheusUnit(unit),
    declared: new Set(attributes ?? []),
  };
}

function header(fam: Family, type: 'histogram' | 'counter' | 'gauge', om: boolean): string {
  if (!om) return `# HELP ${fam.textName} ${escapeHelp(fam.help, false)}\n# TYPE ${fam.textName} ${type}\n`;
  const name = type === 'counter' ? fam.openMetricsName : fam.textName;
  let text = `# TYPE ${name} ${type}\n`;
  // OpenMetrics only allows a unit that the family name ends with.
  if (fam.unitWord !== '' && name.endsWith(`_${fam.unitWord}`)) text += `# UNIT ${name} ${fam.unitWord}\n`;
  return `${text}# HELP ${name} ${escapeHelp(fam.help, true)}\n`;
}

function selfFamily(
  name: string,
  help: string,
  type: 'counter' | 'gauge',
  samples: readonly SelfSample[],
  om: boolean,
): string {
  if (samples.length === 0) return '';
  const familyName = om && type === 'counter' ? name.replace(/_total$/, '') : name;
  const sampleName = om && type === 'counter' ? `${familyName}_total` : name;
  let out = om
    ? `# TYPE ${familyName} ${type}\n# HELP ${familyName} ${escapeHelp(help, true)}\n`
    : `# HELP ${familyName} ${escapeHelp(help, false)}\n# TYPE ${familyName} ${type}\n`;
  for (const sample of samples) out += `${sampleName}${sample.labelBlock} ${formatValue(sample.value)}\n`;
  return out;
}

/** A sample value as Go's ParseFloat reads it (JS would write "Infinity"). */
export function formatValue(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

// 0.0.4 escapes \ and newline in HELP; OpenMetrics escapes the double quote too.
function escapeHelp(help: string, om: boolean): string {
  let text = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  if (om) text = text.replace(/"/g, '\\"');
  return text;
}

function codePoints(text: string): number {
  // Surrogate pairs are one code point; ASCII (the usual case) is just its length.
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) count--;
  }
  return count;
}
