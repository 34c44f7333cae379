// Spec policies to policy objects, in order. An exemplar rule is always part of the chain (first
// when the spec lists none), because an exemplar must never point at a dropped trace.
import { IMPLICIT_EXEMPLAR_POLICY } from '../spec/sampling-settings.js';
import type { SamplingPolicySpec } from '../spec/types.js';
import type { SamplingPolicy } from './policy.js';
import { AttributePolicy } from './attribute-policy.js';
import { BudgetPolicy } from './budget-policy.js';
import { ErrorBudgetPolicy } from './error-budget-policy.js';
import { ErrorsPolicy } from './errors-policy.js';
import { ExemplarPolicy } from './exemplar-policy.js';
import { LatencyPolicy } from './latency-policy.js';

export { IMPLICIT_EXEMPLAR_POLICY };

export function buildPolicies(specs: readonly SamplingPolicySpec[]): SamplingPolicy[] {
  return withExemplarRule(specs.map((spec) => builtIn(buildPolicy(spec))));
}

const BUILT_IN = new WeakSet<SamplingPolicy>();

/**
 * Whether plumbline made this policy (from the spec, or an implicit rule): the processor takes
 * its answers as they are, and checks the answers of policies of your own.
 */
export function isBuiltInPolicy(policy: SamplingPolicy): boolean {
  return BUILT_IN.has(policy);
}

/** Marks a policy plumbline made (see isBuiltInPolicy). */
export function builtIn<P extends SamplingPolicy>(policy: P): P {
  BUILT_IN.add(policy);
  return policy;
}

/** The chain with the implicit exemplar rule first when it has no exemplar rule of its own. */
export function withExemplarRule(policies: readonly SamplingPolicy[]): SamplingPolicy[] {
  const chain = [...policies];
  if (!chain.some((policy) => policy.kind === 'exemplar'))
    chain.unshift(builtIn(new ExemplarPolicy(IMPLICIT_EXEMPLAR_POLICY)));
  return chain;
}

function buildPolicy(spec: SamplingPolicySpec): SamplingPolicy {
  switch (spec.kind) {
    case 'errors':
      return spec.budget === undefined
        ? new ErrorsPolicy(spec.name)
        : new ErrorBudgetPolicy(spec.name, spec.budget);
    case 'latency':
      return new LatencyPolicy(spec.name, spec);
    case 'exemplar':
      return new ExemplarPolicy(spec.name, spec.tracesPerSecond);
    case 'attribute':
      return new AttributePolicy(spec.name, spec.key, spec.values);
    case 'budget':
      return new BudgetPolicy(spec.name, spec);
  }
}
