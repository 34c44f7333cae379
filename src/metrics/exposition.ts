// Writes the registry as Prometheus text 0.0.4 or OpenMetrics 1.0 text. Names, `le` spellings
// and label blocks are prepared once (here and at series creation); a scrape copies their bytes
// into one buffer, so it allocates one string at the end rather than a rope of small pieces.
// OpenMetrics adds what 0.0.4 cannot carry: exemplars on bucket and `_total` lines, `# UNIT`,
// `_created` and the closing `# EOF`.
import { isAscii } from 'node:buffer';
import type { Attributes } from '@opentelemetry/api';
import {
  formatPrometheusFloat,
  prometheusBaseName,
  prometheusCounterName,
  prometheusUnit,
  sanitizeLabelName,
} from '../spec/naming.js';
import type { ExpositionFormat } from './content-negotiation.js';
import { readFilteredAttributes } from './exemplar-attributes.js';
import type { ExemplarReservoir } from './exemplar-reservoir.js';
import type { MetricRegistry } from './registry.js';
import { canonicalValue, escapeLabelValue, type SeriesIdentity } from './series-table.js';
import type { SelfFamilyHeader, SelfSample } from './self-metrics.js';

/** OpenMetrics 1.0: the combined length of an exemplar's label names and values, in code points. */
export const EXEMPLAR_LABEL_LIMIT = 128;
/** The labels an exemplar's trace is written as: no filtered attribute takes their names. */
const EXEMPLAR_TRACE_LABELS = ['trace_id', 'span_id'];

export type FamilyType = 'histogram' | 'counter' | 'gauge';

/**
 * A family's names in both formats and its unit: the spec's instruments and the meter provider's
 * (telemetry/meter-provider-scrape-reader.ts) are named by the same rules.
 */
export interface FamilyNames {
  readonly type: FamilyType;
  /** The name on samples and on 0.0.4 `# TYPE` lines (a counter's ends in `_total`). */
  readonly textName: string;
  /** The name on OpenMetrics metadata lines: a counter's without `_total`. */
  readonly openMetricsName: string;
  /** The unit OpenMetrics `# UNIT` names, '' for none. */
  readonly unitWord: string;
}

interface Family extends FamilyNames {
  readonly help: string;
  /** Attribute keys that are series labels, so they are not repeated as exemplar labels. */
  readonly declared: ReadonlySet<string>;
}

interface SeriesLines {
  /** `name_bucket{labels,` */
  readonly bucket: Uint8Array;
  /** `name_sum{labels} ` */
  readonly sum: Uint8Array;
  /** `\nname_count{labels} ` */
  readonly count: Uint8Array;
  /** `name_created{labels} seconds\n` (OpenMetrics) */
  readonly created: Uint8Array;
}

export class Exposition {
  private readonly histogramFamilies: Family[];
  private readonly histogramLe: Uint8Array[][];
  private readonly counterFamilies: Family[];
  private readonly gaugeFamilies: Family[];
  private readonly seriesLines = new WeakMap<SeriesIdentity, SeriesLines>();
  /** Bytes of the last scrape: the next one starts with a buffer that size. */
  private lastLength = 64 * 1024;

  constructor(private readonly registry: MetricRegistry) {
    this.histogramFamilies = registry.histograms.map((h) => family(h.name, 'histogram', h.spec));
    this.histogramLe = registry.histograms.map((h) =>
      [...h.boundaries, Infinity].map((bound) => Buffer.from(`le="${formatPrometheusFloat(bound)}"} `)),
    );
    this.counterFamilies = registry.counters.map((c) => family(c.name, 'counter', c.spec));
    this.gaugeFamilies = registry.gauges.map((g) => family(g.name, 'gauge', g.spec));
  }

  write(format: ExpositionFormat): string {
    const om = format === 'openmetrics';
    const registry = this.registry;
    const out = new TextBuffer(this.lastLength);

    registry.histograms.forEach((histogram, h) => {
      const fam = this.histogramFamilies[h]!;
      const name = fam.textName;
      out.text(familyHeader(fam, fam.help, om));
      const le = this.histogramLe[h]!;
      const all = histogram.table.withOverflow;
      for (const series of all) {
        const lines = this.histogramLines(name, series.identity);
        const counts = series.counts;
        const exemplars = om ? series.exemplars : undefined;
        let cumulative = 0;
        for (let i = 0; i < counts.length; i++) {
          cumulative += counts[i]!;
          out.bytes(lines.bucket);
          out.bytes(le[i]!);
          out.count(cumulative);
          if (exemplars !== undefined && exemplars.isFilled(i))
            out.text(this.exemplar(exemplars, i, fam, histogram.name));
          out.newline();
        }
        out.bytes(lines.sum);
        out.text(formatValue(series.sum));
        out.bytes(lines.count);
        out.count(series.count);
        out.newline();
        if (om) out.bytes(lines.created);
      }
    });

    registry.counters.forEach((counter, c) => {
      const fam = this.counterFamilies[c]!;
      out.text(familyHeader(fam, fam.help, om));
      const sampleName = fam.textName;
      const all = counter.table.withOverflow;
      for (const series of all) {
        const { labelBlock } = series.identity;
        out.text(`${sampleName}${labelBlock} ${formatValue(series.value)}`);
        if (om && series.exemplars !== undefined && series.exemplars.isFilled(0))
          out.text(this.exemplar(series.exemplars, 0, fam, counter.name));
        out.newline();
        if (om) out.text(`${fam.openMetricsName}_created${labelBlock} ${series.identity.createdMs / 1000}\n`);
      }
    });

    registry.gauges.forEach((gauge, g) => {
      const fam = this.gaugeFamilies[g]!;
      out.text(familyHeader(fam, fam.help, om));
      const all = gauge.table.withOverflow;
      for (const series of all)
        out.text(`${fam.textName}${series.identity.labelBlock} ${formatValue(series.value)}\n`);
    });

    for (const counter of registry.selfCounters)
      out.text(selfFamily(counter.name, counter.help, 'counter', counter.samples(), om));
    const writeSelfGauge = (gauge: SelfFamilyHeader, samples: SelfSample[]) =>
      out.text(selfFamily(gauge.name, gauge.help, gauge.type, samples, om));
    for (const group of registry.selfGauges) group.collect(writeSelfGauge);

    if (om) out.text('# EOF\n');
    this.lastLength = out.length;
    return out.toString();
  }

  /** A histogram series' fixed line starts, encoded once per series (a scrape writes them again and again). */
  private histogramLines(name: string, identity: SeriesIdentity): SeriesLines {
    let lines = this.seriesLines.get(identity);
    if (lines === undefined) {
      const { labelPrefix, labelBlock, createdMs } = identity;
      lines = {
        bucket: Buffer.from(`${name}_bucket{${labelPrefix}`),
        sum: Buffer.from(`${name}_sum${labelBlock} `),
        count: Buffer.from(`\n${name}_count${labelBlock} `),
        created: Buffer.from(`${name}_created${labelBlock} ${createdMs / 1000}\n`),
      };
      this.seriesLines.set(identity, lines);
    }
    return lines;
  }

  // ` # {trace_id="…",span_id="…",…} value timestamp`: the limit is applied here, at scrape
  // time, so recording never measures label lengths. Each label name is written once: trace_id
  // and span_id are the exemplar's own, and of the attributes that sanitize to one label name
  // the first that fits is kept; what is left out is counted.
  private exemplar(reservoir: ExemplarReservoir, slot: number, fam: Family, metric: string): string {
    const parts: string[] = [];
    let used = 0;
    const { traceId, spanId } = reservoir.traces[slot]!;
    if (traceId !== '') {
      parts.push(`trace_id="${traceId}"`, `span_id="${spanId}"`);
      used += 'trace_id'.length + traceId.length + 'span_id'.length + spanId.length;
    }
    const { attributes, dropped: unwritable } = readFilteredAttributes(
      reservoir.attributes[slot],
      fam.declared,
    );
    let dropped = unwritable;
    let names: Set<string> | undefined;
    for (const key of Object.keys(attributes)) {
      const labelName = sanitizeLabelName(key);
      names ??= new Set(EXEMPLAR_TRACE_LABELS);
      // An empty key would be written as `=""`, and Prometheus refuses the whole scrape for it
      // ("expected label name"), as it does for a NUL in an exemplar's label value ("expected
      // label value"; a NUL in a series' label value it takes): OpenMetrics has no escape for it.
      if (labelName === '' || names.has(labelName)) {
        dropped++;
        continue;
      }
      const value = canonicalValue(attributes[key]);
      if (value.includes('\u0000')) {
        dropped++;
        continue;
      }
      // A label name is ASCII (sanitized): its length is its code points.
      const length = labelName.length + codePoints(value);
      if (used + length > EXEMPLAR_LABEL_LIMIT) {
        dropped++;
        continue;
      }
      names.add(labelName);
      used += length;
      parts.push(`${labelName}="${escapeLabelValue(value)}"`);
    }
    if (dropped > 0) this.registry.onExemplarAttributesDropped(metric, dropped);
    return ` # {${parts.join(',')}} ${formatValue(reservoir.values[slot]!)} ${reservoir.timesMs[slot]! / 1000}`;
  }
}

/**
 * `a="x",b="y"` for an OTel instrument's attributes (the meter provider's, which no spec check
 * has seen), in the order of the sorted keys. Keys that sanitize to one label name (`a.b` and
 * `a_b`) become that label once, their values joined with ";" in the lexicographic order of the
 * keys, as the OTel spec's Prometheus compatibility ("Metric Attributes") says: a label written
 * twice makes Prometheus refuse the whole scrape ("label name is not unique"). `reserved`: the
 * label names the family writes itself (a histogram's `le`), written as `exported_<name>`.
 */
export function attributeLabelPairs(attributes: Attributes, reserved?: ReadonlySet<string>): string {
  const byLabel = new Map<string, string>();
  for (const key of Object.keys(attributes).sort()) {
    const label = exportedLabelName(sanitizeLabelName(key), reserved);
    const value = canonicalValue(attributes[key]);
    const seen = byLabel.get(label);
    byLabel.set(label, seen === undefined ? value : `${seen};${value}`);
  }
  const pairs: string[] = [];
  for (const [label, value] of byLabel) pairs.push(`${label}="${escapeLabelValue(value)}"`);
  return pairs.join(',');
}

/**
 * A label name Prometheus would refuse the whole scrape for, as Prometheus renames a target
 * label's clash: `exported_` before it. An empty key (`{=""}`: "expected label name"), `__name__`
 * (the metric's name, "label name is not unique") and, on a histogram, `le` (the bucket's) come
 * from an app that passes request input on as a meter-provider instrument's attributes (`?le=1`
 * took every series of the service off Prometheus until the process restarted).
 */
function exportedLabelName(label: string, reserved: ReadonlySet<string> | undefined): string {
  return label === '' || label === '__name__' || reserved?.has(label) === true ? `exported_${label}` : label;
}

/** The names of an OTel instrument's family (spec or meter provider): a counter's with `_total`. */
export function familyNames(instrument: string, unit: string | undefined, type: FamilyType): FamilyNames {
  return namedFamily(
    type === 'counter' ? prometheusCounterName(instrument, unit) : prometheusBaseName(instrument, unit),
    type,
    prometheusUnit(unit),
  );
}

function namedFamily(textName: string, type: FamilyType, unitWord: string): FamilyNames {
  const openMetricsName = type === 'counter' ? textName.replace(/_total$/, '') : textName;
  return { type, textName, openMetricsName, unitWord };
}

function family(
  instrument: string,
  type: FamilyType,
  spec: { readonly description: string; readonly unit?: string; readonly attributes?: readonly string[] },
): Family {
  const names = familyNames(instrument, spec.unit, type);
  return { ...names, help: spec.description, declared: new Set(spec.attributes ?? []) };
}

/** The metadata lines before a family's samples: 0.0.4 HELP and TYPE; OpenMetrics TYPE, UNIT, HELP. */
export function familyHeader(names: FamilyNames, help: string, om: boolean): string {
  if (!om)
    return `# HELP ${names.textName} ${escapeHelp(help, false)}\n# TYPE ${names.textName} ${names.type}\n`;
  const name = names.openMetricsName;
  let text = `# TYPE ${name} ${names.type}\n`;
  // OpenMetrics only allows a unit that the family name ends with.
  if (names.unitWord !== '' && name.endsWith(`_${names.unitWord}`))
    text += `# UNIT ${name} ${names.unitWord}\n`;
  return `${text}# HELP ${name} ${escapeHelp(help, true)}\n`;
}

function selfFamily(
  name: string,
  help: string,
  type: 'counter' | 'gauge',
  samples: readonly SelfSample[],
  om: boolean,
): string {
  if (samples.length === 0) return '';
  const names = namedFamily(name, type, '');
  const sampleName = om && type === 'counter' ? `${names.openMetricsName}_total` : name;
  let out = familyHeader(names, help, om);
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
export function escapeHelp(help: string, om: boolean): string {
  let text = help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  if (om) text = text.replace(/"/g, '\\"');
  return text;
}

/**
 * Code points as the text is written in UTF-8: a surrogate pair is one, and so is a lone
 * surrogate (written as U+FFFD). ASCII, the usual case, is just its length.
 */
function codePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

const NEWLINE = 0x0a;

/**
 * The scrape's bytes. A rope of a scrape's many small strings survives young-generation GC
 * (it is held until the response is sent) and was copied on promotion: most of a scrape's time
 * went to GC. Here the pieces are copied into one growing buffer and become one string at the end.
 */
class TextBuffer {
  private buffer: Buffer;
  length = 0;

  constructor(initial: number) {
    // Room for some growth, and for text()'s worst-case check near the end, without a copy.
    this.buffer = Buffer.allocUnsafe(Math.max(1024, initial + (initial >> 3) + 4096));
  }

  bytes(bytes: Uint8Array): void {
    if (this.length + bytes.length > this.buffer.length) this.grow(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  text(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.length + text.length * 3 > this.buffer.length) this.grow(text.length * 3);
    this.length += this.buffer.write(text, this.length);
  }

  /** A whole number as decimal digits, without a string in between; others as formatValue writes them. */
  count(value: number): void {
    if (!(value >= 0 && value <= Number.MAX_SAFE_INTEGER && Number.isInteger(value))) {
      this.text(formatValue(value));
      return;
    }
    if (this.length + 16 > this.buffer.length) this.grow(16);
    const buffer = this.buffer;
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.length + digits;
    this.length = at;
    let rest = value;
    do {
      buffer[--at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  newline(): void {
    if (this.length + 1 > this.buffer.length) this.grow(1);
    this.buffer[this.length++] = NEWLINE;
  }

  toString(): string {
    return this.buffer.toString(
      isAscii(this.buffer.subarray(0, this.length)) ? 'latin1' : 'utf8',
      0,
      this.length,
    );
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + needed));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}
