// Regression: an SLO with a very small error budget printed float dust in its burn alerts'
// description: twelve nines (objective 99.9999999999) read "the rate the 99.9999999999% objective
// allows (1.00002e-10% of events over 30d)", the budget worked out as a float difference and
// printed with an exponent (every budget below 1e-6% was). The budget is now 100 minus the
// objective in decimal, written out as a person writes it: "0.0000000001%". Real parts: promtool
// runs the generated tests, whose expected annotations are what Prometheus printed.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { writePromtoolFiles, type WrittenPromtoolFiles } from '../support/promtool-files.js';
import { peerBinary } from '../support/peers.js';

const sloOf = (objective: number) =>
  ({
    description: 'Ledger writes succeed.',
    objective,
    sli: { kind: 'availability', metric: 'ledger.requests', bad: { outcome: ['error'] } },
    // One tier keeps the promtool run short.
    alerting: {
      'page-slow': false,
      'ticket-fast': false,
      'ticket-slow': false,
    },
  }) as const;

const spec = {
  service: { name: 'ledger' },
  events: {},
  counters: { 'ledger.requests': { description: 'Requests.', attributes: ['outcome'] } },
  slos: { twelve: sloOf(99.9999999999), nine: sloOf(99.9999999) },
} as const satisfies TelemetrySpec;

let written: WrittenPromtoolFiles;
let dir: string;
let files: Record<string, string>;
beforeAll(async () => {
  written = await writePromtoolFiles(spec, 'plumbline-twelve-nines-');
  ({ dir, files } = written);
});
afterAll(() => written.remove());

/** Every expected burn alert description of an SLO's promtool tests. */
function descriptions(slo: string): string[] {
  const tests = parse(files[`promtool/ledger-slo/${slo}.test.yaml`]!) as {
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

/** The burn alerts' description templates in the rule file. */
function ruleDescriptions(slo: string): string[] {
  const rules = parse(files[`promtool/ledger-slo/${slo}.rules.yaml`]!) as {
    groups: { rules: { alert?: string; annotations?: { description?: string } }[] }[];
  };
  return rules.groups
    .flatMap((group) => group.rules)
    .map((rule) => rule.annotations?.description ?? '')
    .filter((text) => text.includes('objective allows'));
}

describe('a budget below a millionth of a percent in the burn alerts', () => {
  it.each([
    ['twelve', '99.9999999999', '0.0000000001'],
    ['nine', '99.9999999', '0.0000001'],
  ])(
    '%s nines: Prometheus prints the budget as 100 minus the objective, written out',
    async (slo, objective, budget) => {
      const words = `the rate the ${objective}% objective allows (${budget}% of events over 30d)`;
      const templates = ruleDescriptions(slo);
      expect(templates.length).toBeGreaterThan(0);
      for (const text of templates) expect(text).toContain(words);
      const { stdout, stderr } = await promisify(execFile)(
        peerBinary('promtool'),
        ['test', 'rules', `${slo}.test.yaml`],
        { cwd: join(dir, 'promtool', 'ledger-slo') },
      ).catch((error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }));
      expect(stdout + stderr, stdout + stderr).toContain('SUCCESS');
      const printed = descriptions(slo);
      expect(printed.length).toBeGreaterThan(0);
      for (const text of printed) {
        expect(text).toContain(words);
        // No number in the words the generator wrote has an exponent.
        expect(text.replace(/^.*?objective allows/, '').replace(/errors are .*$/, '')).not.toMatch(
          /\de[+-]?\d/,
        );
      }
    },
    120_000,
  );
});
