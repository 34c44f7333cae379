// Metrics that are not the spec's: what OpenTelemetry instrumentation libraries record on the
// service's meter provider (instrumentation-http's and undici's http.client.request.duration,
// instrumentation-runtime-node's nodejs.eventloop.* and v8js.* …), and names the user says are not
// the service's. They are listed in the report and not checked. A metric the service makes under
// its own meter and the spec does not declare stays an `undeclared-metric` deviation.
//
// The evidence is the instrumentation scope. Every OTLP metric carries it. On /metrics, a family
// carries it as `otel_scope_name` labels when the exporter writes them (OTel's Prometheus exporter
// on every series, plumbline's only where several scopes share a name); a family without them
// takes the scopes the same metric came with over OTLP during the run (so /metrics families are
// decided at the end). A family no evidence names is undeclared unless an allowed prefix matches.
import { prometheusBaseName, prometheusCounterName, sanitizeMetricName } from '../spec/naming.js';
import { MAX_DISTINCT_DEVIATIONS, type Deviations } from './deviations.js';
import type { MetricFamily } from './openmetrics-parser.js';
import type { OtlpMetric } from './otlp-decode.js';

export interface NotSpecMetric {
  /** As seen: the instrument name over OTLP, the family name on /metrics. */
  readonly name: string;
  readonly source: 'metrics' | 'otlp-metrics';
  /** Why it is not the spec's: its instrumentation scope(s), or the allowed prefix it starts with. */
  readonly reason: string;
  /** Scrapes, or OTLP exports, it was seen in. */
  count: number;
}

/** The label OTel's Prometheus exporters name a series' instrumentation scope with. */
export const OTEL_SCOPE_LABEL = 'otel_scope_name';

/** Scope names in OpenTelemetry's own namespaces: its JS packages, Java agent, Go contrib, Python. */
const OTEL_SCOPE_PREFIXES = [
  '@opentelemetry/',
  'io.opentelemetry.',
  'go.opentelemetry.io/',
  'opentelemetry.instrumentation.',
];

/**
 * Whether a scope is an instrumentation library's rather than the service's: OpenTelemetry's own
 * packages (`@opentelemetry/instrumentation-http`, `@opentelemetry/host-metrics`, …), and packages
 * named as instrumentations (`@prisma/instrumentation`, `opentelemetry-instrumentation-kafkajs`,
 * `@fastify/otel`).
 */
export function isInstrumentationScope(scope: string): boolean {
  if (OTEL_SCOPE_PREFIXES.some((prefix) => scope.startsWith(prefix))) return true;
  const npmScoped = /^@[^/]+\/([^/]+)$/.exec(scope);
  const name = npmScoped?.[1] ?? scope;
  return /^(opentelemetry-)?instrumentation(-|$)/.test(name) || (npmScoped !== null && name === 'otel');
}

/** `scope X` or `scopes X, Y`. */
function scopesText(scopes: Iterable<string>): string {
  const list = [...scopes].sort();
  return `scope${list.length === 1 ? '' : 's'} ${list.join(', ')}`;
}

/** A scraped family the spec does not declare, decided at the end of the run. */
interface ScrapedFamily {
  readonly type: string;
  /** Scrapes it was in. */
  scrapes: number;
  /** The `otel_scope_name` values on its series. */
  readonly scopes: Set<string>;
  /** Some series carried no `otel_scope_name`. */
  unscoped: boolean;
}

export class NotSpecMetrics {
  private readonly allowed: readonly { readonly prefix: string; readonly sanitized: string }[];
  private readonly byKey = new Map<string, NotSpecMetric>();
  private readonly scraped = new Map<string, ScrapedFamily>();
  /** Scopes of the undeclared metrics seen over OTLP, by the family name /metrics gives them. */
  private readonly otlpScopes = new Map<string, Set<string>>();
  /** Distinct entries not kept because the bound was reached. */
  dropped = 0;

  constructor(
    private readonly deviations: Deviations,
    allowMetrics: readonly string[] = [],
  ) {
    for (const prefix of allowMetrics)
      if (prefix.trim() === '')
        throw new Error(
          'allowMetrics: an empty prefix would allow every metric; name a prefix such as v8js_',
        );
    this.allowed = allowMetrics.map((prefix) => ({ prefix, sanitized: sanitizeMetricName(prefix) }));
  }

  /** A metric sent over OTLP that is neither declared nor plumbline's: not the spec's, or undeclared. */
  otlpMetric(metric: OtlpMetric): void {
    const family = familyName(metric);
    let scopes = this.otlpScopes.get(family);
    if (scopes === undefined && this.otlpScopes.size < MAX_DISTINCT_DEVIATIONS)
      this.otlpScopes.set(family, (scopes = new Set()));
    scopes?.add(metric.scope);
    const reason = this.reason(metric.name, metric.scope === '' ? [] : [metric.scope]);
    if (reason !== undefined) this.add(metric.name, 'otlp-metrics', reason, 1);
    else
      this.deviations.add(
        'undeclared-metric',
        metric.name,
        'otlp-metrics',
        `${metric.type}, not in the spec${metric.scope === '' ? '' : ` (${scopesText([metric.scope])})`}`,
      );
  }

  /** A family on /metrics that is neither declared nor plumbline's: decided in `finish()`. */
  scrapedFamily(family: MetricFamily): void {
    let seen = this.scraped.get(family.name);
    if (seen === undefined) {
      if (this.scraped.size >= MAX_DISTINCT_DEVIATIONS) {
        this.deviations.add(
          'undeclared-metric',
          family.name,
          'metrics',
          `type ${family.type}, not in the spec`,
        );
        return;
      }
      this.scraped.set(
        family.name,
        (seen = { type: family.type, scrapes: 0, scopes: new Set(), unscoped: false }),
      );
    }
    seen.scrapes++;
    if (family.samples.length === 0) seen.unscoped = true;
    for (const sample of family.samples) {
      const scope = sample.labels[OTEL_SCOPE_LABEL];
      if (scope === undefined || scope === '') seen.unscoped = true;
      else seen.scopes.add(scope);
    }
  }

  /** Decides the scraped families, with what OTLP said of their scopes during the run. */
  finish(): void {
    for (const [name, family] of this.scraped) {
      const scopes = new Set(family.scopes);
      // 0.0.4 text names a counter family with its _total.
      const sent = this.otlpScopes.get(name) ?? this.otlpScopes.get(name.replace(/_total$/, ''));
      const fromOtlp = family.unscoped && sent !== undefined && sent.size > 0;
      if (fromOtlp) for (const scope of sent) scopes.add(scope);
      const known = !family.unscoped || fromOtlp;
      const reason = this.reason(name, known ? [...scopes] : []);
      const whence = fromOtlp ? ', as sent over OTLP' : '';
      if (reason !== undefined) {
        this.add(name, 'metrics', reason.startsWith('allowed') ? reason : reason + whence, family.scrapes);
        continue;
      }
      const named = [...scopes].filter((scope) => scope !== '');
      const scopeText =
        named.length === 0
          ? 'scope unknown'
          : `${scopesText(named)}${whence}${known ? '' : ', and series of unknown scope'}`;
      this.deviations.add(
        'undeclared-metric',
        name,
        'metrics',
        `type ${family.type}, not in the spec (${scopeText})`,
        family.scrapes,
      );
    }
    this.scraped.clear();
  }

  /** Sorted by name, then source, so reports are stable. */
  list(): NotSpecMetric[] {
    return [...this.byKey.values()].sort(
      (a, b) => a.name.localeCompare(b.name) || a.source.localeCompare(b.source),
    );
  }

  /** Why a metric is not the spec's, or undefined when it may be the service's own. */
  private reason(name: string, scopes: readonly string[]): string | undefined {
    if (scopes.length > 0 && scopes.every((scope) => scope !== '' && isInstrumentationScope(scope)))
      return `instrumentation ${scopesText(new Set(scopes))}`;
    const sanitized = sanitizeMetricName(name);
    const allowed = this.allowed.find((a) => name.startsWith(a.prefix) || sanitized.startsWith(a.sanitized));
    return allowed === undefined ? undefined : `allowed prefix ${allowed.prefix}`;
  }

  private add(name: string, source: NotSpecMetric['source'], reason: string, count: number): void {
    const key = `${name}\u0000${source}\u0000${reason}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      existing.count += count;
      return;
    }
    if (this.byKey.size >= MAX_DISTINCT_DEVIATIONS) {
      this.dropped++;
      return;
    }
    this.byKey.set(key, { name, source, reason, count });
  }
}

/** The family name /metrics gives an OTLP metric (metrics/exposition.ts's rules; counters without _total). */
function familyName(metric: OtlpMetric): string {
  return metric.type === 'sum' && metric.monotonic
    ? prometheusCounterName(metric.name, metric.unit).replace(/_total$/, '')
    : prometheusBaseName(metric.name, metric.unit);
}
