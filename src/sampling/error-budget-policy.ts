// Errors under a budget: a trace with an error is kept while its key's errors stay within the
// budget's rate; past it, error traces are sampled by the same consistent-probability threshold
// as the baseline budget (so kept ones carry `ot=th` and downstream adjusted counts stay exact),
// and the rest are dropped and counted as this rule's drops. An error storm then cannot make
// export load unbounded. An error trace is one the errors policy keeps: an error span, a cut one,
// or an HTTP 5xx on a span or on its resource (regression:
// errors-policy-ignores-status-code-on-resource.test.ts).
import type { PolicyDecision, SamplingPolicy, TraceView } from './policy.js';
import { ABSTAIN, KEEP } from './policy.js';
import { BudgetPolicy, type BudgetPolicyOptions } from './budget-policy.js';
import { ErrorsPolicy } from './errors-policy.js';

export class ErrorBudgetPolicy implements SamplingPolicy {
  readonly kind = 'errors';
  private readonly budget: BudgetPolicy;
  private readonly errors: ErrorsPolicy;

  constructor(
    readonly name: string,
    budget: BudgetPolicyOptions,
  ) {
    this.budget = new BudgetPolicy(name, budget);
    this.errors = new ErrorsPolicy(name);
  }

  evaluate(trace: TraceView, nowMs: number): PolicyDecision {
    // Only error traces count against (and are decided by) the error budget.
    return this.errors.evaluate(trace, nowMs) === KEEP ? this.budget.evaluate(trace, nowMs) : ABSTAIN;
  }

  thresholds(): Readonly<Record<string, string>> {
    return this.budget.thresholds();
  }

  get carriedAttributes(): readonly string[] {
    return this.budget.carriedAttributes;
  }

  ceilingDrops(): number {
    return this.budget.ceilingDrops();
  }

  /** Error traces whose key value was cut (BudgetPolicy.keysTruncated). */
  keysTruncated(): number {
    return this.budget.keysTruncated();
  }
}
