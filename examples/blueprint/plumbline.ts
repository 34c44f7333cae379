// The blueprint's only door into plumbline: everything it uses from the SDK is re-exported here
// from the package's public API, so the example shows exactly what a user would import.
export { defineTelemetry, createTelemetry } from '../../src/index.js';
export type {
  TelemetrySpec,
  EventName,
  EventFields,
  HistogramName,
  CounterName,
  GaugeName,
} from '../../src/index.js';
