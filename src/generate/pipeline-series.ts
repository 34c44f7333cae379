// The Prometheus names of the OpenTelemetry Collector's own metrics (v0.161, scraped from its
// internal telemetry endpoint) and of the plumbline SDK's self-metrics, shared by the pipeline
// dashboard and the pipeline alert rules so both read the same series.
import { prometheusBaseName, sdkSeries } from '../spec/naming.js';

// Collector names come from the components' mdatagen docs (receiver/receiverhelper,
// exporter/exporterhelper, processor/memorylimiterprocessor, contrib's
// processor/tailsamplingprocessor documentation.md) and were checked against the /metrics of
// the real v0.161 binary (scripts/build-collector.sh) with the pull reader our collector config
// uses: its Prometheus exporter writes monotonic sums WITHOUT `_total` and no unit suffix for
// braced units ({spans}), hence prometheusBaseName, not prometheusCounterName. The memory
// limiter's refusals moved to otelcol_processor_memory_limiter_* (open-telemetry/
// opentelemetry-collector#11203; the binary exposes otelcol_processor_memory_limiter_accepted_spans).
export const collectorMetrics = {
  /** Labels receiver, transport. */
  receiverAcceptedSpans: prometheusBaseName('otelcol_receiver_accepted_spans', '{spans}'),
  receiverRefusedSpans: prometheusBaseName('otelcol_receiver_refused_spans', '{spans}'),
  receiverAcceptedLogRecords: prometheusBaseName('otelcol_receiver_accepted_log_records', '{records}'),
  receiverRefusedLogRecords: prometheusBaseName('otelcol_receiver_refused_log_records', '{records}'),
  /** Labels exporter. */
  exporterSentSpans: prometheusBaseName('otelcol_exporter_sent_spans', '{spans}'),
  exporterSendFailedSpans: prometheusBaseName('otelcol_exporter_send_failed_spans', '{spans}'),
  exporterSentLogRecords: prometheusBaseName('otelcol_exporter_sent_log_records', '{records}'),
  exporterSendFailedLogRecords: prometheusBaseName('otelcol_exporter_send_failed_log_records', '{records}'),
  exporterEnqueueFailedSpans: prometheusBaseName('otelcol_exporter_enqueue_failed_spans', '{spans}'),
  /** Gauges, labels exporter, data_type; in batches (or items, with a sizer). */
  exporterQueueSize: prometheusBaseName('otelcol_exporter_queue_size', '{batches}'),
  exporterQueueCapacity: prometheusBaseName('otelcol_exporter_queue_capacity', '{batches}'),
  /** Labels policy, sampled ("true"/"false"), decision. */
  tailSamplingTracesSampled: prometheusBaseName(
    'otelcol_processor_tail_sampling_count_traces_sampled',
    '{traces}',
  ),
  tailSamplingGlobalTracesSampled: prometheusBaseName(
    'otelcol_processor_tail_sampling_global_count_traces_sampled',
    '{traces}',
  ),
  /**
   * The memory limiter processor's refusals and acceptances; label processor. The collector
   * creates a refused series at the first refusal, an accepted one at the first item let through.
   */
  processorRefusedSpans: prometheusBaseName('otelcol_processor_memory_limiter_refused_spans', '{spans}'),
  processorRefusedLogRecords: prometheusBaseName(
    'otelcol_processor_memory_limiter_refused_log_records',
    '{records}',
  ),
  processorAcceptedSpans: prometheusBaseName('otelcol_processor_memory_limiter_accepted_spans', '{spans}'),
  processorAcceptedLogRecords: prometheusBaseName(
    'otelcol_processor_memory_limiter_accepted_log_records',
    '{records}',
  ),
  /**
   * Seconds since the collector started: exposed by every collector from its first scrape (no
   * unit suffix from the pull exporter, as on the binary's /metrics), whatever its pipelines.
   */
  processUptime: 'otelcol_process_uptime',
} as const;

/** The SDK's own counters, exported by every service that uses plumbline. */
export const sdkSelfMetrics = {
  logSchemaViolations: sdkSeries.logSchemaViolations,
  logSuppressed: sdkSeries.logSuppressed,
  metricOverflow: sdkSeries.metricsOverflow,
  samplerEvictions: sdkSeries.samplerEvictions,
  samplerDecisions: sdkSeries.samplerDecisions,
  samplerBudgetCeilingDrops: sdkSeries.samplerBudgetCeilingDrops,
} as const;

/** Prometheus' own scrape health series. */
export const scrapeUpMetric = 'up';
