// One spelling for every name that crosses from the spec to Prometheus: the exposition, the
// generated rules and the dashboards all call these, so they cannot disagree.

// A Map: a unit is any string of the spec, and `constructor` or `__proto__` must not find
// Object.prototype's members.
const UNIT_SUFFIX: ReadonlyMap<string, string> = new Map([
  ['s', 'seconds'],
  ['ms', 'milliseconds'],
  ['us', 'microseconds'],
  ['ns', 'nanoseconds'],
  ['min', 'minutes'],
  ['h', 'hours'],
  ['d', 'days'],
  ['By', 'bytes'],
  ['KiBy', 'kibibytes'],
  ['MiBy', 'mebibytes'],
  ['%', 'percent'],
]);

/** The Prometheus unit word for a UCUM unit ('' for dimensionless units such as '1' or '{event}'). */
export function prometheusUnit(unit: string | undefined): string {
  if (unit === undefined || unit === '' || unit === '1' || unit.startsWith('{')) return '';
  return UNIT_SUFFIX.get(unit) ?? sanitizeMetricName(unit);
}

/** Replaces every character Prometheus does not allow in a metric name with '_'. */
export function sanitizeMetricName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (/^[0-9]/.test(out)) out = '_' + out;
  return out;
}

/** Replaces every character Prometheus does not allow in a label name with '_'. */
export function sanitizeLabelName(name: string): string {
  let out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (/^[0-9]/.test(out)) out = '_' + out;
  return out;
}

/**
 * The base name of an instrument in Prometheus: dots become underscores and the unit word is
 * appended once (OTel's Prometheus compatibility rules). Counters get `_total` in
 * {@link prometheusCounterName}; histograms get `_bucket`, `_sum`, `_count`.
 */
export function prometheusBaseName(name: string, unit: string | undefined): string {
  const base = sanitizeMetricName(name);
  const unitWord = prometheusUnit(unit);
  if (unitWord === '' || base.endsWith('_' + unitWord)) return base;
  return `${base}_${unitWord}`;
}

export function prometheusCounterName(name: string, unit: string | undefined): string {
  const base = prometheusBaseName(name, unit).replace(/_total$/, '');
  return `${base}_total`;
}

/**
 * A float the way Prometheus writes it in `le` and `quantile` labels (Go's
 * strconv.FormatFloat(v, 'g', -1, 64), with ".0" added to whole numbers): Prometheus 3
 * normalises `le="1"` to `le="1.0"`, so the exposition and the rules use this one spelling.
 */
export function formatPrometheusFloat(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  const text = goShortestG(value);
  return /[.eE]/.test(text) || text.includes('Inf') || text.includes('NaN') ? text : `${text}.0`;
}

function goShortestG(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  // JS toExponential() without an argument gives the shortest round-tripping digits.
  const [mantissa, expText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(expText);
  // Go switches to exponent form below 1e-4 and from 1e6 up (eprec = 6 for shortest).
  if (exponent < -4 || exponent >= 6) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return String(value);
}

/**
 * Names of the SLO series shared by the rule generator, the in-process calculator's gauges and
 * the dashboards. Recording rules carry the label `slo`; windows are Prometheus durations.
 */
export const sloSeries = {
  /** Recording rule: the error ratio of one SLO over one window, e.g. plumbline_slo:error_ratio:rate5m. */
  errorRatio: (window: string): string => `plumbline_slo:error_ratio:rate${window}`,
  /** Recording rule: events counted over one window (for the low-traffic guard). */
  events: (window: string): string => `plumbline_slo:events:increase${window}`,
  /** In-process gauges, labels {slo, window}, {slo}, {slo, tier, severity}. */
  burnRateGauge: 'plumbline_slo_burn_rate',
  errorBudgetRemainingGauge: 'plumbline_slo_error_budget_remaining',
  alertFiringGauge: 'plumbline_slo_alert_firing',
} as const;

/**
 * Span attribute on spans that an exemplar points to: the in-process SDK sets it, and the
 * generated collector tail_sampling keeps traces that carry it.
 */
export const EXEMPLAR_SPAN_ATTRIBUTE = 'plumbline.exemplar';

/** In dry-run mode: what the tail sampler would have done ("keep" or "drop"), on every span. */
export const DRY_RUN_ATTRIBUTE = 'plumbline.sampling.dry_run_decision';

/**
 * The SDK's own series on /metrics: the telemetry assembly writes them, and the pipeline
 * dashboard, the pipeline alerts and the invariants doc read them from here.
 */
export const sdkSeries = {
  /** Labels event, reason. */
  logSchemaViolations: 'plumbline_log_schema_violations_total',
  logDroppedBytes: 'plumbline_log_dropped_bytes_total',
  /** Label event: lines left out by the event's rate budget. */
  logSuppressed: 'plumbline_log_suppressed_total',
  /** Labels event, outcome. */
  securityEvents: 'plumbline_security_events_total',
  /** Labels metric, reason. */
  metricsDropped: 'plumbline_metrics_dropped_total',
  /**
   * Labels metric, attribute: series created by a measurement carrying an attribute the
   * instrument does not declare (no label: exemplars only).
   */
  metricsUndeclaredAttributes: 'plumbline_metrics_undeclared_attributes_total',
  /** Label metric: measurements folded into the overflow series after the cardinality limit. */
  metricsOverflow: 'plumbline_metrics_overflow_total',
  /** Label metric. */
  exemplarAttributesDropped: 'plumbline_exemplar_attributes_dropped_total',
  /** Exemplars not taken: the exemplar rule's tracesPerSecond was used up. */
  exemplarKeepsRefused: 'plumbline_exemplar_keeps_refused_total',
  /**
   * Exemplars not taken without the in-process sampler: their span had ended (or was not recorded
   * here), so it could not carry the mark the collector keeps the trace by.
   */
  exemplarSpanEnded: 'plumbline_exemplar_span_ended_total',
  otlpMetricExportFailures: 'plumbline_otlp_metric_export_failures_total',
  /** Data points a collector rejected in metric exports it accepted (its partialSuccess). */
  otlpMetricRejectedDataPoints: 'plumbline_otlp_metric_rejected_data_points_total',
  /** Spans a collector rejected in span exports it accepted (its partialSuccess). */
  otlpRejectedSpans: 'plumbline_otlp_rejected_spans_total',
  /** Log records a collector rejected in log exports it accepted (its partialSuccess). */
  otlpRejectedLogRecords: 'plumbline_otlp_rejected_log_records_total',
  /** Labels policy, outcome. */
  samplerDecisions: 'plumbline_sampler_decisions_total',
  /** Label cause. */
  samplerEvictions: 'plumbline_sampler_evictions_total',
  samplerTruncatedSpans: 'plumbline_sampler_truncated_spans_total',
  /** Label outcome. */
  samplerLateSpans: 'plumbline_sampler_late_spans_total',
  /** Label policy: keeps a budget refused over its key's kept-rate ceiling. */
  samplerBudgetCeilingDrops: 'plumbline_sampler_budget_ceiling_drops_total',
  /** Label policy: traces whose budget key value was cut to 2048 bytes. */
  samplerBudgetKeysTruncated: 'plumbline_sampler_budget_keys_truncated_total',
  /** Inbound tracestate parts left out of kept spans' tracestate (invalid `ot` sub-keys, W3C limits). */
  samplerTracestateDropped: 'plumbline_sampler_tracestate_dropped_total',
  /** Traces whose inbound `ot=th` their randomness fails (inconsistent), erased before the decision. */
  samplerInboundThresholdsErased: 'plumbline_sampler_inbound_thresholds_erased_total',
  /** Calls into a span's inbound TraceState that threw (the span kept, with what could be read). */
  samplerTracestateErrors: 'plumbline_sampler_tracestate_errors_total',
  /** Answers of the app's own sampling policies that threw or made no sense (taken as abstentions). */
  samplerPolicyErrors: 'plumbline_sampler_policy_errors_total',
  samplerBufferedTraces: 'plumbline_sampler_buffered_traces',
  samplerBufferedBytes: 'plumbline_sampler_buffered_bytes',
  /** Label key. */
  samplerKeepProbability: 'plumbline_sampler_keep_probability',
  /**
   * Label reason (error, timeout): observable callbacks of the meter provider that failed when a
   * /metrics scrape read them.
   */
  meterCallbackErrors: 'plumbline_meter_callback_errors_total',
  /** Label step (on_start, on_ending, on_end): span processor calls behind the fan-out that threw. */
  spanProcessorErrors: 'plumbline_span_processor_errors_total',
  /** Labels signal, reason: every span, log record, metric batch, log line or scrape dropped. */
  telemetryDropped: 'plumbline_telemetry_dropped_total',
  /** Label signal. */
  telemetryExported: 'plumbline_telemetry_exported_total',
  /** Label signal. */
  telemetryQueueSize: 'plumbline_telemetry_queue_size',
  /** Label signal. */
  telemetryQueueCapacity: 'plumbline_telemetry_queue_capacity',
} as const;

/**
 * Keys of the line's envelope and of plumbline's own additions: a field of one of these names would
 * be written twice in one line (JSON readers keep the last: a field `service` could pass a line off
 * as another service's), and the exported line schema would not compile.
 */
export const LINE_ENVELOPE_KEYS: readonly string[] = [
  'level',
  'time',
  'service',
  'event',
  'schema_version',
  'trace_id',
  'span_id',
  'trace_flags',
  'schema_violations',
  'suppressed',
  'unknown_fields',
  'unknown_fields_omitted',
];
