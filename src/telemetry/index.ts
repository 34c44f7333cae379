// Assembling the SDK for one service.
export { createTelemetry, type Telemetry, type TelemetryOptions } from './create-telemetry.js';
export { serviceResource } from './resource.js';
