// Schema-enforced event logs and the JSON Schemas of their lines.
export {
  createEventLogger,
  pinoOptions,
  UNKNOWN_EVENT_LABEL,
  type EventLogger,
  type EventLoggerOptions,
  type LogBridge,
} from './event-logger.js';
export { otelLogBridge } from './otel-bridge.js';
export {
  specLineSchemaDocument,
  specLineSchemas,
  eventLineSchema,
  eventInputSchema,
  REDACTED,
  type JsonSchema,
} from './field-schema.js';
export { SchemaViolationError, type Violation, type ViolationReason } from './violations.js';
export { activeTraceFields, type TraceFields } from './trace-fields.js';
