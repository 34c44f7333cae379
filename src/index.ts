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
  EventFields,
  EventName,
  HistogramName,
  CounterName,
  GaugeName,
} from './spec/types.js';
export { createTelemetry } from './telemetry/index.js';
export type { Telemetry, TelemetryOptions } from './telemetry/index.js';
export { createEventLogger, specLineSchemaDocument, SchemaViolationError, REDACTED } from './logs/index.js';
export type { EventLogger, EventLoggerOptions, Violation, ViolationReason } from './logs/index.js';
