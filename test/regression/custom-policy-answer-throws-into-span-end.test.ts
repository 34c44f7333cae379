// Regression: a sampling policy of the app's own that answered `undefined` (or `null`, or a
// Proxy that throws) made every span.end() throw "Cannot read properties of undefined (reading
// 'verdict')" into the app, recorded no decision and left traces buffered (a hostile-input trial:
// 50 of 50 spans threw; at 1 bad answer in 10, 551 traces stayed buffered). A garbage verdict
// ('maybe', a bare 'keep') counted silently as a drop, though the docs say a broken policy
// abstains; a link with `context: null` made startSpan throw; and stats() threw when a custom
// policy's ceilingDrops() did. Now such answers abstain and are counted
// (plumbline_sampler_policy_errors_total), bad links count for nothing, stats() goes on. Real
// parts: createTelemetry with the tail sampler, spans through its tracer, /metrics.
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { afterEach, expect, it } from 'vitest';
import {
  buildPolicies,
  createTelemetry,
  defineTelemetry,
  type SamplingPolicy,
  type Telemetry,
} from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  sampling: { decisionWaitMs: 0, policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: 1e6 }] },
});

let telemetry: Telemetry<typeof spec> | undefined;
afterEach(async () => {
  await telemetry?.shutdown();
  telemetry = undefined;
});

function withPolicy(policy: Partial<SamplingPolicy>): Telemetry<typeof spec> {
  telemetry = createTelemetry(spec, {
    logDestination: captureLines().destination,
    samplingPolicies: [policy as SamplingPolicy, ...buildPolicies(spec.sampling.policies)],
  });
  return telemetry;
}

const hostile = new Proxy(
  {},
  {
    get: () => {
      throw new Error('hostile');
    },
  },
);

it('custom-policy-answer-throws-into-span-end: a bad answer abstains, counted, and never throws', async () => {
  const answers: unknown[] = [
    undefined,
    null,
    hostile,
    'keep',
    { verdict: 'maybe' },
    { verdict: 'keep', threshold: 'zz' },
  ];
  let call = 0;
  const t = withPolicy({
    name: 'mine',
    kind: 'custom',
    evaluate: () => answers[call++ % answers.length] as never,
  });
  for (let i = 0; i < 60; i++)
    expect(() => t.tracer.startSpan('GET /orders', {}, ROOT_CONTEXT).end()).not.toThrow();
  await t.forceFlush();
  const stats = t.sampler!.stats();
  expect(stats.policyErrors).toBe(60);
  // Each bad answer abstained: the budget after it kept every trace (before: thrown, or dropped).
  expect(stats.decisions.baseline).toEqual({ keep: 60, drop: 0 });
  expect(stats.decisions.mine).toEqual({ keep: 0, drop: 0 });
  expect(stats.bufferedTraces).toBe(0);
  expect(t.metrics.serialize().body).toMatch(/^plumbline_sampler_policy_errors_total 60$/m);
});

it('custom-policy-answer-throws-into-span-end: a link without a context, and stats() of a policy that throws', async () => {
  const t = withPolicy({
    name: 'mine',
    kind: 'custom',
    evaluate: () => ({ verdict: 'abstain' }),
    ceilingDrops: () => {
      throw new Error('hostile');
    },
  });
  // A link the OTel SDK itself accepts (a Proxy link throws inside the SDK, before any processor).
  expect(() =>
    t.tracer.startSpan('x', { links: [{ context: null as never }] }, ROOT_CONTEXT).end(),
  ).not.toThrow();
  await t.forceFlush();
  expect(t.sampler!.stats().decisions.baseline!.keep).toBe(1);
  expect(t.sampler!.stats().policyErrors).toBe(0); // a well-formed abstention is no error
});
