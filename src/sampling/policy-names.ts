// Names of the rules the sampler adds to every chain, and of its no-match outcome. A policy of the
// spec or of your own must not take one: two rules would share one `stats().decisions` entry, one
// plumbline.sampling.policy value on kept spans and, in the collector, one tail_sampling name.
// (No imports: the spec check reads this, and the spec's sampling settings re-export from it.)

/** The exemplar rule added first when the chain has none (in-process and in the collector). */
export const IMPLICIT_EXEMPLAR_POLICY = 'exemplar';
/** The linked rule added first in-process (linked-policy.ts), unless the chain has its own. */
export const LINKED_POLICY = 'linked';
/** The collector's always_sample policy first in tail_sampling under dryRun (generate/collector). */
export const DRY_RUN_POLICY = 'dry-run';
/** Decision name when every policy abstained. */
export const NO_MATCH = 'no-match';

/** Why a policy of `kind` may not be called `name`; undefined when it may. */
export function reservedNameProblem(name: string, kind: unknown): string | undefined {
  if (name === IMPLICIT_EXEMPLAR_POLICY && kind !== 'exemplar')
    return `"${name}" is the implicit exemplar rule's name (the rule added first when no policy has kind exemplar): only a policy of kind exemplar may take it; choose another name`;
  if (name === LINKED_POLICY && kind !== 'linked')
    return `"${name}" is the implicit linked rule's name (it keeps a trace linking to a kept trace); choose another name`;
  if (name === NO_MATCH)
    return `"${name}" names the decisions no policy made (every policy abstained); choose another name`;
  return undefined;
}
