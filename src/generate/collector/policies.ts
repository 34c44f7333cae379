// The spec's sampling policies as tail_sampling processor policies (contrib v0.161.0), and the
// per-gateway share of each budget. What the processor cannot express becomes a note that the
// YAML carries as a comment.
import { SpecError, specPath, type SpecIssue } from '../../spec/errors.js';
import { EXEMPLAR_SPAN_ATTRIBUTE } from '../../spec/naming.js';
import { DRY_RUN_POLICY, IMPLICIT_EXEMPLAR_POLICY, resolveSampling } from '../../spec/sampling-settings.js';
import type { SamplingPolicySpec, SamplingSpec } from '../../spec/types.js';

/** A tail_sampling policy as the processor's YAML spells it. */
export type TailPolicy = Readonly<Record<string, unknown>>;

/** How one trace budget becomes per-gateway span limits. */
export interface BudgetSplit {
  readonly policy: string;
  readonly tracesPerSecond: number;
  readonly gatewayCount: number;
  readonly spansPerTrace: number;
  /** ceil(tracesPerSecond × spansPerTrace / gatewayCount), at least 1. */
  readonly spansPerSecondPerGateway: number;
  /** Token-bucket size: max(2 × spansPerSecondPerGateway, maxSpansPerTrace) so one large trace can pass. */
  readonly burstSpans: number;
}

export interface TailSamplingPlan {
  readonly policies: readonly TailPolicy[];
  readonly budgets: readonly BudgetSplit[];
  /** What the spec asks for that the processor does not do exactly (YAML comments, docs). */
  readonly notes: readonly string[];
}

/** Attribute the SDK sets on spans that a histogram exemplar points to. */
const DEFAULT_ROUTE_ATTRIBUTE = 'http.route';
const HTTP_STATUS_KEYS = ['http.response.status_code', 'http.status_code'];

/**
 * The collector keeps a trace when its duration in whole ms is > threshold_ms; the spec (and the
 * in-process policy) keep it at >= thresholdMs. One ms less makes both agree exactly.
 */
function collectorThresholdMs(thresholdMs: number): number {
  return Math.max(0, Math.ceil(thresholdMs) - 1);
}

/**
 * The largest span rate and burst written: the collector reads them as Go int64, and a larger
 * number (1e+300, or a burst of 2 × 9e18) wrapped to a negative limit that kept no trace at all
 * (regression: collector-huge-budget-kept-nothing). Any budget this large keeps everything.
 */
export const MAX_SPANS_PER_SECOND = Number.MAX_SAFE_INTEGER;

/** The per-gateway share of a budget; the formula the docs state. */
export function splitBudget(
  policy: string,
  tracesPerSecond: number,
  gatewayCount: number,
  spansPerTrace: number,
  maxSpansPerTrace: number | undefined,
): BudgetSplit {
  const spansPerSecondPerGateway = Math.min(
    MAX_SPANS_PER_SECOND,
    Math.max(1, Math.ceil((tracesPerSecond * spansPerTrace) / gatewayCount)),
  );
  const burstSpans = Math.min(
    MAX_SPANS_PER_SECOND,
    Math.max(2 * spansPerSecondPerGateway, maxSpansPerTrace ?? 0),
  );
  return { policy, tracesPerSecond, gatewayCount, spansPerTrace, spansPerSecondPerGateway, burstSpans };
}

/**
 * Policies in evaluation order with `sample_on_first_match`: every keep-whole policy first, the
 * budgets last, so a budget is spent only on baseline traces no other policy kept. Reads the
 * section's resolved settings (defaults filled in, as the in-process sampler sees them), so a
 * field left unset means what its default means.
 */
export function tailSamplingPlan(
  section: SamplingSpec | undefined,
  gatewayCount: number,
  spansPerTrace: number,
): TailSamplingPlan {
  const notes: string[] = [];
  const sampling = section === undefined ? undefined : resolveSampling(section);
  if (sampling === undefined || sampling.policies.length === 0) {
    notes.push('the spec has no sampling policies: every trace is kept (always_sample)');
    return { policies: [{ name: 'keep-all', type: 'always_sample' }], budgets: [], notes };
  }
  const keepWhole: TailPolicy[] = [];
  const budgetPolicies: TailPolicy[] = [];
  const budgets: BudgetSplit[] = [];
  /** The spec policy each generated one comes from (absent: a policy the generator adds). */
  const specIndexOf = new Map<TailPolicy, number>();
  // The in-process chain runs an exemplar rule first when the spec lists none (an exemplar must
  // never point at a dropped trace): so does the gateway, or the traces the SDK kept for their
  // exemplars compete for the budgets here and most are dropped.
  if (!sampling.policies.some((policy) => policy.kind === 'exemplar'))
    keepWhole.push(...keepPolicies({ name: IMPLICIT_EXEMPLAR_POLICY, kind: 'exemplar' }, notes));
  for (const [index, policy] of sampling.policies.entries()) {
    if (policy.kind === 'budget') {
      const split = splitBudget(
        policy.name,
        policy.tracesPerSecond,
        gatewayCount,
        spansPerTrace,
        sampling.maxSpansPerTrace,
      );
      budgets.push(split);
      const generated = budgetPolicy(policy, index, split, notes);
      specIndexOf.set(generated, index);
      budgetPolicies.push(generated);
    } else {
      for (const generated of keepPolicies(policy, notes)) {
        specIndexOf.set(generated, index);
        keepWhole.push(generated);
      }
    }
  }
  if (sampling.dryRun) {
    notes.push(
      'dryRun: the gateway keeps every trace (always_sample first, so the policies after it are not evaluated)',
    );
    keepWhole.unshift({ name: DRY_RUN_POLICY, type: 'always_sample' });
  }
  refuseDuplicateNames([...keepWhole, ...budgetPolicies], specIndexOf);
  // The in-process byte cap applies whether written or left at its default; the gateway has none.
  notes.push(
    `maxBytes (${sampling.maxBytes}) has no tail_sampling equivalent; memory_limiter bounds the gateway instead`,
  );
  return { policies: [...keepWhole, ...budgetPolicies], budgets, notes };
}

/**
 * The collector refuses to start on two tail_sampling policies of one name ("duplicate policy
 * name"): a spec policy named like one the generator adds (`dry-run` under dryRun) or like a
 * generated sub-policy (`errors:http.status_code`) is refused here, naming the field, instead of
 * writing a config no gateway starts with (regression: policy-named-like-a-generated-collector-policy).
 */
function refuseDuplicateNames(policies: readonly TailPolicy[], specIndexOf: ReadonlyMap<TailPolicy, number>) {
  const first = new Map<string, TailPolicy>();
  const issues: SpecIssue[] = [];
  const origin = (policy: TailPolicy) => {
    const index = specIndexOf.get(policy);
    return index === undefined ? 'a policy the generator adds' : specPath('sampling', 'policies', index);
  };
  for (const policy of policies) {
    const name = String(policy['name']);
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, policy);
      continue;
    }
    // Name the spec policy to rename: the later one, or the earlier if the later is the generator's.
    const index = specIndexOf.get(policy) ?? specIndexOf.get(earlier);
    const other = specIndexOf.get(policy) === undefined ? policy : earlier;
    issues.push({
      path: `${specPath('sampling', 'policies', index!)}.name`,
      message: `makes the collector's tail_sampling policy "${name}", which ${origin(other)} makes too: the collector refuses two policies of one name; choose another name`,
    });
  }
  if (issues.length > 0) throw new SpecError(issues);
}

function keepPolicies(
  policy: Exclude<SamplingPolicySpec, { kind: 'budget' }>,
  notes: string[],
): TailPolicy[] {
  switch (policy.kind) {
    case 'errors':
      if (policy.budget !== undefined)
        notes.push(
          `${policy.name}: the error budget (${policy.budget.tracesPerSecond} traces/s) has no tail_sampling equivalent (rate_limiting counts spans, not per key, and writes no ot=th); the gateway keeps every error trace`,
        );
      // The in-process policy's definition: status ERROR, or an HTTP 5xx under the current or the
      // pre-1.21 semconv key. Integers only, as the semconv types them, here and in-process (a
      // "503" string is no 5xx in either: errors-policy-counts-string-status-as-5xx.test.ts).
      return [
        { name: policy.name, type: 'status_code', status_code: { status_codes: ['ERROR'] } },
        ...HTTP_STATUS_KEYS.map((key) => ({
          name: `${policy.name}:${key}`,
          type: 'numeric_attribute',
          numeric_attribute: { key, min_value: 500, max_value: 599 },
        })),
      ];
    case 'attribute':
      return attributePolicies(policy);
    case 'exemplar':
      return [
        {
          name: policy.name,
          type: 'boolean_attribute',
          boolean_attribute: { key: EXEMPLAR_SPAN_ATTRIBUTE, value: true },
        },
      ];
    case 'latency':
      return latencyPolicies(policy, notes);
  }
}

/**
 * The collector's string_attribute never matches an empty value (listed as is or as `^$`), which
 * the in-process policy keeps like any other: a spec listing "" gets an OTTL condition for it
 * besides (regression: collector-empty-attribute-value-never-matched).
 */
function attributePolicies(policy: Extract<SamplingPolicySpec, { kind: 'attribute' }>): TailPolicy[] {
  const values = policy.values.filter((value) => value !== '');
  const policies: TailPolicy[] = [];
  if (values.length > 0)
    policies.push({
      name: policy.name,
      type: 'string_attribute',
      string_attribute: { key: policy.key, values },
    });
  if (values.length < policy.values.length) {
    const key = JSON.stringify(policy.key);
    policies.push({
      name: values.length > 0 ? `${policy.name}:empty` : policy.name,
      type: 'ottl_condition',
      ottl_condition: {
        error_mode: 'ignore',
        span: [`attributes[${key}] == "" or resource.attributes[${key}] == ""`],
      },
    });
  }
  return policies;
}

/** One top-level policy per route (and: route match + threshold), plus the default for the rest. */
function latencyPolicies(
  policy: Extract<SamplingPolicySpec, { kind: 'latency' }>,
  notes: string[],
): TailPolicy[] {
  notes.push(
    `${policy.name}: the collector measures the whole trace (earliest start to latest end), in-process the local root span; ` +
      'threshold_ms is one less than the spec because the collector compares with > and the spec means >=',
  );
  const routes = Object.entries(policy.routes ?? {}).sort(([left], [right]) =>
    left < right ? -1 : left > right ? 1 : 0,
  );
  if (routes.length === 0)
    return [
      {
        name: policy.name,
        type: 'latency',
        latency: { threshold_ms: collectorThresholdMs(policy.thresholdMs) },
      },
    ];
  const routeAttribute = policy.routeAttribute ?? DEFAULT_ROUTE_ATTRIBUTE;
  notes.push(`${policy.name}: a route matches when any span of the trace has ${routeAttribute} equal to it`);
  // A route named `other-routes` would name its policy like the one for every other route, which
  // the generator then refused as a duplicate (regression: collector-route-named-other-routes-refused):
  // each route's policy name is made unique by a `#n`.
  const otherRoutesName = `${policy.name}:other-routes`;
  const taken = new Set([otherRoutesName]);
  const routeName = (route: string) => {
    let name = `${policy.name}:${route}`;
    for (let n = 2; taken.has(name); n += 1) name = `${policy.name}:${route}#${n}`;
    taken.add(name);
    return name;
  };
  const perRoute: TailPolicy[] = routes.map(([route, thresholdMs]) => {
    const name = routeName(route);
    return {
      name,
      type: 'and',
      and: {
        and_sub_policy: [
          {
            name: `${name}:route`,
            type: 'string_attribute',
            string_attribute: { key: routeAttribute, values: [route] },
          },
          {
            name: `${name}:latency`,
            type: 'latency',
            latency: { threshold_ms: collectorThresholdMs(thresholdMs) },
          },
        ],
      },
    };
  });
  // The default threshold applies to every other route; invert_match inside `and` yields a plain decision.
  const otherRoutes: TailPolicy = {
    name: otherRoutesName,
    type: 'and',
    and: {
      and_sub_policy: [
        {
          name: `${policy.name}:other-routes:route`,
          type: 'string_attribute',
          string_attribute: {
            key: routeAttribute,
            values: routes.map(([route]) => route),
            invert_match: true,
          },
        },
        {
          name: `${policy.name}:other-routes:latency`,
          type: 'latency',
          latency: { threshold_ms: collectorThresholdMs(policy.thresholdMs) },
        },
      ],
    },
  };
  // Not one composite: composite rate-limits its sub-policies, and slow traces are kept whole.
  return [...perRoute, otherRoutes];
}

/**
 * 100 whole percentage points shared in proportion to `weights` (at most 100 of them), each at
 * least 1: the collector's composite `rate_allocation.percent` is an integer, and a 0% entry gets
 * no spans at all. Largest remainder (Hamilton's method) with a floor of 1: an entry whose exact
 * share is below 1 gets 1 and the others share the points left in proportion (repeated until every
 * share left is at least 1); each of those gets the floor of its share, and the points still left
 * go one each to the largest remainders (ties to the earlier entry). Rounding every share down
 * and giving the rest to the last entry made {refund: 1, charge: 200, others: 1} 0%, 99%, 1%.
 */
export function allocatePercents(weights: readonly number[]): number[] {
  const atMinimum = new Set<number>();
  for (;;) {
    const free = weights.flatMap((weight, i) => (atMinimum.has(i) ? [] : [{ i, weight }]));
    const points = 100 - atMinimum.size;
    const total = free.reduce((sum, entry) => sum + entry.weight, 0);
    const below = free.filter((entry) => (points * entry.weight) / total < 1);
    if (below.length === 0) {
      const percents = weights.map(() => 1);
      const remainders: { i: number; remainder: number }[] = [];
      let left = points;
      for (const { i, weight } of free) {
        const exact = (points * weight) / total;
        const whole = Math.floor(exact);
        percents[i] = whole;
        left -= whole;
        remainders.push({ i, remainder: exact - whole });
      }
      remainders.sort((a, b) => b.remainder - a.remainder || a.i - b.i);
      for (const { i } of remainders.slice(0, left)) percents[i]! += 1;
      return percents;
    }
    for (const { i } of below) atMinimum.add(i);
  }
}

/**
 * The composite's slots whose share cannot hold one trace of the assumed size, as `"value" N`.
 * The collector (v0.161.0 composite_helper.go) gives a slot int64(percent / 100 × max total) spans
 * in each wall-clock second, with no burst, and keeps a trace only when its spans fit in what the
 * slot has left that second: a 1% slot below 100 spans/s gets 0, a slot below a trace's span
 * count keeps no such trace (the rate_limiting budget's burst_capacity lets one pass).
 */
function slotsSmallerThanATrace(
  allocations: readonly { readonly value: string; readonly percent: number }[],
  othersPercent: number,
  split: BudgetSplit,
): string[] {
  const spans = (percent: number) => Math.trunc((percent / 100) * split.spansPerSecondPerGateway);
  return [...allocations, { value: 'others', percent: othersPercent, others: true }]
    .filter(({ percent }) => spans(percent) < split.spansPerTrace)
    .map(
      (slot) =>
        `${'others' in slot ? 'others (every unlisted value)' : JSON.stringify(slot.value)} ${spans(slot.percent)}`,
    );
}

function budgetPolicy(
  policy: Extract<SamplingPolicySpec, { kind: 'budget' }>,
  index: number,
  split: BudgetSplit,
  notes: string[],
): TailPolicy {
  notes.push(
    `${policy.name}: ${policy.tracesPerSecond} traces/s across the tier = ${split.spansPerSecondPerGateway} spans/s per gateway ` +
      `(ceil(${policy.tracesPerSecond} × ${split.spansPerTrace} spans/trace / ${split.gatewayCount} gateways)); ` +
      'the processor limits spans, so traces larger than average use more of the budget',
  );
  const weights = Object.entries(policy.weights ?? {}).sort(([left], [right]) =>
    left < right ? -1 : left > right ? 1 : 0,
  );
  if (policy.key === undefined || weights.length === 0) {
    if (policy.key !== undefined) {
      notes.push(
        `${policy.name}: per-${policy.key} fairness without weights is not expressible (the processor has no per-value limiter); one shared limit applies`,
      );
    }
    return {
      name: policy.name,
      type: 'rate_limiting',
      rate_limiting: { spans_per_second: split.spansPerSecondPerGateway, burst_capacity: split.burstSpans },
    };
  }
  // Weighted shares: one composite sub-policy per listed value, the rest share one "others" slot
  // that weighs 1 in total (not 1 per value — the processor cannot enumerate unlisted values).
  if (weights.length + 1 > 100) {
    throw new SpecError([
      {
        path: `${specPath('sampling', 'policies', index)}.weights`,
        message:
          `${weights.length} weighted values and "others" cannot each get 1% of the budget: the collector's ` +
          'composite rate_allocation takes whole percents; list at most 99 values',
      },
    ]);
  }
  const percents = allocatePercents([...weights.map(([, weight]) => weight), 1]);
  const allocations = weights.map(([value], i) => ({ value, percent: percents[i]! }));
  const othersPercent = percents[weights.length]!;
  notes.push(
    `${policy.name}: weights by ${policy.key} become composite rate allocations (${allocations
      .map((allocation) => `${allocation.value}=${allocation.percent}%`)
      .join(
        ', ',
      )}, others=${othersPercent}%); unlisted values share one slot, and an idle value's share is not lent to others`,
  );
  const small = slotsSmallerThanATrace(allocations, othersPercent, split);
  if (small.length > 0)
    notes.push(
      `${policy.name}: a composite slot keeps no trace with more spans than its spans/s per gateway (it has no burst; ` +
        `the collector rounds percent × ${split.spansPerSecondPerGateway} / 100 down), and these hold less than one trace of ` +
        `${split.spansPerTrace} spans: ${small.join(', ')}; in-process each keeps its share. Raise tracesPerSecond or the weight`,
    );
  // The collector keeps one rate allocation per sub-policy name (the last): a listed value named
  // like the slot for unlisted ones (`others`) got the slot's share (regression:
  // collector-weighted-value-named-others-lost-its-share). Each name is made unique by a `#n`.
  const othersName = `${policy.name}/others`;
  const taken = new Set([othersName]);
  const named = allocations.map((allocation) => {
    let name = `${policy.name}/${allocation.value}`;
    for (let n = 2; taken.has(name); n += 1) name = `${policy.name}/${allocation.value}#${n}`;
    taken.add(name);
    return { ...allocation, name };
  });
  const subPolicies: TailPolicy[] = named.map(({ value, name }) => ({
    name,
    type: 'string_attribute',
    string_attribute: { key: policy.key, values: [value] },
  }));
  subPolicies.push({ name: othersName, type: 'always_sample' });
  return {
    name: policy.name,
    type: 'composite',
    composite: {
      max_total_spans_per_second: split.spansPerSecondPerGateway,
      policy_order: subPolicies.map((sub) => sub.name),
      composite_sub_policy: subPolicies,
      rate_allocation: [
        ...named.map(({ name, percent }) => ({ policy: name, percent })),
        { policy: othersName, percent: othersPercent },
      ],
    },
  };
}
