// plumbline's public API: everything a service imports comes from here.
export {
  defineTelemetry,
  loadSpecFile,
  validateSpec,
  specIssues,
  SpecError,
  resolveBoundaries,
} from './spec/index.js';
export type { SpecIssue } from './spec/index.js';
export type {
  TelemetrySpec,
  ServiceSpec,
  EventSpec,
  FieldSpec,
  FieldType,
  LogLevel,
  HistogramSpec,
  CounterSpec,
  GaugeSpec,
  BucketPlan,
  ExemplarSpec,
  SloSpec,
  SliSpec,
  SloWindow,
  AlertTierSpec,
  AttributeMatch,
  SamplingSpec,
  SamplingPolicySpec,
  CollectorSpec,
  EventFields,
  EventName,
  HistogramName,
  CounterName,
  GaugeName,
} from './spec/types.js';
export { createTelemetry, TelemetryOptionsError } from './telemetry/index.js';
export type { Telemetry, TelemetryOptions, OptionIssue } from './telemetry/index.js';
export { createEventLogger, specLineSchemaDocument, SchemaViolationError, REDACTED } from './logs/index.js';
export type { EventLogger, EventLoggerOptions, Violation, ViolationReason } from './logs/index.js';
export type { SecurityStreamOptions } from './logs/security-stream.js';
export {
  createMetrics,
  metricsRequestHandler,
  OtlpJsonMetricExporter,
  histogramQuantile,
  negotiateFormat,
  PROMETHEUS_CONTENT_TYPE,
  OPENMETRICS_CONTENT_TYPE,
  OVERFLOW_ATTRIBUTE,
  EXEMPLAR_LABEL_LIMIT,
} from './metrics/index.js';
export type {
  Metrics,
  MetricsOptions,
  HistogramSeriesSnapshot,
  Exposed,
  HistogramHandle,
  BoundHistogram,
  MeasurementListener,
  CounterHandle,
  BoundCounter,
  GaugeHandle,
  SelfCounter,
  SelfGaugeSample,
  ExemplarFilter,
  OtlpJsonMetricExporterOptions,
  ExportedExemplar,
  ExpositionFormat,
} from './metrics/index.js';
export { renderDashboards, writeDashboards } from './generate/dashboards.js';
export type { DashboardOptions } from './generate/dashboard-options.js';
export { renderPipelineAlerts, writePipelineAlerts } from './generate/pipeline-alerts.js';
export type { PipelineAlertOptions } from './generate/pipeline-alerts.js';
export {
  createSloEngine,
  resolveSlos,
  sloStatusRows,
  evaluateLive,
  defaultTiers,
  WORKBOOK_TIERS,
  errorBudget,
  burnRate,
  errorBudgetRemaining,
  timeToExhaustionMs,
} from './slo/index.js';
export type {
  SloEngine,
  SloEngineOptions,
  SloListeners,
  SloStatus,
  TierStatus,
  WindowStatus,
  GaugeRow,
  SloModel,
  TierModel,
  LiveOptions,
} from './slo/index.js';
export { generatePrometheusRules, ruleFileName } from './generate/prometheus-rules.js';
export type { PrometheusRulesOptions } from './generate/prometheus-rules.js';
export { generatePromtoolTests, promtoolTestFileName } from './generate/promtool-tests.js';
export { fromOpenSlo, OpenSloError } from './spec/openslo.js';
export {
  TailSamplingProcessor,
  decideCorpusTrace,
  buildPolicies,
  BaseSamplingPolicy,
  SpanMatchPolicy,
  KEEP,
  DROP,
  ABSTAIN,
  POLICY_ATTRIBUTE,
  encodeTh,
  parseTh,
  probabilityToThreshold,
  thresholdToProbability,
} from './sampling/index.js';
export type {
  TailSamplingOptions,
  SamplerStats,
  SamplingPolicy,
  PolicyDecision,
  PolicySpan,
  TraceView,
  CorpusTrace,
  CorpusDecision,
  SamplingCorpus,
} from './sampling/index.js';
export { generateCollectorConfigs } from './generate/collector.js';
export type { CollectorFiles } from './generate/collector.js';
export type { CollectorOptions } from './generate/collector-options.js';
export { splitBudget } from './generate/collector-policies.js';
export type { BudgetSplit } from './generate/collector-policies.js';
export { collectorEnv } from './generate/collector-env.js';
export { writeArtifactFiles, checkArtifactFiles } from './generate/artifact-files.js';
export { EXEMPLAR_SPAN_ATTRIBUTE } from './spec/naming.js';
export { renderInvariantsDoc, writeInvariantsDoc, invariantsOf } from './generate/invariants-doc.js';
export { INVARIANTS_DOC_FILE, INVARIANTS_DOC_PATH, BLUEPRINT_LIMITS } from './generate/invariants-options.js';
export type {
  InvariantsDocOptions,
  ServiceLimits,
  FeatureFlag,
  DeliveryInstruments,
  QueueInstruments,
} from './generate/invariants-options.js';
export type { Invariant, MetricRef } from './generate/invariants-model.js';
export { sdkSeries, sloSeries } from './spec/naming.js';
export {
  TELEMETRY_DROPPED,
  TELEMETRY_EXPORTED,
  TELEMETRY_QUEUE_SIZE,
  TELEMETRY_QUEUE_CAPACITY,
} from './telemetry/index.js';
export type { PipelineSignal, DropReason } from './telemetry/index.js';
export { VIOLATION_REASONS } from './logs/violations.js';
export { renderAlertmanagerConfig, sloInhibitRules, ALERTMANAGER_FILE } from './generate/alertmanager.js';
export type { AlertmanagerOptions } from './generate/alertmanager.js';
