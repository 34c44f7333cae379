// The spec area: types users write, the checks run at load, the model they resolve into, and the
// names generators share.
export { defineTelemetry } from './define.js';
export { loadSpecFile } from './load.js';
export { validateSpec, specIssues, type SpecCheck } from './validate.js';
export { SpecError, type SpecIssue } from './errors.js';
export { resolveBoundaries, sloThresholdsFor } from './buckets.js';
export {
  resolveSpec,
  resolveSlos,
  type SpecModel,
  type HistogramModel,
  type NamedSpec,
  type ByName,
} from './model.js';
export { resolveSampling, type SamplingSettings } from './sampling-settings.js';
export * as naming from './naming.js';
