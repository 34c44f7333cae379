// What the telemetry pipeline itself lost or still holds, as plumbline self-metrics on /metrics:
// one family for every drop (span, log record, metric batch, log line, scrape) so one query
// shows that monitoring is failing, fed partly by the OTel SDK's own self-observability.
import { sdkSeries } from '../spec/naming.js';
import {
  createNoopMeter,
  type Attributes,
  type Counter,
  type Meter,
  type MeterProvider,
  type ObservableCallback,
  type ObservableResult,
  type ObservableUpDownCounter,
  type UpDownCounter,
} from '@opentelemetry/api';
import type { Metrics } from '../metrics/create-metrics.js';
import type { SelfCounter } from '../metrics/self-metrics.js';
import { notify } from '../metrics/histogram.js';
import type { MeasurementListener } from '../slo/engine.js';

export const TELEMETRY_DROPPED = sdkSeries.telemetryDropped;
export const TELEMETRY_EXPORTED = sdkSeries.telemetryExported;
export const TELEMETRY_QUEUE_SIZE = sdkSeries.telemetryQueueSize;
export const TELEMETRY_QUEUE_CAPACITY = sdkSeries.telemetryQueueCapacity;

/** What a drop is counted as: the `signal` label. */
export type PipelineSignal = 'span' | 'log_record' | 'metric_batch' | 'log_line' | 'scrape';

/** Why it was dropped: the `reason` label. */
export type DropReason =
  | 'queue_full'
  | 'export_failed'
  | 'busy'
  | 'destination_full'
  | 'destination_error'
  | 'timeout'
  /** An event line bridged to OTel Logs before the Logs API was there (2.x loads it a tick late). */
  | 'not_started'
  /** A span that ended after plumbline's span export (or the tail sampler) was shut down. */
  | 'after_shutdown';

/** The OTel SDK processors' instrument names (semconv otel.sdk.processor.*), by our signal. */
const PROCESSOR_PREFIX: Readonly<Record<'span' | 'log_record', string>> = {
  span: 'otel.sdk.processor.span.',
  log_record: 'otel.sdk.processor.log.',
};

export class PipelineMetrics {
  private readonly dropped: SelfCounter;
  private readonly exported: SelfCounter;
  private readonly capacity = new Map<PipelineSignal, number>();
  private readonly queueCallbacks: { signal: PipelineSignal; callback: ObservableCallback }[] = [];

  /** `listeners`: the SLO engine's, keyed by series name; told every add (the pipeline SLI). */
  constructor(metrics: Metrics, listeners?: Readonly<Record<string, readonly MeasurementListener[]>>) {
    this.dropped = notifying(
      metrics.selfCounter(
        TELEMETRY_DROPPED,
        'Telemetry the SDK gave up on (the service went on): spans and log records over their queue bound or in a failed export, metric batches that failed or found the exporter busy, log lines a full destination refused, scrapes refused or cut off.',
        ['signal', 'reason'],
      ),
      listeners?.[TELEMETRY_DROPPED],
    );
    this.exported = notifying(
      metrics.selfCounter(
        TELEMETRY_EXPORTED,
        'Spans and log records exported over OTLP, and metric batches exported, without error.',
        ['signal'],
      ),
      listeners?.[TELEMETRY_EXPORTED],
    );
    metrics.selfGauge(TELEMETRY_QUEUE_SIZE, 'Items waiting in a bounded export queue.', ['signal'], () =>
      this.queueSizes(),
    );
    metrics.selfGauge(
      TELEMETRY_QUEUE_CAPACITY,
      'The bound of each export queue: beyond it new items are dropped and counted.',
      ['signal'],
      () => [...this.capacity].map(([signal, value]) => ({ labels: { signal }, value })),
    );
  }

  /**
   * Writes the series a part of the pipeline can move, at 0, when that part is built: Prometheus's
   * rate() and increase() start at a series' first sample, so a series first scraped at 3 loses
   * those 3, and right after start the pipeline SLO's rules counted fewer events than the engine.
   * `exports`: the part also counts what it exported.
   */
  expect(signal: PipelineSignal, reasons: readonly DropReason[], exports: boolean): void {
    if (exports) this.exported.add(0, { signal });
    for (const reason of reasons) this.dropped.add(0, { signal, reason });
  }

  drop(signal: PipelineSignal, reason: DropReason, count = 1): void {
    this.dropped.add(count, { signal, reason });
  }

  export(signal: PipelineSignal, count = 1): void {
    this.exported.add(count, { signal });
  }

  /**
   * A MeterProvider for an OTel batch processor's `selfObsMeterProvider`: its processed
   * counter (with error.type on failure) and queue size/capacity land in the families above.
   * Every other instrument it asks for is a no-op.
   */
  meterProvider(signal: 'span' | 'log_record'): MeterProvider {
    this.expect(signal, ['queue_full', 'export_failed'], true);
    const prefix = PROCESSOR_PREFIX[signal];
    const noop = createNoopMeter();
    const processed: Counter = {
      add: (value: number, attributes?: Attributes) => {
        const errorType = attributes?.['error.type'];
        if (errorType === undefined) this.export(signal, value);
        else this.drop(signal, errorType === 'queue_full' ? 'queue_full' : 'export_failed', value);
      },
    };
    const capacity: UpDownCounter = {
      add: (value: number) => this.capacity.set(signal, (this.capacity.get(signal) ?? 0) + value),
    };
    const queueSize: ObservableUpDownCounter = {
      addCallback: (callback: ObservableCallback) => this.queueCallbacks.push({ signal, callback }),
      removeCallback: (callback: ObservableCallback) => {
        const index = this.queueCallbacks.findIndex((entry) => entry.callback === callback);
        if (index >= 0) this.queueCallbacks.splice(index, 1);
      },
    };
    const meter: Meter = Object.assign(Object.create(noop) as Meter, {
      createCounter: (name: string) => (name === `${prefix}processed` ? processed : noop.createCounter(name)),
      createUpDownCounter: (name: string) =>
        name === `${prefix}queue.capacity` ? capacity : noop.createUpDownCounter(name),
      createObservableUpDownCounter: (name: string) =>
        name === `${prefix}queue.size` ? queueSize : noop.createObservableUpDownCounter(name),
    });
    return { getMeter: () => meter };
  }

  private queueSizes(): { labels: Record<string, string>; value: number }[] {
    const sizes = new Map<PipelineSignal, number>();
    for (const { signal, callback } of this.queueCallbacks) {
      const result: ObservableResult = {
        observe: (value: number) => sizes.set(signal, (sizes.get(signal) ?? 0) + value),
      };
      // The processors' callbacks are synchronous reads of an array length.
      void callback(result);
    }
    return [...sizes].map(([signal, value]) => ({ labels: { signal }, value }));
  }
}

/** The counter, also telling each listener every add (one that throws is skipped). */
function notifying(counter: SelfCounter, listeners: readonly MeasurementListener[] | undefined): SelfCounter {
  if (listeners === undefined || listeners.length === 0) return counter;
  return {
    add(value, labels) {
      counter.add(value, labels);
      notify(listeners, value, labels);
    },
  };
}
