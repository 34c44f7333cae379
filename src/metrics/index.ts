// What leaves src/metrics: createMetrics and its handle types, the /metrics handler, the OTLP/JSON
// exporter with exemplars, the Prometheus-exact quantile helper and the spec check.
export {
  createMetrics,
  DROPPED_MEASUREMENTS,
  OVERFLOW_MEASUREMENTS,
  DROPPED_EXEMPLAR_ATTRIBUTES,
  MetricsOptionsError,
} from './create-metrics.js';
export type { Metrics, MetricsOptions, HistogramSeriesSnapshot, Exposed } from './create-metrics.js';
export type { HistogramHandle, BoundHistogram, MeasurementListener } from './histogram.js';
export type { CounterHandle, BoundCounter } from './counter.js';
export type { GaugeHandle } from './gauge.js';
export type { SelfCounter, SelfGaugeSample } from './self-metrics.js';
export type { ExemplarFilter } from './exemplar-filter.js';
export { metricsRequestHandler } from './request-handler.js';
export { OtlpJsonMetricExporter } from './otlp-json-exporter.js';
export type { OtlpJsonMetricExporterOptions } from './otlp-json-exporter.js';
export type { ExportedExemplar, WithExemplars } from './metric-producer.js';
export { negotiateFormat, PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE } from './content-negotiation.js';
export type { ExpositionFormat } from './content-negotiation.js';
export { histogramQuantile } from './quantile.js';
export { checkHistograms } from './check-histograms.js';
export { OVERFLOW_ATTRIBUTE } from './series-table.js';
export { EXEMPLAR_LABEL_LIMIT } from './exposition.js';
