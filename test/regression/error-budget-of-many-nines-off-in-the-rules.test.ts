// Regression: an SLO's error budget was worked out as a float difference, 1 - objective/100,
// which for many nines is off in the fifth significant digit: an objective of 99.9999999999 gave
// a budget of 1.00001784631e-12 (not 1e-12) and 99.99999 gave 1.00000000032e-7 (not 1e-7). Those
// numbers went into the recording and alerting rules as the burn rate's divisor, and the
// invariants doc wrote "the error budget is 1.00002e-10% of events". The budget is now 100 minus
// the objective in decimal. Real parts: promtool loads the rules and runs their generated tests.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderInvariantsDoc } from '../../src/generate/invariants/doc.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { writePromtoolFiles, type WrittenPromtoolFiles } from '../support/promtool-files.js';
import { promtoolTestRules } from '../support/promtool-parallel.js';

const sloOf = (objective: number) =>
  ({
    description: 'Ledger writes succeed.',
    objective,
    sli: { kind: 'availability', metric: 'ledger.requests', bad: { outcome: ['error'] } },
    alerting: { 'page-slow': false, 'ticket-fast': false, 'ticket-slow': false },
  }) as const;

const spec = {
  service: { name: 'ledger' },
  events: {},
  counters: { 'ledger.requests': { description: 'Requests.', attributes: ['outcome'] } },
  slos: { twelve: sloOf(99.9999999999), seven: sloOf(99.99999), three: sloOf(99.9) },
} as const satisfies TelemetrySpec;

let written: WrittenPromtoolFiles;
let dir: string;
let files: Record<string, string>;
beforeAll(async () => {
  written = await writePromtoolFiles(spec, 'plumbline-budget-divisor-');
  ({ dir, files } = written);
});
afterAll(() => written.remove());

/** Every number in exponent form the rule file writes, but the 1e-300 guard against dividing by 0. */
function exponentNumbers(slo: string): string[] {
  const rules = files[`promtool/ledger-slo/${slo}.rules.yaml`]!;
  return [...new Set(rules.match(/\d+(?:\.\d+)?e-\d+/g) ?? [])].filter((n) => n !== '1e-300');
}

describe('the error budget of an objective with many nines', () => {
  it.each([
    ['twelve', '1e-12'],
    ['seven', '1e-7'],
  ])('%s nines: the rules divide by the budget itself', async (slo, budget) => {
    expect(exponentNumbers(slo)).toEqual([budget]);
    await promtoolTestRules(join(dir, 'promtool', 'ledger-slo', `${slo}.test.yaml`));
  });

  it('three nines are written as before', () => {
    const rules = files['promtool/ledger-slo/three.rules.yaml']!;
    expect(rules).toContain('0.001');
    expect(exponentNumbers('three')).toEqual([]);
  });

  it('the invariants doc writes the budget out', () => {
    const doc = renderInvariantsDoc(spec);
    expect(doc).toContain('the error budget is 0.0000000001% of events');
    expect(doc).toContain('the error budget is 0.00001% of events');
    expect(doc).toContain('the error budget is 0.1% of events');
    expect(doc).not.toMatch(/the error budget is [\d.]+e-\d+%/);
  });
});
