// Regression (generate-edges hunt): the burn alerts' description printed the objective with 6
// significant digits, so a legal objective of 99.99999 (or 99.999999) read "errors ran at 20.0x
// the rate the 100% objective allows": an objective that allows no error at all, beside a budget
// of 0.00001% in the same sentence. The promtool tests expected the same words, so they passed.
// The objective is now printed as the spec states it. Real parts: promtool runs the generated
// tests, whose expected annotations are what Prometheus printed.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generatePromtoolFiles } from '../../src/generate/rules/promtool-tests.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { peerBinary } from '../support/peers.js';

const sloOf = (objective: number) =>
  ({
    description: 'Payments succeed.',
    objective,
    sli: { kind: 'availability', metric: 'pay.requests', bad: { outcome: ['error'] } },
    // One tier keeps the promtool run short.
    alerting: {
      'page-slow': false,
      'ticket-fast': false,
      'ticket-slow': false,
    },
  }) as const;

const spec = {
  service: { name: 'pay' },
  events: {},
  counters: { 'pay.requests': { description: 'Requests.', attributes: ['outcome'] } },
  slos: { seven: sloOf(99.99999), eight: sloOf(99.999999) },
} as const satisfies TelemetrySpec;

let dir: string;
let files: Record<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-nines-'));
  files = generatePromtoolFiles(spec);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every expected burn alert description of an SLO's promtool tests. */
function descriptions(slo: string): string[] {
  const tests = parse(files[`promtool/pay-slo/${slo}.test.yaml`]!) as {
    tests: { alert_rule_test: { exp_alerts: { exp_annotations: { description: string } }[] }[] }[];
  };
  return tests.tests
    .flatMap((test) =>
      test.alert_rule_test.flatMap((check) =>
        check.exp_alerts.map((alert) => alert.exp_annotations.description),
      ),
    )
    .filter((text) => text.includes('objective allows'));
}

describe('an objective with seven or eight nines in the burn alerts', () => {
  it.each([
    ['seven', '99.99999', '0.00001'],
    ['eight', '99.999999', '0.000001'],
  ])(
    '%s: Prometheus prints the objective as the spec states it',
    async (slo, objective, budget) => {
      const { stdout, stderr } = await promisify(execFile)(
        peerBinary('promtool'),
        ['test', 'rules', `${slo}.test.yaml`],
        { cwd: join(dir, 'promtool', 'pay-slo') },
      ).catch((error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }));
      expect(stdout + stderr, stdout + stderr).toContain('SUCCESS');
      const printed = descriptions(slo);
      expect(printed.length).toBeGreaterThan(0);
      for (const text of printed) {
        expect(text).toContain(`the rate the ${objective}% objective allows (${budget}% of events over 30d)`);
        expect(text).not.toContain('100% objective');
      }
    },
    120_000,
  );
});
