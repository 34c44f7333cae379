// Regression (sampling review): a policy named "exemplar" that is not the exemplar rule was
// accepted, and the implicit exemplar rule (added first when no policy has kind exemplar) took the
// same name: the two rules shared one `stats().decisions` entry (its keeps were the sum of both),
// one plumbline.sampling.policy value on kept spans, and, in the generated collector config, one
// tail_sampling policy name. The same held for "linked" (the implicit linked rule) and "no-match"
// (the decisions no policy made). The spec check and the processor (for a chain of your own)
// now refuse such a name, naming the field.
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { BasicTracerProvider, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { defineTelemetry, SpecError } from '../../src/index.js';
import { buildPolicies } from '../../src/sampling/build-policies.js';
import { ABSTAIN, KEEP, type SamplingPolicy } from '../../src/sampling/policy.js';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import type { SamplingPolicySpec, SamplingSpec } from '../../src/spec/types.js';

function specIssues(policies: SamplingPolicySpec[]): string[] {
  try {
    defineTelemetry({ service: { name: 'orders' }, events: {}, sampling: { policies } });
  } catch (error) {
    if (error instanceof SpecError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('regression: policy named like an implicit rule', () => {
  it('the spec refuses "exemplar" on another kind, "linked" and "no-match", naming the field', () => {
    expect(
      specIssues([
        { name: 'exemplar', kind: 'errors' },
        { name: 'linked', kind: 'latency', thresholdMs: 100 },
        { name: 'no-match', kind: 'attribute', key: 'tier', values: ['gold'] },
        { name: 'baseline', kind: 'budget', tracesPerSecond: 1 },
      ]),
    ).toEqual([
      expect.stringMatching(
        /^sampling\.policies\[0\]\.name: "exemplar" is the implicit exemplar rule's name/,
      ),
      expect.stringMatching(/^sampling\.policies\[1\]\.name: "linked" is the implicit linked rule's name/),
      expect.stringMatching(/^sampling\.policies\[2\]\.name: "no-match" names the decisions/),
    ]);
    // The exemplar rule itself may be called so.
    expect(specIssues([{ name: 'exemplar', kind: 'exemplar' }])).toEqual([]);
  });

  it('the processor refuses a chain of your own that reuses an implicit name or a name twice', () => {
    const section: SamplingSpec = { decisionWaitMs: 0, policies: [{ name: 'errors', kind: 'errors' }] };
    const mine = (name: string): SamplingPolicy => ({
      name,
      kind: 'mine',
      evaluate: (trace) => (trace.spans.length > 0 ? KEEP : ABSTAIN),
    });
    const build = (policies: SamplingPolicy[]) =>
      new TailSamplingProcessor(section, new NoopSpanProcessor(), { policies });
    expect(() => build([mine('exemplar'), ...buildPolicies(section.policies)])).toThrow(
      /policies\[0\]\.name: "exemplar" is the implicit exemplar rule's name/,
    );
    // (buildPolicies puts the implicit exemplar rule first: "errors" is policies[1].)
    expect(() => build([...buildPolicies(section.policies), mine('errors')])).toThrow(
      /policies\[2\]\.name: duplicate policy name "errors"/,
    );
    // A distinct name: its decisions are its own.
    const processor = build([mine('vip'), ...buildPolicies(section.policies)]);
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    provider.getTracer('t').startSpan('x', {}, ROOT_CONTEXT).end();
    expect(processor.stats().decisions.vip).toEqual({ keep: 1, drop: 0 });
    expect(processor.stats().decisions.exemplar).toEqual({ keep: 0, drop: 0 });
  });
});
