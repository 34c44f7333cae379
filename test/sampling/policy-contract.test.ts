// Every built-in sampling policy runs the shared contract users run over theirs; policies that
// break it one way each show the contract catches that way.
import { describe, expect, it } from 'vitest';
import { AttributePolicy } from '../../src/sampling/attribute-policy.js';
import { BudgetPolicy } from '../../src/sampling/budget-policy.js';
import { ErrorBudgetPolicy } from '../../src/sampling/error-budget-policy.js';
import { ErrorsPolicy } from '../../src/sampling/errors-policy.js';
import { ExemplarPolicy } from '../../src/sampling/exemplar-policy.js';
import { LatencyPolicy } from '../../src/sampling/latency-policy.js';
import { LinkedPolicy } from '../../src/sampling/linked-policy.js';
import { buildPolicies } from '../../src/sampling/build-policies.js';
import {
  ABSTAIN,
  BaseSamplingPolicy,
  DROP,
  KEEP,
  SpanMatchPolicy,
  type PolicyDecision,
  type PolicySpan,
  type SamplingPolicy,
  type TraceView,
} from '../../src/sampling/policy.js';
import {
  contractTraces,
  samplingPolicyContract,
  type PolicyContractCase,
} from '../../src/sampling/policy-contract.js';

// The custom policy docs/sampling.md shows.
class VipRoute extends SpanMatchPolicy {
  readonly kind = 'vip-route';
  protected matchesSpan(span: PolicySpan): boolean {
    return span.attributes['http.route'] === '/vip';
  }
}

const builtIns: Record<string, (name: string) => SamplingPolicy> = {
  errors: (name) => new ErrorsPolicy(name),
  'errors with a budget': (name) => new ErrorBudgetPolicy(name, { tracesPerSecond: 2, key: 'http.route' }),
  latency: (name) => new LatencyPolicy(name, { thresholdMs: 250, routes: { '/checkout': 400 } }),
  'latency by tenant': (name) => new LatencyPolicy(name, { thresholdMs: 100, routeAttribute: 'tenant.tier' }),
  exemplar: (name) => new ExemplarPolicy(name),
  linked: (name) => new LinkedPolicy(name),
  attribute: (name) => new AttributePolicy(name, 'tenant.tier', ['gold']),
  budget: (name) => new BudgetPolicy(name, { tracesPerSecond: 20 }),
  'budget by route': (name) =>
    new BudgetPolicy(name, {
      tracesPerSecond: 5,
      key: 'http.route',
      weights: { '/checkout': 3 },
      maxKeys: 2,
    }),
  'custom SpanMatchPolicy (docs)': (name) => new VipRoute(name),
};

describe('every built-in policy keeps the SamplingPolicy contract', () => {
  for (const [label, make] of Object.entries(builtIns)) {
    for (const contractCase of samplingPolicyContract(label, make)) it(contractCase.name, contractCase.run);
  }
  // The chain the processor builds from a spec, each policy as built (implicit exemplar rule too).
  const specPolicies = [
    { name: 'errors', kind: 'errors' },
    { name: 'error-budget', kind: 'errors', budget: { tracesPerSecond: 1 } },
    { name: 'slow', kind: 'latency', thresholdMs: 250 },
    { name: 'budget', kind: 'budget', tracesPerSecond: 10, key: 'http.route' },
  ] as const;
  const chainLength = buildPolicies(specPolicies).length;
  for (let i = 0; i < chainLength; i++) {
    const make = (name: string): SamplingPolicy =>
      buildPolicies(specPolicies.map((policy, at) => (at === i - 1 ? { ...policy, name } : policy)))[i]!;
    const label = `buildPolicies #${i} (${buildPolicies(specPolicies)[i]!.kind})`;
    if (i === 0) continue; // the implicit exemplar rule has a fixed name; it runs above as `exemplar`
    for (const contractCase of samplingPolicyContract(label, make)) it(contractCase.name, contractCase.run);
  }
});

describe('the contract traces exercise what they claim', () => {
  it('a budget both keeps and drops them, with thresholds, so the OTEP 235 check is not vacuous', () => {
    const budget = new BudgetPolicy('b', { tracesPerSecond: 20 });
    let now = 1_000_000;
    const verdicts = contractTraces().map((trace) => budget.evaluate(trace, (now += 7)));
    expect(verdicts.some((d) => d.verdict === 'keep' && d.threshold !== '00000000000000')).toBe(true);
    expect(verdicts.some((d) => d.verdict === 'drop')).toBe(true);
  });

  it('an error budget meets enough error traces to sample them by threshold', () => {
    const errorBudget = new ErrorBudgetPolicy('e', { tracesPerSecond: 2 });
    let now = 1_000_000;
    const verdicts = contractTraces().map((trace) => errorBudget.evaluate(trace, (now += 7)));
    expect(verdicts.some((d) => d.threshold !== undefined && d.threshold !== '00000000000000')).toBe(true);
  });

  it('rule policies find something to keep and something to leave', () => {
    for (const make of [
      builtIns.errors!,
      builtIns.latency!,
      builtIns.exemplar!,
      builtIns.linked!,
      builtIns.attribute!,
    ]) {
      const verdicts = new Set(contractTraces().map((trace) => make('p').evaluate(trace, 0).verdict));
      expect([...verdicts].sort()).toEqual(['abstain', 'keep']);
    }
  });

  it('is what plumbline/generate exports to users', async () => {
    const entry = await import('../../src/generate/index.js');
    expect(entry.samplingPolicyContract).toBe(samplingPolicyContract);
  });

  it('the views are frozen deeply', () => {
    const trace = contractTraces().find((view) => view.spans.length > 0)!;
    expect(Object.isFrozen(trace)).toBe(true);
    expect(Object.isFrozen(trace.spans[0]!.attributes)).toBe(true);
  });
});

// Broken policies: each must fail the named check and only a policy of that kind of breakage.
class Named implements SamplingPolicy {
  readonly kind: string = 'broken';
  constructor(
    readonly name: string,
    private readonly decide: (trace: TraceView, nowMs: number) => PolicyDecision,
  ) {}
  evaluate(trace: TraceView, nowMs: number): PolicyDecision {
    return this.decide(trace, nowMs);
  }
}

function failing(cases: readonly PolicyContractCase[]): string[] {
  const failed: string[] = [];
  for (const contractCase of cases) {
    try {
      contractCase.run();
    } catch {
      failed.push(contractCase.name.slice(contractCase.name.indexOf(': ') + 2));
    }
  }
  return failed;
}

describe('the contract fails a policy that breaks it', () => {
  it('one that ignores its name', () => {
    expect(failing(samplingPolicyContract('x', () => new Named('fixed', () => KEEP)))).toEqual([
      'keeps the name it was given and a non-empty kind',
    ]);
  });

  it('one that throws when the trace has no root', () => {
    const policy = (name: string): SamplingPolicy =>
      new Named(name, (trace) => (trace.localRoot!.attributes['http.route'] === '/vip' ? KEEP : ABSTAIN));
    expect(failing(samplingPolicyContract('x', policy))).toContain(
      'decides every trace without throwing, hostile spans included',
    );
  });

  it('one that reads attributes as strings they are not', () => {
    const policy = (name: string): SamplingPolicy =>
      new Named(name, (trace) =>
        trace.spans.some((span) => (span.attributes['http.route'] as string).startsWith('/v'))
          ? KEEP
          : ABSTAIN,
      );
    expect(failing(samplingPolicyContract('x', policy))).toContain(
      'decides every trace without throwing, hostile spans included',
    );
  });

  it('one that writes to the trace it is shown', () => {
    const policy = (name: string): SamplingPolicy =>
      new Named(name, (trace) => {
        (trace as { exemplar: boolean }).exemplar = true;
        return KEEP;
      });
    expect(failing(samplingPolicyContract('x', policy))).toContain(
      'decides every trace without throwing, hostile spans included',
    );
  });

  it('one that answers something other than keep, drop or abstain', () => {
    const policy = (name: string): SamplingPolicy =>
      new Named(name, () => ({ verdict: 'maybe' }) as unknown as PolicyDecision);
    expect(failing(samplingPolicyContract('x', policy))).toEqual([
      'answers only keep, drop or abstain, synchronously',
    ]);
  });

  it('one that answers with a promise', () => {
    const policy = (name: string): SamplingPolicy =>
      new Named(name, () => Promise.resolve(KEEP) as unknown as PolicyDecision);
    expect(failing(samplingPolicyContract('x', policy))).toContain(
      'answers only keep, drop or abstain, synchronously',
    );
  });

  it('one that keeps below its own threshold', () => {
    const policy = (name: string): SamplingPolicy =>
      new Named(name, () => ({ verdict: 'keep', threshold: 'ffffffffffffff' }));
    expect(failing(samplingPolicyContract('x', policy))).toEqual([
      'a threshold is 14 lowercase hex digits and agrees with the verdict (OTEP 235)',
    ]);
  });

  it('one that flips a coin', () => {
    const policy = (name: string): SamplingPolicy =>
      new Named(name, () => (Math.random() < 0.5 ? KEEP : DROP));
    expect(failing(samplingPolicyContract('x', policy))).toEqual([
      'decides the same way when replayed (no clock or Math.random of its own)',
      'a decision without a threshold depends on the trace only',
    ]);
  });

  it('one that keeps the first traces it sees, a budget without a threshold', () => {
    class FirstTen extends BaseSamplingPolicy {
      readonly kind = 'first-ten';
      private seen = 0;
      protected matches(): boolean {
        return ++this.seen <= 10;
      }
    }
    expect(failing(samplingPolicyContract('x', (name) => new FirstTen(name)))).toEqual([
      'a decision without a threshold depends on the trace only',
    ]);
  });

  it('one that claims the exemplar kind and does not keep exemplar traces', () => {
    class NotReallyExemplar extends ErrorsPolicy {
      override readonly kind = 'exemplar' as 'errors';
    }
    expect(failing(samplingPolicyContract('x', (name) => new NotReallyExemplar(name)))).toEqual([
      'a policy of kind "exemplar" or "linked" keeps what the implicit rule would',
    ]);
  });

  it('one whose thresholds() are not thresholds', () => {
    const policy = (name: string): SamplingPolicy =>
      Object.assign(new Named(name, () => ABSTAIN), { thresholds: () => ({ '/a': '0.5' }) });
    expect(failing(samplingPolicyContract('x', policy))).toEqual([
      'thresholds(), when present, maps keys to 14-digit thresholds',
    ]);
  });

  it('user traces run through every check', () => {
    const extra = contractTraces()[0]!;
    const odd = { ...extra, traceId: 'user-trace', localRoot: undefined };
    const policy = (name: string): SamplingPolicy =>
      new Named(name, (trace) => {
        if (trace.traceId === 'user-trace') throw new Error('boom');
        return ABSTAIN;
      });
    expect(failing(samplingPolicyContract('x', policy))).toEqual([]);
    expect(failing(samplingPolicyContract('x', policy, { traces: [odd] }))).toContain(
      'decides every trace without throwing, hostile spans included',
    );
  });
});
