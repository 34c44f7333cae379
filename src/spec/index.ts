// The spec area: types users write, the checks run at load, and the names generators share.
export { defineTelemetry } from './define.js';
export { loadSpecFile } from './load.js';
export { validateSpec, specIssues, type SpecCheck } from './validate.js';
export { SpecError, type SpecIssue } from './errors.js';
export { resolveBoundaries, sloThresholdsFor } from './buckets.js';
export * as naming from './naming.js';
