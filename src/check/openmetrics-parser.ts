// Reads the OpenMetrics 1.0 text a `/metrics` endpoint serves (and the Prometheus 0.0.4 text it
// falls back to) into families, samples and exemplars. npm's text-format parsers read 0.0.4 only
// (no `# UNIT`, no exemplars, no `# EOF`), which are exactly what a conformance check must see.
// Format: https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md

export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'gaugehistogram'
  | 'summary'
  | 'info'
  | 'stateset'
  | 'unknown'
  | 'untyped';

export type Labels = Readonly<Record<string, string>>;

export interface Exemplar {
  readonly labels: Labels;
  readonly value: number;
  readonly timestamp?: number;
}

export interface Sample {
  /** The sample's own name: `x_bucket`, `x_count`, `x_total`, ... */
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  readonly timestamp?: number;
  readonly exemplar?: Exemplar;
}

export interface MetricFamily {
  readonly name: string;
  type: MetricType;
  unit?: string;
  help?: string;
  readonly samples: Sample[];
}

export interface ParseProblem {
  /** 1-based line number. */
  readonly line: number;
  readonly message: string;
}

export interface ParsedExposition {
  readonly families: ReadonlyMap<string, MetricFamily>;
  readonly problems: readonly ParseProblem[];
  /** Whether the text ended with `# EOF` (required by OpenMetrics). */
  readonly sawEof: boolean;
}

/** Suffixes a sample name may add to its family's name, per type. */
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: ['_total', '_created'],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  summary: ['_count', '_sum', '_created'],
  info: ['_info'],
};
const ANY_SUFFIX = ['_total', '_created', '_bucket', '_count', '_sum', '_gcount', '_gsum', '_info'];
const TYPES = new Set<string>([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
  'unknown',
  'untyped',
]);
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function parseExposition(text: string): ParsedExposition {
  const families = new Map<string, MetricFamily>();
  const problems: ParseProblem[] = [];
  let sawEof = false;
  const lines = text.split('\n');
  // A trailing newline leaves one empty last element: not a line of its own.
  if (lines.at(-1) === '') lines.pop();
  const familyOf = (name: string): MetricFamily => {
    let family = families.get(name);
    if (family === undefined) families.set(name, (family = { name, type: 'unknown', samples: [] }));
    return family;
  };

  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (sawEof) {
      problems.push({ line: lineNumber, message: 'text after # EOF' });
      return;
    }
    if (line === '') return;
    if (line.startsWith('#')) {
      if (line === '# EOF') {
        sawEof = true;
        return;
      }
      const match = /^# (TYPE|HELP|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/.exec(line);
      if (match === null) return; // a plain comment (Prometheus text allows them)
      const [, keyword, name, rest = ''] = match as unknown as [string, string, string, string?];
      const family = familyOf(name);
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest))
          problems.push({ line: lineNumber, message: `unknown type "${rest}" for ${name}` });
        else family.type = rest as MetricType;
      } else if (keyword === 'HELP') family.help = unescapeHelp(rest);
      else family.unit = rest;
      return;
    }
    try {
      const sample = parseSample(line);
      familyOf(familyName(sample.name, families)).samples.push(sample);
    } catch (error) {
      problems.push({ line: lineNumber, message: (error as Error).message });
    }
  });
  return { families, problems, sawEof };
}

/** The family a sample belongs to: its own name if declared, else its name less a type suffix. */
function familyName(sampleName: string, families: ReadonlyMap<string, MetricFamily>): string {
  const own = families.get(sampleName);
  if (own !== undefined && own.type !== 'unknown') return sampleName;
  for (const suffix of ANY_SUFFIX) {
    if (!sampleName.endsWith(suffix)) continue;
    const base = sampleName.slice(0, -suffix.length);
    const family = families.get(base);
    if (family !== undefined && (SUFFIXES[family.type] ?? []).includes(suffix)) return base;
  }
  return sampleName;
}

function parseSample(line: string): Sample {
  const cursor = { text: line, at: 0 };
  const name = take(cursor, NAME, 'a metric name');
  let labels: Labels = {};
  if (cursor.text[cursor.at] === '{') labels = parseLabels(cursor);
  expect(cursor, ' ');
  const value = parseNumber(takeUntilSpace(cursor));
  let timestamp: number | undefined;
  let exemplar: Exemplar | undefined;
  if (cursor.at < line.length) {
    expect(cursor, ' ');
    if (cursor.text[cursor.at] !== '#') {
      timestamp = parseNumber(takeUntilSpace(cursor));
      if (cursor.at < line.length) expect(cursor, ' ');
    }
    if (cursor.at < line.length) {
      expect(cursor, '# ');
      const exemplarLabels = parseLabels(cursor);
      expect(cursor, ' ');
      const exemplarValue = parseNumber(takeUntilSpace(cursor));
      let exemplarTime: number | undefined;
      if (cursor.at < line.length) {
        expect(cursor, ' ');
        exemplarTime = parseNumber(takeUntilSpace(cursor));
      }
      exemplar = {
        labels: exemplarLabels,
        value: exemplarValue,
        ...(exemplarTime === undefined ? {} : { timestamp: exemplarTime }),
      };
    }
  }
  if (cursor.at !== line.length) throw new Error(`unexpected text at column ${cursor.at + 1}`);
  return {
    name,
    labels,
    value,
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(exemplar === undefined ? {} : { exemplar }),
  };
}

interface Cursor {
  readonly text: string;
  at: number;
}

function take(cursor: Cursor, pattern: RegExp, what: string): string {
  const match = pattern.exec(cursor.text.slice(cursor.at));
  if (match === null) throw new Error(`expected ${what} at column ${cursor.at + 1}`);
  cursor.at += match[0].length;
  return match[0];
}

function expect(cursor: Cursor, literal: string): void {
  if (!cursor.text.startsWith(literal, cursor.at))
    throw new Error(`expected "${literal}" at column ${cursor.at + 1}`);
  cursor.at += literal.length;
}

function takeUntilSpace(cursor: Cursor): string {
  const end = cursor.text.indexOf(' ', cursor.at);
  const token = cursor.text.slice(cursor.at, end === -1 ? undefined : end);
  cursor.at += token.length;
  return token;
}

/** `{a="x",b="y"}` with OpenMetrics escapes (\\, \", \n); a trailing comma is allowed in 0.0.4. */
function parseLabels(cursor: Cursor): Labels {
  expect(cursor, '{');
  const labels: Record<string, string> = {};
  while (cursor.text[cursor.at] !== '}') {
    const name = take(cursor, LABEL_NAME, 'a label name');
    expect(cursor, '="');
    let value = '';
    for (;;) {
      const char = cursor.text[cursor.at];
      if (char === undefined) throw new Error(`unterminated value of label ${name}`);
      cursor.at++;
      if (char === '"') break;
      if (char === '\\') {
        const escaped = cursor.text[cursor.at++];
        if (escaped === 'n') value += '\n';
        else if (escaped === '\\' || escaped === '"') value += escaped;
        else throw new Error(`bad escape \\${escaped ?? ''} in label ${name}`);
      } else value += char;
    }
    if (Object.hasOwn(labels, name)) throw new Error(`label ${name} repeated`);
    labels[name] = value;
    if (cursor.text[cursor.at] === ',') cursor.at++;
    else if (cursor.text[cursor.at] !== '}')
      throw new Error(`expected "," or "}" at column ${cursor.at + 1}`);
  }
  cursor.at++;
  return labels;
}

/**
 * A label value read as a number the way Prometheus reads `le` (Go's strconv.ParseFloat, whose
 * value, not text, the rules' `le="0.25"` matches): `0.25`, `0.250` and `2.5e-1` are one bound,
 * `+Inf`, `Inf` and `inf` are infinity. NaN when it is no number (hex floats are not read).
 */
export function parseFloatLabel(text: string | undefined): number {
  if (text === undefined) return NaN;
  if (/^[-+]?inf(?:inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (!/^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(text)) return NaN;
  return Number(text);
}

function parseNumber(token: string): number {
  if (token === '+Inf' || token === 'Inf') return Infinity;
  if (token === '-Inf') return -Infinity;
  if (token === 'NaN') return NaN;
  if (!/^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(token))
    throw new Error(`"${token}" is not a number`);
  return Number(token);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(n|\\|")/g, (_, c: string) => (c === 'n' ? '\n' : c));
}
