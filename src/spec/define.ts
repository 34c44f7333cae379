// defineTelemetry: the one typed object per service. The `const` type parameter keeps event
// names and field types literal, so `log.event(...)` is checked at compile time.
import { resolveSpec } from './model.js';
import type { TelemetrySpec } from './types.js';

/**
 * Checks the spec now (a bad spec fails at startup, naming the field), resolves its model (every
 * area reads it) and returns the spec typed.
 */
export function defineTelemetry<const S extends TelemetrySpec>(spec: S): S {
  return resolveSpec(spec).spec;
}
