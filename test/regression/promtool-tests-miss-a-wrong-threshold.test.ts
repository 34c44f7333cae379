// Regression (rules review): the generated `promtool test rules` files did not pin the burn-rate
// alerts' thresholds. Each tier was tested with one burn between its factor and the next faster
// tier's (page-fast at 21.6x, page-slow at 9.3x) and a healthy run at half the slowest factor, so
// a rule file whose factor was wrong passed its own tests: page-fast at 10x instead of 14.4x,
// page-slow at 9x instead of 6x, ticket-slow at 1.5x instead of 1x all passed (0 of those 3
// failed). Each tier now also has a run 5% under its factor (it stays quiet) and one 5% over
// (it fires): every factor moved by 10% either way fails the tests (0 of 8 -> 8 of 8 failed).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePromtoolFiles } from '../../src/generate/rules/index.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { peerBinary } from '../support/peers.js';

const exec = promisify(execFile);

const spec = {
  service: { name: 'shop' },
  events: {},
  counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome'] } },
  slos: {
    orders: {
      description: 'Orders succeed',
      objective: 99.9,
      sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: ['error'] } },
    },
  },
} as const satisfies TelemetrySpec;

// The workbook's four factors for a 30d SLO, as the rule file writes them.
const FACTORS = ['14.4', '6', '3', '1'];

let dir: string;
let rules: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-wrong-threshold-'));
  const files = generatePromtoolFiles(spec);
  rules = files['promtool/shop-slo/orders.rules.yaml']!;
  await writeFile(join(dir, 'orders.test.yaml'), files['promtool/shop-slo/orders.test.yaml']!);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Whether promtool's tests of the SLO pass on this rule file. */
async function testsPass(ruleText: string): Promise<boolean> {
  await writeFile(join(dir, 'orders.rules.yaml'), ruleText);
  try {
    await exec(peerBinary('promtool'), ['test', 'rules', 'orders.test.yaml'], { cwd: dir });
    return true;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    // Failed expectations, not a file promtool could not read.
    expect(`${stdout}${stderr}`).toMatch(/FAILED:[\s\S]*alertname: SLOErrorBudgetBurn/);
    return false;
  }
}

describe('promtool tests missed a wrong threshold (regression)', () => {
  it('pass on the rules as generated', async () => {
    expect(await testsPass(rules)).toBe(true);
  }, 120_000);

  for (const factor of FACTORS)
    for (const moved of [0.9, 1.1])
      it(`fail when the ${factor}x threshold is ${moved}x what it should be`, async () => {
        const threshold = `> (${factor} * 0.001)`;
        const wrong = `> (${Number((Number(factor) * moved).toPrecision(6))} * 0.001)`;
        // The tier's alert compares both its windows with the factor.
        expect(rules.split(threshold)).toHaveLength(3);
        expect(await testsPass(rules.replaceAll(threshold, wrong))).toBe(false);
      }, 120_000);
});
