// Assembling the SDK for one service.
export {
  createTelemetry,
  GlobalsAlreadyRegisteredError,
  type Telemetry,
  type TelemetryOptions,
} from './create-telemetry.js';
export { serviceResource } from './resource.js';
export { nodeSdkParts, type NodeSdkParts, type NodeSdkConfig } from './node-sdk-parts.js';
export { TelemetryOptionsError, type OptionIssue } from './check-options.js';
export {
  TELEMETRY_DROPPED,
  TELEMETRY_EXPORTED,
  TELEMETRY_QUEUE_SIZE,
  TELEMETRY_QUEUE_CAPACITY,
  type PipelineSignal,
  type DropReason,
} from './pipeline-metrics.js';
