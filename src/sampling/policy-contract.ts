// The contract every SamplingPolicy keeps, as cases any test runner can run (node:assert only,
// so users run it under vitest, jest or node:test): what TailSamplingProcessor relies on.
import assert from 'node:assert/strict';
import type { Attributes, SpanContext } from '@opentelemetry/api';
import type { PolicyDecision, PolicySpan, SamplingPolicy, TraceView } from './policy.js';
import { keepsAt } from './threshold.js';

/** One check of the contract: register it with your runner, `it(c.name, c.run)`. */
export interface PolicyContractCase {
  readonly name: string;
  run(): void;
}

export interface PolicyContractOptions {
  /** Traces of your own (the ones your policy keeps, say) run through every check too. */
  readonly traces?: readonly TraceView[];
}

const VERDICTS: ReadonlySet<unknown> = new Set(['keep', 'drop', 'abstain']);
const HEX14 = /^[0-9a-f]{14}$/;
// The processor adds its own exemplar rule unless the chain has a policy of this kind, and its
// own linked rule likewise: a policy claiming either kind takes over that promise.
const EXEMPLAR_KIND = 'exemplar';
const LINKED_KIND = 'linked';
const START_MS = 1_000_000;

/**
 * The contract cases for one policy. `makePolicy(name)` builds a fresh policy named `name`; it
 * is called once per check (twice for replay), so state never leaks from one check to another.
 *
 * ```ts
 * for (const c of samplingPolicyContract('vip-route', (name) => new VipRoute(name))) it(c.name, c.run);
 * ```
 */
export function samplingPolicyContract(
  suite: string,
  makePolicy: (name: string) => SamplingPolicy,
  options: PolicyContractOptions = {},
): readonly PolicyContractCase[] {
  const traces = (): TraceView[] => [
    ...contractTraces(),
    ...(options.traces ?? []).map((trace) => deepFreeze(trace)),
  ];
  const check = (name: string, run: () => void): PolicyContractCase => ({ name: `${suite}: ${name}`, run });
  return [
    check('keeps the name it was given and a non-empty kind', () => {
      const policy = makePolicy('contract-name');
      assert.equal(policy.name, 'contract-name', 'policy.name must be the name passed to makePolicy');
      assert.equal(typeof policy.kind, 'string', 'policy.kind must be a string');
      assert.notEqual(policy.kind, '', 'policy.kind must not be empty');
      const kind = policy.kind;
      runAll(policy, traces());
      assert.equal(policy.name, 'contract-name', 'policy.name must not change while deciding');
      assert.equal(policy.kind, kind, 'policy.kind must not change while deciding');
    }),
    check('decides every trace without throwing, hostile spans included', () => {
      const policy = makePolicy('contract');
      let now = START_MS;
      for (const trace of traces()) {
        try {
          policy.evaluate(trace, now++);
        } catch (error) {
          // Views are deeply frozen, so a policy that writes to the trace it is shown lands here.
          assert.fail(`evaluate threw on trace ${describe(trace)}: ${String(error)}`);
        }
      }
    }),
    check('answers only keep, drop or abstain, synchronously', () => {
      const policy = makePolicy('contract');
      let now = START_MS;
      for (const trace of traces()) {
        const decision = policy.evaluate(trace, now++) as unknown;
        assert.ok(
          typeof decision === 'object' &&
            decision !== null &&
            VERDICTS.has((decision as PolicyDecision).verdict),
          `evaluate must return KEEP, DROP, ABSTAIN or { verdict, threshold? }; got ${String(decision)} on ${describe(trace)}`,
        );
      }
    }),
    check('a threshold is 14 lowercase hex digits and agrees with the verdict (OTEP 235)', () => {
      const policy = makePolicy('contract');
      let now = START_MS;
      for (const trace of traces()) {
        const decision = policy.evaluate(trace, now++);
        if (decision.threshold === undefined) continue;
        assert.match(decision.threshold, HEX14, `threshold on ${describe(trace)}`);
        assert.notEqual(decision.verdict, 'abstain', 'an abstention carries no threshold');
        // Downstream adjusted counts assume keep <=> randomness >= th: anything else biases them.
        assert.equal(
          decision.verdict === 'keep',
          keepsAt(trace.randomness, decision.threshold),
          `verdict ${decision.verdict} at threshold ${decision.threshold} for randomness ${trace.randomness}`,
        );
      }
    }),
    check('decides the same way when replayed (no clock or Math.random of its own)', () => {
      const first = makePolicy('contract');
      const second = makePolicy('contract');
      const all = traces();
      let now = START_MS;
      for (const trace of all) {
        now += 7;
        const a = first.evaluate(trace, now);
        const b = second.evaluate(trace, now);
        assert.deepEqual(
          { verdict: b.verdict, threshold: b.threshold },
          { verdict: a.verdict, threshold: a.threshold },
          `two fresh policies fed the same traces at the same times disagree on ${describe(trace)}`,
        );
      }
    }),
    check('a decision without a threshold depends on the trace only', () => {
      const policy = makePolicy('contract');
      const all = traces();
      let now = START_MS;
      const first = all.map((trace) => policy.evaluate(trace, now++));
      now += 60_000; // a later pass, in another order: a rule's answer is about the trace alone
      for (let i = all.length - 1; i >= 0; i--) {
        if (first[i]!.threshold !== undefined) continue; // probabilistic: checked against its threshold
        const again = policy.evaluate(all[i]!, now++);
        assert.equal(again.verdict, first[i]!.verdict, `asked again about ${describe(all[i]!)}`);
      }
    }),
    check('thresholds(), when present, maps keys to 14-digit thresholds', () => {
      const policy = makePolicy('contract');
      runAll(policy, traces());
      if (policy.thresholds === undefined) return;
      const byKey = policy.thresholds();
      assert.equal(typeof byKey, 'object', 'thresholds() must return an object');
      for (const [key, threshold] of Object.entries(byKey))
        assert.match(threshold, HEX14, `thresholds()[${JSON.stringify(key)}]`);
    }),
    check(
      `a policy of kind "${EXEMPLAR_KIND}" or "${LINKED_KIND}" keeps what the implicit rule would`,
      () => {
        const policy = makePolicy('contract');
        if (policy.kind !== EXEMPLAR_KIND && policy.kind !== LINKED_KIND) return;
        // Its kind stops the processor adding the implicit rule; an exemplar must still never point
        // at a dropped trace, nor a kept request lose its linked storage trace.
        const field = policy.kind === EXEMPLAR_KIND ? 'exemplar' : 'linkedKept';
        let now = START_MS;
        for (const trace of traces().filter((view) => view[field] === true))
          assert.equal(policy.evaluate(trace, now++).verdict, 'keep', `must keep ${describe(trace)}`);
      },
    ),
  ];
}

function runAll(policy: SamplingPolicy, traces: readonly TraceView[]): void {
  let now = START_MS;
  for (const trace of traces) policy.evaluate(trace, now++);
}

function describe(trace: TraceView): string {
  return `${trace.traceId} (${trace.spans.length} spans${trace.localRoot === undefined ? ', no root' : ''})`;
}

function spanContext(traceId: string, spanId: string): SpanContext {
  return { traceId, spanId, traceFlags: 1 };
}

function span(
  traceId: string,
  spanId: string,
  over: Partial<Omit<PolicySpan, 'spanContext'>> = {},
): PolicySpan {
  const context = spanContext(traceId, spanId);
  return {
    name: 'GET /orders',
    kind: 1,
    status: { code: 0 },
    attributes: {},
    duration: [0, 5_000_000],
    resource: { attributes: { 'service.name': 'contract' } },
    ...over,
    spanContext: () => context,
  };
}

function view(traceId: string, spans: readonly PolicySpan[], over: Partial<TraceView> = {}): TraceView {
  const root = spans.find((candidate) => candidate.parentSpanContext === undefined);
  return {
    traceId,
    localRoot: root,
    rootDurationMs: root === undefined ? undefined : 5,
    spans,
    exemplar: false,
    randomness: traceId.slice(-14),
    ...over,
  };
}

function traceId(n: number): string {
  // Randomness spread over the whole 56-bit range so a budget's threshold is exercised both ways.
  const random = Math.floor((((n * 0x9e3779b1) >>> 0) / 2 ** 32) * 2 ** 28)
    .toString(16)
    .padStart(7, '0');
  return `${n.toString(16).padStart(18, '0')}${random}${random}`.slice(0, 32);
}

/** Ordinary traces, the edge cases the processor produces, and spans no well-behaved SDK makes. */
export function contractTraces(): TraceView[] {
  const hostileAttributes: Attributes = {
    'http.route': ['/a', '/b'],
    'http.response.status_code': 'five hundred',
    'http.status_code': Number.NaN,
    'tenant.tier': 7,
    '': '',
    constructor: 'x',
    toString: 'x',
    ['x'.repeat(10_000)]: 'y'.repeat(100_000),
    'sparse.array': [undefined, null, 1] as unknown as string[],
  };
  const out: TraceView[] = [];
  // Ordinary request traces: root plus a child, some slow, some failed, across routes and tenants.
  for (let n = 1; n <= 64; n++) {
    const id = traceId(n);
    const root = span(id, 'a'.repeat(16), {
      attributes: {
        'http.route': n % 3 === 0 ? '/checkout' : '/orders',
        'tenant.tier': n % 5 === 0 ? 'gold' : 'free',
      },
      status: { code: n % 11 === 0 ? 2 : 0 },
      duration: [0, (n % 7) * 100_000_000],
    });
    const child = span(id, 'b'.repeat(16), {
      parentSpanContext: root.spanContext(),
      attributes: { 'http.response.status_code': n % 13 === 0 ? 503 : 200 },
    });
    out.push(
      view(id, [root, child], {
        rootDurationMs: (n % 7) * 100,
        exemplar: n % 9 === 0,
        linkedKept: n % 10 === 0,
      }),
    );
  }
  // What the processor passes when a trace is decided early or arrives without its root.
  out.push(view(traceId(100), [], { localRoot: undefined, rootDurationMs: undefined }));
  const orphan = span(traceId(101), 'c'.repeat(16), {
    parentSpanContext: spanContext(traceId(101), 'd'.repeat(16)),
  });
  out.push(view(traceId(101), [orphan]));
  out.push(view(traceId(102), [span(traceId(102), 'e'.repeat(16))], { rootDurationMs: 0, exemplar: true }));
  out.push(view(traceId(103), [span(traceId(103), 'f'.repeat(16))], { linkedKept: true }));
  out.push(
    view('00000000000000000000000000000000', [], { localRoot: undefined, randomness: '00000000000000' }),
  );
  out.push(
    view('ffffffffffffffffffffffffffffffff', [], { localRoot: undefined, randomness: 'ffffffffffffff' }),
  );
  // Hostile: odd attribute values and names, out-of-range enums, negative and NaN durations.
  const hostileId = traceId(104);
  const hostile = span(hostileId, '1'.repeat(16), {
    name: '',
    kind: 99 as never,
    status: { code: 42 as never, message: '\u0000'.repeat(1000) },
    attributes: hostileAttributes,
    duration: [-1, -5],
    resource: { attributes: hostileAttributes },
  });
  out.push(view(hostileId, [hostile], { rootDurationMs: Number.NaN }));
  out.push(view(traceId(105), [hostile], { rootDurationMs: Number.POSITIVE_INFINITY }));
  out.push(view(traceId(106), [hostile], { rootDurationMs: -3, localRoot: undefined }));
  // A large trace, as a truncated one arrives: 1,000 spans, an error among them.
  const bigId = traceId(107);
  const big: PolicySpan[] = [];
  for (let i = 0; i < 1_000; i++)
    big.push(span(bigId, i.toString(16).padStart(16, '0'), { status: { code: i === 999 ? 2 : 0 } }));
  out.push(view(bigId, big));
  return out.map((trace) => deepFreeze(trace));
}

function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
  return Object.freeze(value);
}
