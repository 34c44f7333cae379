// A pull MetricReader on the meter provider, read at each /metrics scrape: the instruments the
// spec does not declare (auto-instrumentation's HTTP metrics, `telemetry.meter`'s) are served
// beside the spec's, in the format the scraper asked for. Names the spec's exposition already
// uses are left out (reported once), so no family appears twice. A callback that fails at a
// scrape is counted and said in one line at most once a minute per kind (FailureReport).
import { diag, type Attributes } from '@opentelemetry/api';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import type {
  DataPoint,
  Histogram,
  MetricData,
  MetricReader,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ExpositionFormat } from '../metrics/content-negotiation.js';
import type { Metrics } from '../metrics/create-metrics.js';
import type { SelfCounter } from '../metrics/self-metrics.js';
import {
  attributeLabelPairs,
  familyHeader,
  familyNames,
  formatValue,
  type FamilyNames,
} from '../metrics/exposition.js';
import { DataPointType } from '../metrics/sdk-metrics-values.js';
import { onUse } from '../require-on-use.js';
import { formatPrometheusFloat, sdkSeries } from '../spec/naming.js';
import { FailureReport } from './otlp-failure-report.js';

/**
 * Observable callbacks of the meter provider that failed when a /metrics scrape read them, by
 * reason (error: threw or rejected; timeout).
 */
export const METER_CALLBACK_ERRORS = sdkSeries.meterCallbackErrors;
/** How long a scrape waits for the meter provider's callbacks. */
const COLLECT_TIMEOUT_MS = 5000;
const CALLBACK_THREW = '/metrics could not read a meter-provider instrument (its callback failed)';
const CALLBACK_TIMED_OUT = `/metrics could not read a meter-provider instrument (its callback took over ${COLLECT_TIMEOUT_MS / 1000} s)`;
const ERROR_LABELS = { reason: 'error' } as const;
const TIMEOUT_LABELS = { reason: 'timeout' } as const;

/** The pull reader /metrics reads the meter provider's own instruments through. */
export interface MeterProviderScrapeReader extends MetricReader {
  /** Whether a meter provider took this reader (NodeSDK did start with plumbline's parts). */
  readonly isBound: boolean;
  /** Calls `callback` once when a meter provider takes this reader (at once if one did). */
  whenBound(callback: () => void): void;
  /**
   * The meter provider's metrics in `format`, without the families named in `taken`; '' when
   * the reader is not (yet) on a meter provider, e.g. before NodeSDK.start().
   */
  exposition(format: ExpositionFormat, taken: ReadonlySet<string>): Promise<string>;
}

let Reader: (new (metrics?: Pick<Metrics, 'selfCounter'>) => MeterProviderScrapeReader) | undefined;

/**
 * A new scrape reader, counting its failed callbacks in `metrics` (METER_CALLBACK_ERRORS). Its
 * base class comes from sdk-metrics, loaded with the first reader (createTelemetry, nodeSdkParts)
 * rather than at `import('plumbline')`.
 */
export function meterProviderScrapeReader(metrics?: Pick<Metrics, 'selfCounter'>): MeterProviderScrapeReader {
  if (Reader === undefined) {
    const { MetricReader, TimeoutError } = onUse('@opentelemetry/sdk-metrics');
    Reader = scrapeReaderClass(MetricReader, TimeoutError);
  }
  return new Reader(metrics);
}

function scrapeReaderClass(
  Base: typeof SdkMetrics.MetricReader,
  TimeoutError: typeof SdkMetrics.TimeoutError,
) {
  return class ScrapeReader extends Base implements MeterProviderScrapeReader {
    private readonly reportedCollisions = new Set<string>();
    private bound = false;
    private onBound: (() => void) | undefined = undefined;
    private readonly callbackErrors: SelfCounter | undefined;
    // An app's callback that throws fails at every scrape: its full Error (11 lines with the
    // stack) per scrape flooded the logs. Regression: throwing-observable-callback-floods-scrape-logs.
    private readonly callbackFailures = new FailureReport({ write: (line) => diag.warn(line) });

    constructor(metrics?: Pick<Metrics, 'selfCounter'>) {
      super();
      this.callbackErrors = metrics?.selfCounter(
        METER_CALLBACK_ERRORS,
        "Observable callbacks of the meter provider (telemetry.meter's, auto-instrumentation's) that threw, rejected or timed out when a /metrics scrape read them; their points are missing from that scrape.",
        ['reason'],
      );
      // At 0 from the first scrape, so rate() sees the first failures.
      this.callbackErrors?.add(0, ERROR_LABELS);
      this.callbackErrors?.add(0, TIMEOUT_LABELS);
    }

    protected override onInitialized(): void {
      this.bound = true;
      const callback = this.onBound;
      this.onBound = undefined;
      callback?.();
    }

    whenBound(callback: () => void): void {
      if (this.bound) callback();
      else this.onBound = callback;
    }

    get isBound(): boolean {
      return this.bound;
    }

    protected override async onForceFlush(): Promise<void> {}

    protected override async onShutdown(): Promise<void> {}

    async exposition(format: ExpositionFormat, taken: ReadonlySet<string>): Promise<string> {
      if (!this.bound) return '';
      const { resourceMetrics, errors } = await this.collect({ timeoutMillis: COLLECT_TIMEOUT_MS });
      for (const error of errors) {
        // By name too: under NodeSDK the meter provider's sdk-metrics may be another copy.
        const timedOut =
          error instanceof TimeoutError ||
          (error instanceof Error && error.constructor.name === 'TimeoutError');
        this.callbackErrors?.add(1, timedOut ? TIMEOUT_LABELS : ERROR_LABELS);
        this.callbackFailures.failed(timedOut ? CALLBACK_TIMED_OUT : CALLBACK_THREW, error);
      }
      return this.serialize(resourceMetrics, format, taken);
    }

    private serialize(
      resourceMetrics: ResourceMetrics,
      format: ExpositionFormat,
      taken: ReadonlySet<string>,
    ): string {
      // One family per name: instruments of the same name and kind from several scopes (the http
      // and undici instrumentations both make http.client.request.duration) are merged, each
      // point labelled with its otel_scope_name so their series stay apart.
      const families = new Map<
        string,
        { family: FamilyNames; parts: { scope: string; metric: MetricData }[] }
      >();
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          const family = familyOf(metric);
          if (family === undefined) continue;
          const existing = families.get(family.textName);
          if (
            taken.has(family.textName) ||
            (existing !== undefined && existing.family.type !== family.type)
          ) {
            this.reportCollision(family.textName, metric.descriptor.name);
            continue;
          }
          if (existing === undefined)
            families.set(family.textName, { family, parts: [{ scope: scope.scope.name, metric }] });
          else existing.parts.push({ scope: scope.scope.name, metric });
        }
      }
      const om = format === 'openmetrics';
      let out = '';
      for (const { family, parts } of families.values()) out += writeFamily(family, parts, om);
      return out;
    }

    private reportCollision(family: string, instrument: string): void {
      if (this.reportedCollisions.has(family)) return;
      this.reportedCollisions.add(family);
      diag.warn(
        `plumbline: the meter-provider instrument "${instrument}" would be exposed as "${family}", a name /metrics ` +
          'already serves (a spec instrument, plumbline metric, or another scope); it is left out of /metrics ' +
          '(it still reaches the OTLP and other metric readers).',
      );
    }
  };
}

/** Named as the spec's instruments are (metrics/exposition.ts); undefined where text has no form. */
function familyOf(metric: MetricData): FamilyNames | undefined {
  const { name, unit } = metric.descriptor;
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return familyNames(name, unit, metric.isMonotonic ? 'counter' : 'gauge');
    case DataPointType.GAUGE:
      return familyNames(name, unit, 'gauge');
    case DataPointType.HISTOGRAM:
      return familyNames(name, unit, 'histogram');
    default:
      // Exponential histograms have no classic Prometheus text form; they still go over OTLP.
      return undefined;
  }
}

function writeFamily(
  family: FamilyNames,
  parts: { scope: string; metric: MetricData }[],
  om: boolean,
): string {
  let out = familyHeader(family, parts[0]!.metric.descriptor.description, om);
  const scoped = parts.length > 1;
  for (const { scope, metric } of parts) {
    const withScope = (attributes: Attributes): Attributes =>
      scoped ? { ...attributes, otel_scope_name: scope } : attributes;
    if (metric.dataPointType === DataPointType.HISTOGRAM) {
      for (const point of metric.dataPoints)
        out += histogramLines(family.textName, point, withScope(point.attributes));
      continue;
    }
    for (const point of metric.dataPoints as DataPoint<number>[])
      out += `${family.textName}${labelBlock(withScope(point.attributes))} ${formatValue(point.value)}\n`;
  }
  return out;
}

/** A histogram's own label: an attribute of that name is written as `exported_le`. */
const HISTOGRAM_LABELS: ReadonlySet<string> = new Set(['le']);

function histogramLines(name: string, point: DataPoint<Histogram>, attributes: Attributes): string {
  const { boundaries, counts } = point.value.buckets;
  const labels = attributeLabelPairs(attributes, HISTOGRAM_LABELS);
  const prefix = labels === '' ? '' : `${labels},`;
  let out = '';
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    cumulative += counts[i]!;
    const bound = i < boundaries.length ? boundaries[i]! : Infinity;
    out += `${name}_bucket{${prefix}le="${formatPrometheusFloat(bound)}"} ${cumulative}\n`;
  }
  const block = labels === '' ? '' : `{${labels}}`;
  out += `${name}_sum${block} ${formatValue(point.value.sum ?? 0)}\n${name}_count${block} ${point.value.count}\n`;
  return out;
}

function labelBlock(attributes: Attributes): string {
  const pairs = attributeLabelPairs(attributes);
  return pairs === '' ? '' : `{${pairs}}`;
}
