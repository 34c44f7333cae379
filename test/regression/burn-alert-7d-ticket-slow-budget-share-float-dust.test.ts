// Regression (SLO trial in a user's app): a 7d SLO's default ticket-slow tier said "fires above
// 0.233333x (9.99999% of the budget in 3d)": the share was worked out again from the factor,
// which is rounded to 6 digits (7/30 as 0.233333), instead of the workbook's 10% the factor came
// from. A default tier now prints the workbook's share; a tier of the user's own still prints
// burnRate x long window / SLO window. Real parts: promtool runs the generated tests, whose
// expected annotations are what Prometheus printed.
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

const sloOf = (window: '7d' | '28d') =>
  ({
    description: 'Payments succeed.',
    objective: 99,
    window,
    sli: { kind: 'availability', metric: 'pay.requests', bad: { outcome: ['error'] } },
    // ticket-slow alone, and a tier of the user's own whose share has more digits than 6.
    alerting: {
      'page-fast': false,
      'page-slow': false,
      'ticket-fast': false,
      mine: { severity: 'page', burnRate: 20, longWindow: '10m', shortWindow: '2m' },
    },
  }) as const;

const spec = {
  service: { name: 'pay' },
  events: {},
  counters: { 'pay.requests': { description: 'Requests.', attributes: ['outcome'] } },
  slos: { week: sloOf('7d'), month: sloOf('28d') },
} as const satisfies TelemetrySpec;

let dir: string;
let files: Record<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-share-'));
  files = generatePromtoolFiles(spec);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every expected burn alert description of an SLO's promtool tests for one tier. */
function descriptions(slo: string, tier: string): string[] {
  const tests = parse(files[`promtool/pay-slo/${slo}.test.yaml`]!) as {
    tests: {
      alert_rule_test: {
        exp_alerts: { exp_labels: { tier: string }; exp_annotations: { description: string } }[];
      }[];
    }[];
  };
  return tests.tests.flatMap((test) =>
    test.alert_rule_test.flatMap((check) =>
      check.exp_alerts
        .filter(
          (alert) =>
            alert.exp_labels.tier === tier && alert.exp_annotations.description.includes('objective allows'),
        )
        .map((alert) => alert.exp_annotations.description),
    ),
  );
}

describe("a default tier's share of the budget in the burn alerts", () => {
  it.each([
    [
      'week',
      'fires above 0.233333x (10% of the budget in 3d)',
      'fires above 20x (1.98413% of the budget in 10m)',
    ],
    [
      'month',
      'fires above 0.933333x (10% of the budget in 3d)',
      'fires above 20x (0.496032% of the budget in 10m)',
    ],
  ])(
    '%s: Prometheus prints the workbook share, and the share of a tier of its own',
    async (slo, ticketSlow, mine) => {
      const { stdout, stderr } = await promisify(execFile)(
        peerBinary('promtool'),
        ['test', 'rules', `${slo}.test.yaml`],
        { cwd: join(dir, 'promtool', 'pay-slo') },
      ).catch((error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }));
      expect(stdout + stderr, stdout + stderr).toContain('SUCCESS');
      const slow = descriptions(slo, 'ticket-slow');
      expect(slow.length).toBeGreaterThan(0);
      for (const text of slow) expect(text).toContain(ticketSlow);
      const own = descriptions(slo, 'mine');
      expect(own.length).toBeGreaterThan(0);
      for (const text of own) expect(text).toContain(mine);
      expect(files[`promtool/pay-slo/${slo}.rules.yaml`]).toContain(ticketSlow);
    },
    180_000,
  );
});
