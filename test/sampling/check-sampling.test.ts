import { describe, expect, it } from 'vitest';
import { checkSampling } from '../../src/sampling/check-sampling.js';
import { TailSamplingProcessor } from '../../src/sampling/tail-sampling-processor.js';
import { SpecError } from '../../src/spec/errors.js';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SamplingSpec } from '../../src/spec/types.js';

describe('checkSampling', () => {
  it('accepts a good spec and an absent section', () => {
    expect(checkSampling({})).toEqual([]);
    expect(
      checkSampling({
        sampling: {
          decisionWaitMs: 0,
          maxTraces: 100,
          policies: [
            { name: 'errors', kind: 'errors' },
            { name: 'slow', kind: 'latency', thresholdMs: 500, routes: { '/a': 100 } },
            { name: 'budget', kind: 'budget', tracesPerSecond: 10, key: 'http.route', weights: { '/a': 2 } },
          ],
        },
      }),
    ).toEqual([]);
  });

  it('names every bad field', () => {
    const issues = checkSampling({
      sampling: {
        decisionWaitMs: -1,
        maxTraces: -5,
        maxSpansPerTrace: 0,
        maxBytes: 1.5,
        policies: [
          { name: 'a', kind: 'errors' },
          { name: 'a', kind: 'latency', thresholdMs: 0, routes: { '/x': -1 } },
          { name: 'tier', kind: 'attribute', key: '', values: [] },
          { name: 'budget', kind: 'budget', tracesPerSecond: 0, key: 'tenant', weights: { gold: 0 } },
          { name: 'after', kind: 'errors' },
        ],
      },
    });
    const paths = issues.map((issue) => issue.path);
    expect(paths).toEqual([
      'sampling.decisionWaitMs',
      'sampling.maxTraces',
      'sampling.maxSpansPerTrace',
      'sampling.maxBytes',
      'sampling.policies[1].name',
      'sampling.policies[1].thresholdMs',
      'sampling.policies[1].routes["/x"]',
      'sampling.policies[2].key',
      'sampling.policies[2].values',
      'sampling.policies[3].tracesPerSecond',
      'sampling.policies[3].weights.gold',
      'sampling.policies[4]',
    ]);
    expect(issues[4]!.message).toContain('duplicate policy name "a"');
    expect(issues[11]!.message).toContain('must be last');
  });

  it('bounds maxTraces, since the trace table and decision caches are allocated from it up front', () => {
    const policies: SamplingSpec['policies'] = [{ name: 'errors', kind: 'errors' }];
    expect(checkSampling({ sampling: { maxTraces: 1_000_000, policies } })).toEqual([]);
    const [issue] = checkSampling({ sampling: { maxTraces: 1e9, policies } });
    expect(issue).toMatchObject({
      path: 'sampling.maxTraces',
      message: expect.stringMatching(/at most 1,000,000/),
    });
    expect(() => new TailSamplingProcessor({ maxTraces: 1e9, policies }, new NoopSpanProcessor())).toThrow(
      SpecError,
    );
  });

  it('rejects an empty policy list and weights without a key', () => {
    expect(checkSampling({ sampling: { policies: [] } }).map((i) => i.path)).toEqual(['sampling.policies']);
    expect(
      checkSampling({
        sampling: { policies: [{ name: 'b', kind: 'budget', tracesPerSecond: 1, weights: { x: 2 } }] },
      }).map((i) => i.path),
    ).toEqual(['sampling.policies[0].weights']);
  });

  it("checks an errors policy's budget as it checks a budget policy", () => {
    const errors = (budget: unknown) =>
      checkSampling({
        sampling: {
          policies: [{ name: 'errors', kind: 'errors', budget } as SamplingSpec['policies'][number]],
        },
      });
    expect(errors({ tracesPerSecond: 5, key: 'http.route', weights: { '/a': 2 } })).toEqual([]);
    expect(errors({ tracesPerSecond: 0, key: '', weights: { gold: -1 } }).map((i) => i.path)).toEqual([
      'sampling.policies[0].budget.tracesPerSecond',
      'sampling.policies[0].budget.key',
      'sampling.policies[0].budget.weights.gold',
    ]);
    expect(errors({ tracesPerSecond: 1, weights: { x: 2 } }).map((i) => i.path)).toEqual([
      'sampling.policies[0].budget.weights',
    ]);
    expect(errors(5).map((i) => i.path)).toEqual(['sampling.policies[0].budget']);
    // A hand-built section reaches the processor unchecked by the schema: the processor refuses it.
    expect(
      () =>
        new TailSamplingProcessor(
          { policies: [{ name: 'errors', kind: 'errors', budget: { tracesPerSecond: -1 } }] },
          new NoopSpanProcessor(),
        ),
    ).toThrow(/sampling\.policies\[0\]\.budget\.tracesPerSecond/);
  });

  it('makes the processor refuse to start with a SpecError naming the fields', () => {
    const spec: SamplingSpec = { policies: [{ name: 'b', kind: 'budget', tracesPerSecond: -1 }] };
    expect(() => new TailSamplingProcessor(spec, new NoopSpanProcessor())).toThrow(SpecError);
    expect(() => new TailSamplingProcessor(spec, new NoopSpanProcessor())).toThrow(
      /sampling\.policies\[0\]\.tracesPerSecond/,
    );
  });
});
