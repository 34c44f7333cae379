// Validates the spec's `sampling` section; each problem names its field. The processor refuses
// to start with any of them (SpecError), the CLI lists them all.
import type { SamplingSpec } from '../spec/types.js';
import { subPath, type SpecIssue } from '../spec/errors.js';
import { didYouMean } from '../spec/suggest.js';
import { reservedNameProblem } from './policy-names.js';

const KINDS = new Set(['errors', 'latency', 'exemplar', 'attribute', 'budget']);
/**
 * The trace table and the decision caches are allocated in full from maxTraces when the processor
 * is built (roughly 280 MB at this bound), so a larger value is a mistake, not a bigger buffer.
 */
export const MAX_TRACES_LIMIT = 1_000_000;

export function checkSampling(spec: { readonly sampling?: SamplingSpec }): SpecIssue[] {
  const sampling = spec.sampling;
  if (sampling === undefined) return [];
  const issues: SpecIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path: `sampling.${path}`, message });

  if (
    sampling.decisionWaitMs !== undefined &&
    !(Number.isFinite(sampling.decisionWaitMs) && sampling.decisionWaitMs >= 0)
  ) {
    issue('decisionWaitMs', `must be a finite number >= 0 (ms), got ${String(sampling.decisionWaitMs)}`);
  }
  for (const cap of ['maxTraces', 'maxSpansPerTrace', 'maxBytes'] as const) {
    const value = sampling[cap];
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      issue(cap, `must be a positive integer, got ${String(value)}`);
  }
  if (typeof sampling.maxTraces === 'number' && sampling.maxTraces > MAX_TRACES_LIMIT)
    issue(
      'maxTraces',
      `must be at most ${MAX_TRACES_LIMIT.toLocaleString('en')} (the trace table and decision caches are allocated up front from it), got ${String(sampling.maxTraces)}`,
    );
  if (sampling.dryRun !== undefined && typeof sampling.dryRun !== 'boolean')
    issue('dryRun', 'must be a boolean');
  if (!Array.isArray(sampling.policies) || sampling.policies.length === 0) {
    issue('policies', 'must list at least one policy (with none, every trace would be dropped)');
    return issues;
  }

  const seen = new Set<string>();
  let budgetAt = -1;
  /** The first errors policy with a budget: it drops error traces over the budget. */
  let errorBudgetAt = -1;
  sampling.policies.forEach((policy, index) => {
    const at = `policies[${index}]`;
    if (typeof policy !== 'object' || policy === null) {
      issue(at, 'must be an object with name and kind');
      return;
    }
    if (typeof policy.name !== 'string' || policy.name === '')
      issue(`${at}.name`, 'must be a non-empty string');
    else if (seen.has(policy.name)) issue(`${at}.name`, `duplicate policy name "${policy.name}"`);
    else {
      seen.add(policy.name);
      const reserved = reservedNameProblem(policy.name, policy.kind);
      if (reserved !== undefined) issue(`${at}.name`, reserved);
    }
    // Whatever its kind (a misspelt one included): reported in the same round as the kind.
    if (budgetAt >= 0)
      issue(
        at,
        `is never evaluated: the budget policy at policies[${budgetAt}] decides every trace that reaches it, so it must be last`,
      );
    if (!KINDS.has(policy.kind)) {
      issue(
        `${at}.kind`,
        `must be one of ${[...KINDS].join(', ')}, got ${String(policy.kind)}${didYouMean(policy.kind, KINDS)}`,
      );
      return;
    }
    switch (policy.kind) {
      case 'latency':
        if (!isPositive(policy.thresholdMs))
          issue(`${at}.thresholdMs`, `must be a number > 0 (ms), got ${String(policy.thresholdMs)}`);
        for (const [route, threshold] of Object.entries(policy.routes ?? {})) {
          if (!isPositive(threshold))
            issue(`${at}${subPath('routes', route)}`, `must be a number > 0 (ms), got ${String(threshold)}`);
        }
        if (
          policy.routeAttribute !== undefined &&
          (typeof policy.routeAttribute !== 'string' || policy.routeAttribute === '')
        ) {
          issue(`${at}.routeAttribute`, 'must be a non-empty attribute name');
        }
        break;
      case 'attribute':
        if (typeof policy.key !== 'string' || policy.key === '')
          issue(`${at}.key`, 'must be a non-empty attribute name');
        if (
          !Array.isArray(policy.values) ||
          policy.values.length === 0 ||
          policy.values.some((v: unknown) => typeof v !== 'string')
        ) {
          issue(`${at}.values`, 'must be a non-empty list of strings');
        }
        break;
      case 'errors':
        if (policy.budget !== undefined) {
          if (typeof policy.budget !== 'object' || policy.budget === null)
            issue(`${at}.budget`, 'must be an object: { tracesPerSecond, key?, weights? }');
          else checkBudget(`${at}.budget`, policy.budget, issue);
          if (errorBudgetAt < 0) errorBudgetAt = index;
        }
        break;
      case 'exemplar':
        if (policy.tracesPerSecond !== undefined && !isPositive(policy.tracesPerSecond))
          issue(`${at}.tracesPerSecond`, `must be a number > 0, got ${String(policy.tracesPerSecond)}`);
        // An exemplar must never point at a dropped trace (regression:
        // exemplar-points-at-trace-dropped-by-error-budget.test.ts).
        if (errorBudgetAt >= 0)
          issue(
            at,
            `must come before the errors policy with a budget at policies[${errorBudgetAt}]: that budget drops error traces, and an exemplar may already point at one`,
          );
        break;
      case 'budget':
        budgetAt = index;
        checkBudget(at, policy, issue);
        break;
      default:
        break;
    }
  });
  return issues;
}

/** A traces-per-second budget shared by key: the budget policy, and the errors policy's budget. */
function checkBudget(
  at: string,
  budget: {
    readonly tracesPerSecond: number;
    readonly key?: string;
    readonly weights?: Readonly<Record<string, number>>;
  },
  issue: (path: string, message: string) => void,
): void {
  if (!isPositive(budget.tracesPerSecond))
    issue(`${at}.tracesPerSecond`, `must be a number > 0, got ${String(budget.tracesPerSecond)}`);
  if (budget.key !== undefined && (typeof budget.key !== 'string' || budget.key === ''))
    issue(`${at}.key`, 'must be a non-empty attribute name');
  for (const [weightKey, weight] of Object.entries(budget.weights ?? {})) {
    if (!isPositive(weight))
      issue(`${at}${subPath('weights', weightKey)}`, `must be a number > 0, got ${String(weight)}`);
  }
  if (budget.weights !== undefined && budget.key === undefined)
    issue(`${at}.weights`, 'weights need a key to share the budget across');
}

function isPositive(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
