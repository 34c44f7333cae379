// Which spec objects passed validateSpec. The spec is checked once, at load; an area handed a
// validated spec (or its sampling section) skips its own check of it. Kept apart from
// validate.ts so the areas can ask without loading the JSON Schema validator.

const specs = new WeakSet<object>();
const samplingSections = new WeakSet<object>();

/** Records a spec that passed every check, and its sampling section (the sampler is built from it alone). */
export function markValidated(spec: object): void {
  specs.add(spec);
  const sampling = (spec as { sampling?: unknown }).sampling;
  if (typeof sampling === 'object' && sampling !== null) samplingSections.add(sampling);
}

/**
 * Whether this spec passed validateSpec. An area handed anything else checks its section where
 * it is used, so a hand-built spec cannot slip past.
 */
export function isValidatedSpec(spec: object): boolean {
  return specs.has(spec);
}

/** Whether this sampling section belongs to a spec that passed validateSpec. */
export function isValidatedSampling(sampling: object): boolean {
  return samplingSections.has(sampling);
}
