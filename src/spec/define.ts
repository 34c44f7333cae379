// defineTelemetry: the one typed object per service. The `const` type parameter keeps event
// names and field types literal, so `log.event(...)` is checked at compile time.
import type { TelemetrySpec } from './types.js';
import { validateSpec } from './validate.js';

/** Checks the spec now (a bad spec fails at startup, naming the field) and returns it typed. */
export function defineTelemetry<const S extends TelemetrySpec>(spec: S): S {
  return validateSpec(spec);
}
