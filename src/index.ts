// plumbline's runtime API: everything a running service imports comes from here. Build-time
// tools (generators, OpenSLO import) live in `plumbline/generate`, so a service never loads them.
export {
  defineTelemetry,
  loadSpecFile,
  validateSpec,
  specIssues,
  SpecError,
  resolveBoundaries,
  resolveSpec,
} from './spec/index.js';
export type {
  SpecIssue,
  SpecModel,
  HistogramModel,
  NamedSpec,
  ByName,
  SamplingSettings,
} from './spec/index.js';
export {
  HTTP_SERVER_DURATION_METRIC,
  HTTP_SERVER_DURATION_ATTRIBUTES,
  HTTP_SERVER_DURATION_BUCKETS,
} from './spec/semconv-http.js';
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
  GaugeAcrossInstances,
  BucketPlan,
  ExemplarSpec,
  SloSpec,
  SliSpec,
  PipelineExportSignal,
  SloWindow,
  AlertTierSpec,
  AttributeMatch,
  SamplingSpec,
  SamplingPolicySpec,
  ErrorBudgetSpec,
  CollectorSpec,
  ServerSpanSpec,
  SpansSpec,
  EventFields,
  EventName,
  HistogramName,
  CounterName,
  GaugeName,
} from './spec/types.js';
export {
  createTelemetry,
  GlobalsAlreadyRegisteredError,
  nodeSdkParts,
  TelemetryOptionsError,
} from './telemetry/index.js';
export type {
  Telemetry,
  TelemetryOptions,
  OptionIssue,
  NodeSdkParts,
  NodeSdkConfig,
} from './telemetry/index.js';
export { createEventLogger, specLineSchemaDocument, SchemaViolationError, REDACTED } from './logs/index.js';
export type { EventLogger, EventLoggerOptions, Violation, ViolationReason } from './logs/index.js';
export type { SecurityStreamOptions } from './logs/security-stream.js';
export type { LogBridge } from './logs/event-logger.js';
export type { JsonSchema } from './logs/field-schema.js';
export {
  createMetrics,
  MetricsOptionsError,
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
export type { OtlpTls } from './metrics/otlp-json-exporter.js';
export type { ExemplarHook } from './metrics/exemplar-reservoir.js';
export type { MoreMetrics } from './metrics/request-handler.js';
export {
  createSloEngine,
  SloEngineOptionsError,
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
  SliModel,
  LiveOptions,
} from './slo/index.js';
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
  Verdict,
  CorpusTrace,
  CorpusDecision,
  SamplingCorpus,
} from './sampling/index.js';
export type { CorpusDecisionOptions } from './sampling/decide-corpus-trace.js';
export { EXEMPLAR_SPAN_ATTRIBUTE } from './spec/naming.js';
export { sdkSeries, sloSeries } from './spec/naming.js';
export {
  TELEMETRY_DROPPED,
  TELEMETRY_EXPORTED,
  TELEMETRY_QUEUE_SIZE,
  TELEMETRY_QUEUE_CAPACITY,
} from './telemetry/index.js';
export type { PipelineSignal, DropReason } from './telemetry/index.js';
export { VIOLATION_REASONS } from './logs/violations.js';
