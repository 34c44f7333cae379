// Which spec objects passed validateSpec. The spec is checked once, at load: validateSpec,
// resolveSpec (model.ts) and resolveSampling (sampling-settings.ts) ask here so a checked spec, or
// its sampling section handed to the tail sampler alone, is not checked again.

const specs = new WeakSet<object>();
const samplingSections = new WeakSet<object>();

/** Records a spec that passed every check, and its sampling section (the sampler is built from it alone). */
export function markValidated(spec: object): void {
  specs.add(spec);
  const sampling = (spec as { sampling?: unknown }).sampling;
  if (typeof sampling === 'object' && sampling !== null) samplingSections.add(sampling);
}

/**
 * Whether this spec passed validateSpec. Anything else is checked whole when its model is
 * resolved, so a hand-built spec cannot slip past.
 */
export function isValidatedSpec(spec: object): boolean {
  return specs.has(spec);
}

/** Whether this sampling section belongs to a spec that passed validateSpec. */
export function isValidatedSampling(sampling: object): boolean {
  return samplingSections.has(sampling);
}
