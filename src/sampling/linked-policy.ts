// Keeps a trace that links to a kept trace: a storage batch linking the requests it wrote is
// kept whenever one of those requests is, so from a kept request trace an operator reaches its
// storage write. Implicit, first in the chain, like the exemplar rule.
import type { SamplingPolicy, TraceView } from './policy.js';
import { builtIn } from './build-policies.js';
import { BaseSamplingPolicy } from './policy.js';
import { LINKED_POLICY } from './policy-names.js';

/** Name of the implicit rule (and its `decisions` entry in stats). */
export { LINKED_POLICY };

export class LinkedPolicy extends BaseSamplingPolicy {
  readonly kind = 'linked';

  protected matches(trace: TraceView): boolean {
    return trace.linkedKept === true;
  }
}

/** The chain with the linked rule first, unless it has one of its own. */
export function withLinkedRule(policies: readonly SamplingPolicy[]): SamplingPolicy[] {
  if (policies.some((policy) => policy.kind === 'linked')) return [...policies];
  return [builtIn(new LinkedPolicy(LINKED_POLICY)), ...policies];
}
