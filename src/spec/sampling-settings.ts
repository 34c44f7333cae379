// The sampling section resolved: its defaults filled in, as plain data the tail sampler is built
// from. Checked and resolved once per section object, whether it came with a spec's model or was
// handed to the sampler alone; the policy chains hold state, so each processor builds its own.
import type { SamplingPolicySpec, SamplingSpec } from './types.js';
import { validateSamplingSection } from './validate.js';
import { isValidatedSampling } from './validated.js';

export const DEFAULT_DECISION_WAIT_MS = 100;
export const DEFAULT_MAX_TRACES = 10_000;
export const DEFAULT_MAX_SPANS_PER_TRACE = 1_000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** The exemplar rule's `tracesPerSecond` when the spec gives none (src/sampling/exemplar-keep-limit.ts). */
export const DEFAULT_EXEMPLAR_TRACES_PER_SECOND = 10;
/**
 * Name of the exemplar rule added first when the spec lists none: in the in-process chain
 * (sampling/build-policies.ts) and in the generated collector's tail_sampling alike. Reserved
 * with the other implicit names in sampling/policy-names.ts.
 */
export { IMPLICIT_EXEMPLAR_POLICY, DRY_RUN_POLICY } from '../sampling/policy-names.js';

/**
 * Traces a second exemplars may keep: the chain's exemplar rule's `tracesPerSecond`, else the
 * default. Takes spec policies and policy objects alike (an ExemplarPolicy carries the field).
 */
export function exemplarTracesPerSecond(
  policies: readonly { readonly kind: string; readonly tracesPerSecond?: number }[] | undefined,
): number {
  const rule = policies?.find((policy) => policy.kind === 'exemplar');
  return rule?.tracesPerSecond ?? DEFAULT_EXEMPLAR_TRACES_PER_SECOND;
}

export interface SamplingSettings {
  /** The section as written: the collector generator applies a gateway's own defaults to it. */
  readonly section: SamplingSpec;
  readonly policies: readonly SamplingPolicySpec[];
  /** Grace period after the local root ends, in ms. */
  readonly decisionWaitMs: number;
  readonly maxTraces: number;
  readonly maxSpansPerTrace: number;
  readonly maxBytes: number;
  readonly dryRun: boolean;
}

const resolved = new WeakMap<SamplingSpec, SamplingSettings>();

/**
 * The settings of a sampling section, defaults filled in. A section of a validated spec is not
 * checked again; one handed alone is checked here (SpecError listing every problem). Later calls
 * with the same section answer the same frozen settings.
 */
export function resolveSampling(section: SamplingSpec): SamplingSettings {
  let settings = resolved.get(section);
  if (settings !== undefined) return settings;
  if (!isValidatedSampling(section)) validateSamplingSection(section);
  settings = Object.freeze({
    section,
    policies: section.policies,
    decisionWaitMs: section.decisionWaitMs ?? DEFAULT_DECISION_WAIT_MS,
    maxTraces: section.maxTraces ?? DEFAULT_MAX_TRACES,
    maxSpansPerTrace: section.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE,
    maxBytes: section.maxBytes ?? DEFAULT_MAX_BYTES,
    dryRun: section.dryRun ?? false,
  });
  resolved.set(section, settings);
  return settings;
}
