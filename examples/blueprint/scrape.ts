// Reads the service's /metrics the way Prometheus would (OpenMetrics, exemplars included) and
// sums what the demo summary shows: decisions by reason, latency buckets, exemplar trace IDs.
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly exemplar?: { readonly traceId: string; readonly value: number };
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*?)\})?\s+(\S+)(?:\s+\S+)?(?:\s+#\s+\{(.*?)\}\s+(\S+).*)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match === null) continue;
    const labels = parseLabels(match[2] ?? '');
    const exemplarLabels = match[4] === undefined ? undefined : parseLabels(match[4]);
    samples.push({
      name: match[1]!,
      labels,
      value: Number(match[3]),
      ...(exemplarLabels?.trace_id === undefined
        ? {}
        : { exemplar: { traceId: exemplarLabels.trace_id, value: Number(match[5]) } }),
    });
  }
  return samples;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const m of text.matchAll(LABEL))
    labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return labels;
}

export interface LatencyView {
  /** Upper bounds (+Inf last) and cumulative counts summed over the selected series. */
  readonly upperBounds: number[];
  readonly cumulativeCounts: number[];
  /** Exemplars of the slowest buckets that have one, slowest first. */
  readonly slowExemplars: { readonly le: string; readonly traceId: string; readonly seconds: number }[];
}

/** Sums a histogram's `_bucket` series whose labels match `where`. */
export function latencyView(
  samples: readonly Sample[],
  bucketName: string,
  where: (labels: Readonly<Record<string, string>>) => boolean,
): LatencyView {
  const byBound = new Map<
    number,
    { count: number; le: string; exemplar?: { traceId: string; value: number } }
  >();
  for (const s of samples) {
    if (s.name !== bucketName || !where(s.labels)) continue;
    const le = s.labels.le ?? '+Inf';
    const bound = le === '+Inf' ? Infinity : Number(le);
    const entry = byBound.get(bound) ?? { count: 0, le };
    entry.count += s.value;
    if (s.exemplar !== undefined && (entry.exemplar === undefined || s.exemplar.value > entry.exemplar.value))
      entry.exemplar = s.exemplar;
    byBound.set(bound, entry);
  }
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  const slowExemplars: LatencyView['slowExemplars'][number][] = [];
  for (let i = bounds.length - 1; i >= 0 && slowExemplars.length < 3; i--) {
    const entry = byBound.get(bounds[i]!)!;
    if (entry.exemplar !== undefined)
      slowExemplars.push({ le: entry.le, traceId: entry.exemplar.traceId, seconds: entry.exemplar.value });
  }
  return { upperBounds: bounds, cumulativeCounts: bounds.map((b) => byBound.get(b)!.count), slowExemplars };
}

/** Sum of a counter's `_total` series grouped by one label. */
export function sumBy(
  samples: readonly Sample[],
  name: string,
  label: string,
  where?: (labels: Readonly<Record<string, string>>) => boolean,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name || (where !== undefined && !where(s.labels))) continue;
    const key = s.labels[label] ?? '';
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}
