// Attribute sets -> series for one instrument, with the cardinality cap. Lookups walk a small
// tree of Maps keyed by the raw attribute values (one Map.get per declared attribute, no key
// string built, no allocation); only a miss takes the slow path that canonicalises the values.
import { Buffer } from 'node:buffer';
import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { sanitizeLabelName } from '../spec/naming.js';

/** What every series keeps about its identity; labels are rendered once, at creation. */
export interface SeriesIdentity {
  /** The declared attributes of this series, values as strings (absent ones left out). */
  readonly attributes: Attributes;
  /** `a="x",b="y"` (escaped), '' without attributes. */
  readonly labels: string;
  /** `{a="x",b="y"}` or '' - what follows a sample name. */
  readonly labelBlock: string;
  /** `a="x",b="y",` or '' - what precedes `le=` in a bucket line. */
  readonly labelPrefix: string;
  /** When the series was created (ms since the epoch): `_created` and the OTLP start time. */
  readonly createdMs: number;
}

export type SeriesFactory<T> = (identity: SeriesIdentity, overflow: boolean) => T;

/** OTel's overflow attribute (metrics SDK spec, "Cardinality limits"). */
export const OVERFLOW_ATTRIBUTE = 'otel.metric.overflow';
const EMPTY: Attributes = Object.freeze({});
type Node = Map<unknown, unknown>;
/** Distinct undeclared attribute names kept per instrument; later ones are counted under OTHER. */
export const MAX_UNDECLARED_ATTRIBUTES = 16;
/** Where undeclared attribute names past MAX_UNDECLARED_ATTRIBUTES (or too long to be a label value) are counted. */
export const OTHER_UNDECLARED_ATTRIBUTES = '(other)';
/**
 * The most UTF-8 bytes of one label value, by default: Cortex, Mimir and Loki refuse a series
 * whose label value is longer (max_label_value_length, 2048), and a Prometheus scrape config's
 * label_value_length_limit fails the whole target past its own. OTel exempts metric attributes
 * from OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, so this bound is plumbline's.
 */
export const DEFAULT_LABEL_VALUE_LENGTH_LIMIT = 2048;

/** Per-table settings beyond the attribute names and the cardinality cap. */
export interface SeriesTableLimits {
  /** Most UTF-8 bytes of a label value; longer ones are cut (DEFAULT_LABEL_VALUE_LENGTH_LIMIT). */
  readonly labelValueLengthLimit?: number;
  /** Told how many values a measurement (or a binding) had cut, when they key a series. */
  readonly onValuesTruncated?: (count: number) => void;
  /**
   * Told how many values of a measurement (or a binding) were objects, or lists holding one (no
   * OTel attribute value): each keys its series by its JSON text (canonicalValue).
   */
  readonly onValuesNotPrimitive?: (count: number) => void;
  /** What the overflow series keep of a measurement's attributes; without it, nothing. */
  readonly overflowSplit?: OverflowSplit;
}

/**
 * Declared attributes the overflow series keep, so that queries reading them (an SLO's `bad` and
 * `where`) still count overflowed measurements right: `{outcome="error",otel_metric_overflow="true"}`.
 * sdk-metrics keeps one overflow series with the overflow attribute only.
 */
export interface OverflowSplit {
  /** Each kept attribute, with the values it keeps: any other value is left out, as absent. */
  readonly attributes: readonly { readonly name: string; readonly keeps: (value: string) => boolean }[];
  /**
   * Most overflow series beside the one without kept attributes; past it, measurements go to
   * that one (the kept attributes lost) and are told to onFolded.
   */
  readonly maxSeries: number;
  readonly onFolded?: (count: number) => void;
}

export class SeriesTable<T> {
  /** Every series in creation order, without the overflow series. */
  readonly series: T[] = [];
  /** The overflow series without kept attributes, created on the first measurement that goes there. */
  overflow: T | undefined;
  /** The overflow series that keep attributes (OverflowSplit), in creation order. */
  readonly splitOverflow: T[] = [];

  /** Every series, the overflow series last (what exposition and export walk). */
  get withOverflow(): readonly T[] {
    if (this.splitOverflow.length === 0)
      return this.overflow === undefined ? this.series : [...this.series, this.overflow];
    const all = [...this.series, ...this.splitOverflow];
    if (this.overflow !== undefined) all.push(this.overflow);
    return all;
  }
  /** Measurements that went to an overflow series through `lookup` (bound handles re-enter it). */
  overflowMeasurements = 0;
  /**
   * Attribute names the instrument does not declare, by how many series a measurement carrying
   * them created: such an attribute is no label (OTel keeps it on exemplars only), so a typo or a
   * renamed key would otherwise vanish without a trace. Seen on the slow path only (a new series;
   * without declared attributes, the first measurement that carries any): the record path pays
   * nothing. At most MAX_UNDECLARED_ATTRIBUTES names, then OTHER_UNDECLARED_ATTRIBUTES.
   */
  readonly undeclared = new Map<string, number>();
  private readonly declared: ReadonlySet<string>;
  private onlyNoticed = false;
  private readonly root: Node = new Map();
  private readonly byKey = new Map<string, T>();
  private readonly labelNames: readonly string[];
  private readonly only: T | undefined;
  // Each series can be reached through a few raw spellings (200 and '200'); past this many
  // tree entries new spellings take the slow path instead of growing memory.
  private aliasBudget: number;
  private readonly valueLimit: number;
  private readonly onValuesTruncated: ((count: number) => void) | undefined;
  private readonly onValuesNotPrimitive: ((count: number) => void) | undefined;
  private readonly split: OverflowSplit | undefined;
  /** Where each kept attribute of `split` is among attributeNames. */
  private readonly splitIndexes: readonly number[] = [];
  private readonly splitByKey = new Map<string, T>();
  private readonly splitSet = new Set<T>();
  /** Set while seriesForBinding looks up: a binding is no measurement, so no fold is counted. */
  private binding = false;

  constructor(
    private readonly attributeNames: readonly string[],
    private readonly limit: number,
    private readonly create: SeriesFactory<T>,
    private readonly now: () => number,
    limits: SeriesTableLimits = {},
  ) {
    this.valueLimit = limits.labelValueLengthLimit ?? DEFAULT_LABEL_VALUE_LENGTH_LIMIT;
    this.onValuesTruncated = limits.onValuesTruncated;
    this.onValuesNotPrimitive = limits.onValuesNotPrimitive;
    const split = limits.overflowSplit;
    if (split !== undefined) {
      // Only declared attributes are labels; the spec check refuses SLO keys that are not.
      const kept = split.attributes
        .filter(({ name }) => attributeNames.includes(name))
        .sort((a, b) => attributeNames.indexOf(a.name) - attributeNames.indexOf(b.name));
      if (kept.length > 0) {
        this.split = { ...split, attributes: kept };
        this.splitIndexes = kept.map(({ name }) => attributeNames.indexOf(name));
      }
    }
    this.labelNames = attributeNames.map(sanitizeLabelName);
    this.declared = new Set(attributeNames);
    this.aliasBudget = 4 * limit;
    // Without attributes there is one series; create it now so it is exposed (at 0) from the start.
    if (attributeNames.length === 0) {
      this.only = this.createSeries(EMPTY);
    }
  }

  /** The series for these attributes (only declared keys count), the overflow series past the cap. */
  lookup(attributes: Attributes | undefined): T {
    const only = this.only;
    if (only !== undefined) {
      if (!this.onlyNoticed && attributes !== undefined && attributes !== null) this.noticeOnly(attributes);
      return only;
    }
    const attrs = attributes ?? EMPTY;
    const names = this.attributeNames;
    const last = names.length - 1;
    let node = this.root;
    for (let i = 0; i < last; i++) {
      const next = node.get(attrs[names[i]!]) as Node | undefined;
      if (next === undefined) return this.resolve(attrs);
      node = next;
    }
    const found = node.get(attrs[names[last]!]) as T | undefined;
    return found === undefined ? this.resolve(attrs) : found;
  }

  /**
   * `lookup` for a measurement the app handed over: undefined when its attributes cannot be read
   * (a getter or a Proxy that throws), which the caller counts rather than throws into the app.
   */
  lookupReadable(attributes: Attributes | undefined): T | undefined {
    try {
      return this.lookup(attributes);
    } catch {
      return undefined;
    }
  }

  /**
   * The series a bound handle will use: like `lookupReadable`, but binding itself is no
   * measurement. undefined when the attributes cannot be read.
   */
  seriesForBinding(attributes: Attributes): T | undefined {
    const counted = this.overflowMeasurements;
    this.binding = true;
    try {
      return this.lookupReadable(attributes);
    } finally {
      this.overflowMeasurements = counted;
      this.binding = false;
    }
  }

  /** True for an overflow series (bound handles to it re-enter `lookup`, which counts). */
  isOverflow(series: T): boolean {
    return series === this.overflow || this.splitSet.has(series);
  }

  get size(): number {
    return this.series.length;
  }

  private resolve(attrs: Attributes): T {
    const names = this.attributeNames;
    // Well-formed before they key a series: 'a\uD800' and 'a\uDBFF' are both written as
    // 'a\uFFFD', so they are one series (two would be two identical lines on /metrics). Only a
    // miss of the tree comes here, so the record path of a seen spelling pays nothing.
    // A value past the length limit is cut here too, and so keys the series of its cut form.
    let truncated = 0;
    let objects = 0;
    const values = names.map((name) => {
      const raw = attrs[name];
      if (notPrimitive(raw)) objects++;
      const text = canonicalValue(raw);
      const bounded = boundLabelValue(text, this.valueLimit);
      if (bounded === undefined) return wellFormed(text);
      truncated++;
      return bounded;
    });
    const key = JSON.stringify(values);
    let series = this.byKey.get(key);
    if (series === undefined) {
      if (this.series.length >= this.limit) {
        this.overflowMeasurements++;
        return this.overflowFor(values);
      }
      const own: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) if (values[i] !== '') own[names[i]!] = values[i]!;
      series = this.createSeries(own);
      this.byKey.set(key, series);
      this.noticeUndeclared(attrs);
    }
    if (truncated === 0 && objects === 0) this.remember(attrs, series);
    // A cut spelling is not remembered: the tree would hold the long raw value. Its measurements
    // come back here, so each one is counted. Nor is an object: the tree would key its identity.
    else {
      if (truncated > 0) this.countTruncated(truncated);
      if (objects > 0) this.countNotPrimitive(objects);
    }
    return series;
  }

  // The overflow series for a measurement's canonical values: split by the kept attributes when
  // there are any, else (or past the split's bound) the one without them.
  private overflowFor(values: readonly string[]): T {
    const split = this.split;
    if (split !== undefined) {
      const indexes = this.splitIndexes;
      const kept: string[] = [];
      let any = false;
      for (let i = 0; i < indexes.length; i++) {
        const value = values[indexes[i]!]!;
        const keep = value !== '' && split.attributes[i]!.keeps(value);
        kept.push(keep ? value : '');
        any ||= keep;
      }
      // Nothing kept: the labels of the plain overflow series, so it is that series.
      if (any) {
        const key = JSON.stringify(kept);
        const found = this.splitByKey.get(key);
        if (found !== undefined) return found;
        if (this.splitByKey.size < split.maxSeries) {
          const attributes: Record<string, string> = {};
          const names: string[] = [];
          for (let i = 0; i < indexes.length; i++) {
            const name = split.attributes[i]!.name;
            names.push(name);
            if (kept[i] !== '') attributes[name] = kept[i]!;
          }
          attributes[OVERFLOW_ATTRIBUTE] = 'true';
          names.push(OVERFLOW_ATTRIBUTE);
          const series = this.create(this.identity(attributes, names), true);
          this.splitByKey.set(key, series);
          this.splitSet.add(series);
          this.splitOverflow.push(series);
          return series;
        }
        if (!this.binding)
          try {
            split.onFolded?.(1);
          } catch {
            // Counting must not throw into the app's record call.
          }
      }
    }
    if (this.overflow === undefined)
      this.overflow = this.create(
        this.identity({ [OVERFLOW_ATTRIBUTE]: 'true' }, [OVERFLOW_ATTRIBUTE]),
        true,
      );
    return this.overflow;
  }

  private countTruncated(count: number): void {
    try {
      this.onValuesTruncated?.(count);
    } catch {
      // Counting must not throw into the app's record call.
    }
  }

  private countNotPrimitive(count: number): void {
    try {
      this.onValuesNotPrimitive?.(count);
    } catch {
      // Counting must not throw into the app's record call.
    }
  }

  // The first measurement with attributes stands for the only series' first measurement.
  private noticeOnly(attributes: Attributes): void {
    if (Object.keys(attributes).length === 0) return;
    this.onlyNoticed = true;
    this.noticeUndeclared(attributes);
  }

  private noticeUndeclared(attrs: Attributes): void {
    const undeclared = this.undeclared;
    for (const raw in attrs) {
      if (!Object.hasOwn(attrs, raw) || this.declared.has(raw)) continue;
      // A label value of the SDK's own series: two spellings written alike are one name, and
      // one too long to be a label value is counted under OTHER.
      const name =
        boundLabelValue(raw, this.valueLimit) === undefined ? wellFormed(raw) : OTHER_UNDECLARED_ATTRIBUTES;
      const seen = undeclared.get(name);
      if (seen !== undefined) undeclared.set(name, seen + 1);
      else if (undeclared.size < MAX_UNDECLARED_ATTRIBUTES) undeclared.set(name, 1);
      else
        undeclared.set(OTHER_UNDECLARED_ATTRIBUTES, (undeclared.get(OTHER_UNDECLARED_ATTRIBUTES) ?? 0) + 1);
    }
  }

  private createSeries(attributes: Attributes): T {
    const series = this.create(this.identity(attributes, this.attributeNames), false);
    this.series.push(series);
    return series;
  }

  // Adds the raw spelling to the tree, when it is made of primitives (an array value is a new
  // object per call and would never hit again).
  private remember(attrs: Attributes, series: T): void {
    const names = this.attributeNames;
    for (const name of names) if (!isPrimitive(attrs[name])) return;
    if (this.aliasBudget <= 0) return;
    let node = this.root;
    for (let i = 0; i < names.length - 1; i++) {
      const raw = attrs[names[i]!];
      let next = node.get(raw) as Node | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(raw, next);
      }
      node = next;
    }
    const leafKey = attrs[names[names.length - 1]!];
    if (!node.has(leafKey)) {
      node.set(leafKey, series);
      this.aliasBudget--;
    }
  }

  private identity(attributes: Attributes, names: readonly string[]): SeriesIdentity {
    const parts: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const value = attributes[names[i]!];
      if (value === undefined || value === '') continue;
      const labelName = names === this.attributeNames ? this.labelNames[i]! : sanitizeLabelName(names[i]!);
      parts.push(`${labelName}="${escapeLabelValue(String(value))}"`);
    }
    const labels = parts.join(',');
    return {
      attributes,
      labels,
      labelBlock: labels === '' ? '' : `{${labels}}`,
      labelPrefix: labels === '' ? '' : `${labels},`,
      createdMs: this.now(),
    };
  }
}

function isPrimitive(value: AttributeValue | undefined): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || value === undefined;
}

/**
 * The string a raw attribute value is exposed as ('' for absent: Prometheus treats both alike).
 * An object, which is no OTel attribute value (an app passing request input on), is written as its
 * JSON text rather than as `[object Object]`, in a list too; see notPrimitive().
 */
export function canonicalValue(value: AttributeValue | undefined | null): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value))
    return value
      .map((item: unknown) =>
        item === null || item === undefined ? '' : typeof item === 'object' ? objectText(item) : String(item),
      )
      .join(',');
  if (typeof value === 'object') return objectText(value);
  return String(value);
}

/** Whether an attribute value is an object, or a list holding one: no OTel attribute value. */
export function notPrimitive(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (!Array.isArray(value)) return true;
  for (const item of value as unknown[]) if (typeof item === 'object' && item !== null) return true;
  return false;
}

/** An object's JSON text; one JSON cannot write (a cycle, a BigInt, a throwing getter) as String() does. */
function objectText(value: object): string {
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string') return json;
  } catch {
    // below
  }
  try {
    return String(value);
  } catch {
    return '';
  }
}

/**
 * `value` cut to at most `maxBytes` bytes of UTF-8 on a character boundary, as a new string (a
 * slice would keep the long original alive); undefined when it fits. Lone surrogates are U+FFFD
 * in the result, as they are written. Only the slow path of a new spelling calls this.
 */
export function boundLabelValue(value: string, maxBytes: number): string | undefined {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair 4 for 2), at least 1.
  if (value.length * 3 <= maxBytes) return undefined;
  if (value.length <= maxBytes && Buffer.byteLength(value, 'utf8') <= maxBytes) return undefined;
  let end = Math.min(value.length, maxBytes);
  // Do not split a surrogate pair: its first half alone would be written as U+FFFD.
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff && end < value.length) end--;
  const bytes = Buffer.from(value.slice(0, end), 'utf8');
  let cut = Math.min(bytes.length, maxBytes);
  // Back to the first byte of the character the cut would split (continuation bytes are 10xxxxxx).
  while (cut > 0 && cut < bytes.length && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return bytes.toString('utf8', 0, cut);
}

/** The string as it is written in UTF-8: each lone surrogate is U+FFFD. */
export function wellFormed(value: string): string {
  return value.isWellFormed() ? value : value.toWellFormed();
}

/** Label value escaping shared by the text format 0.0.4 and OpenMetrics: \\, \", \n. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
    : value;
}
