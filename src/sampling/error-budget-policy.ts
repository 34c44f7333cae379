// Errors under a budget: a trace with an error is kept while its key's errors stay within the
// budget's rate; past it, error traces are sampled by the same consistent-probability threshold
// as the baseline budget (so kept ones carry `ot=th` and downstream adjusted counts stay exact),
// and the rest are dropped and counted as this rule's drops. An error storm then cannot make
// export load unbounded.
import type { PolicyDecision, SamplingPolicy, TraceView } from './policy.js';
import { ABSTAIN } from './policy.js';
import { BudgetPolicy, type BudgetPolicyOptions } from './budget-policy.js';
import { isErrorSpan } from './errors-policy.js';

export class ErrorBudgetPolicy implements SamplingPolicy {
  readonly kind = 'errors';
  private readonly budget: BudgetPolicy;

  constructor(
    readonly name: string,
    budget: BudgetPolicyOptions,
  ) {
    this.budget = new BudgetPolicy(name, budget);
  }

  evaluate(trace: TraceView, nowMs: number): PolicyDecision {
    if (trace.cutErrors === true) return this.budget.evaluate(trace, nowMs);
    const spans = trace.spans;
    for (let i = 0; i < spans.length; i++) {
      // Only error traces count against (and are decided by) the error budget.
      if (isErrorSpan(spans[i]!)) return this.budget.evaluate(trace, nowMs);
    }
    return ABSTAIN;
  }

  thresholds(): Readonly<Record<string, string>> {
    return this.budget.thresholds();
  }

  ceilingDrops(): number {
    return this.budget.ceilingDrops();
  }
}
