// Regression: a weighted budget's shares went into the gateway's tail_sampling composite as
// `Math.floor(100 × weight / total)`, with every point the floors lost given to "others". An SRE
// trial measured weights {refund: 1, charge: 200} as charge 99%, refund 0% (a weighted value with
// no spans at all), others 1%; and with 30 weights, small ones rounded far down while "others"
// (weight 1) collected what the floors lost. Here, weights 1..30 gave 1–4 → 0%, 5 → 1% and others
// 14% (exact share 0.21%). The collector's `rate_allocation.percent` is an integer, so the shares
// are now 100 whole points by largest remainder with at least 1% each: {refund: 1, charge: 200}
// → charge 98%, refund 1%, others 1%; weights 1..30 → 1..7 at 1%, 30 at 6%, others 1%; sum 100.
// `otelcol validate` accepts both configs; more than 99 weighted values is refused by name.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { collectorSpec } from '../fixtures/collector-spec.js';
import { collectorBinary } from '../support/collector.js';

const run = promisify(execFile);

function specWithWeights(weights: Record<string, number>): TelemetrySpec {
  return {
    ...collectorSpec,
    sampling: {
      policies: [
        { name: 'errors', kind: 'errors' },
        { name: 'baseline', kind: 'budget', tracesPerSecond: 20, key: 'operation', weights },
      ],
    },
  };
}

/** The gateway's composite rate allocation: sub-policy value (or "others") → percent. */
function allocation(spec: TelemetrySpec): Map<string, number> {
  const gateway = parse(generateCollectorConfigs(spec)['gateway.yaml']) as {
    processors: { tail_sampling: { policies: { type: string; composite?: unknown }[] } };
  };
  const composite = gateway.processors.tail_sampling.policies.find((policy) => policy.type === 'composite')
    ?.composite as { rate_allocation: { policy: string; percent: number }[] };
  return new Map(
    composite.rate_allocation.map(({ policy, percent }) => [policy.replace(/^baseline\//, ''), percent]),
  );
}

/** Sum 100, whole numbers, each at least 1, a larger weight never below a smaller one. */
function expectWellFormed(percents: Map<string, number>, weights: Record<string, number>): void {
  const values = [...percents.values()];
  expect(values.reduce((sum, percent) => sum + percent, 0)).toBe(100);
  for (const [value, percent] of percents) {
    expect(Number.isInteger(percent), value).toBe(true);
    expect(percent, value).toBeGreaterThanOrEqual(1);
  }
  const withOthers = { ...weights, others: 1 };
  for (const [a, weightA] of Object.entries(withOthers)) {
    for (const [b, weightB] of Object.entries(withOthers)) {
      if (weightA > weightB)
        expect(percents.get(a)!, `${a} vs ${b}`).toBeGreaterThanOrEqual(percents.get(b)!);
    }
  }
}

const oneTo30 = Object.fromEntries(
  Array.from({ length: 30 }, (_, i) => [`op${String(i + 1).padStart(2, '0')}`, i + 1]),
);

describe('weighted budget shares in the collector', () => {
  it('{refund: 1, charge: 200}: charge 98%, refund 1%, others 1% (was 99/0/1)', () => {
    const weights = { refund: 1, charge: 200 };
    const percents = allocation(specWithWeights(weights));
    expect(Object.fromEntries(percents)).toEqual({ charge: 98, refund: 1, others: 1 });
    expectWellFormed(percents, weights);
  });

  it('weights 1..30 and others: proportional, the largest remainders rounded up (was 0% for 1-4, others 14%)', () => {
    const percents = allocation(specWithWeights(oneTo30));
    expectWellFormed(percents, oneTo30);
    // Weights 1-4 and others are below 1% of 100 (1/466 each = 0.21%): 1% each. The other 95
    // points go to weights 5..30 (total 455) in proportion: weight w → 95w/455 = 0.209w, floored,
    // and the 9 points left to the 9 largest remainders.
    const expected = [
      1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 6, 6, 6, 6,
    ];
    expect(Object.keys(oneTo30).map((value) => percents.get(value))).toEqual(expected);
    expect(percents.get('others')).toBe(1);
    for (let weight = 5; weight <= 30; weight++) {
      const exact = (95 * weight) / 455;
      const percent = percents.get(`op${String(weight).padStart(2, '0')}`)!;
      expect([Math.floor(exact), Math.ceil(exact)], `weight ${weight}: ${exact}`).toContain(percent);
    }
  });

  it('keeps the shares that were exact (gold 3, silver 2, others 1: 50/33/17)', () => {
    expect(Object.fromEntries(allocation(specWithWeights({ gold: 3, silver: 2 })))).toEqual({
      gold: 50,
      silver: 33,
      others: 17,
    });
  });

  it('refuses more weighted values than 1% each can hold, naming the field', () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`v${i}`, 1]));
    expect(() => generateCollectorConfigs(specWithWeights(many))).toThrow(
      expect.objectContaining({
        issues: [expect.objectContaining({ path: 'sampling.policies[1].weights' })],
      }),
    );
    const most = Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`v${i}`, 1]));
    expect([...allocation(specWithWeights(most)).values()].every((percent) => percent === 1)).toBe(true);
  });

  describe('otelcol validate', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'plumbline-weights-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it.each([
      ['refund-charge', { refund: 1, charge: 200 }],
      ['one-to-30', oneTo30],
    ])('accepts the gateway and single configs with %s', async (name, weights) => {
      const binary = await collectorBinary();
      const files = generateCollectorConfigs(specWithWeights(weights));
      for (const config of ['gateway.yaml', 'single.yaml'] as const) {
        const path = join(dir, `${name}-${config}`);
        await writeFile(path, files[config]);
        const result = await run(binary, ['validate', `--config=file:${path}`], {
          env: { PATH: process.env['PATH'] ?? '' },
        }).then(
          () => ({ ok: true, output: '' }),
          (error: { stdout?: string; stderr?: string }) => ({
            ok: false,
            output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
          }),
        );
        expect(result.ok, `${name}/${config}: ${result.output}`).toBe(true);
      }
    });
  });
});
