// Regression (SLO review): Prometheus expands alert annotations as Go templates, and the
// generated ones held the SLO's description and the SLI's selector (built from its `where`
// values) as they were. A description "Requests to /users/{{id}} succeed" made the rules file
// invalid: `promtool check rules` FAILED (function "id" not defined) on the four burn alerts and
// SLODataAbsent; and a `{{ ... }}` that parses ran as a template. That text is now written as
// template text that prints itself ({{ "{{" }}), and promtool shows the alerts print it as it is.
// A tier name is an alert label, which Prometheus expands as a template too: "{{" in one is refused.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkSlos } from '../../src/slo/check.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { runCli } from '../support/cli.js';
import { peerBinary } from '../support/peers.js';

const DESCRIPTION = 'Requests to /users/{{id}} succeed ({{ $labels.service }} and {{{{ stay as written)';
const ROUTE = '/users/{{id}}';

const spec = {
  service: { name: 'shop' },
  events: {},
  counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome', 'http.route'] } },
  slos: {
    users: {
      description: DESCRIPTION,
      objective: 99.9,
      sli: {
        kind: 'availability',
        metric: 'shop.requests',
        where: { 'http.route': [ROUTE] },
        bad: { outcome: ['error'] },
      },
    },
  },
} as const satisfies TelemetrySpec;

/** The default tiers: name, severity, factor, share of the budget, long and short window. */
const TIERS = [
  ['page-fast', 'page', 14.4, 2, '1h', '5m'],
  ['page-slow', 'page', 6, 5, '6h', '30m'],
  ['ticket-fast', 'ticket', 3, 10, '1d', '2h'],
  ['ticket-slow', 'ticket', 1, 10, '3d', '6h'],
] as const;

/** promtool's combined output; a failing run's too (the FAILED lines say why). */
async function promtool(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)(peerBinary('promtool'), args, {
      cwd,
      maxBuffer: 16 << 20,
    });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ''}${e.stderr ?? e.message}`;
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-slo-braces-'));
  await writeFile(join(dir, 'telemetry.json'), JSON.stringify(spec));
  const result = await runCli(['slo', 'rules', '--spec', join(dir, 'telemetry.json'), '--out', dir]);
  expect(result.code, result.stderr).toBe(0);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('regression: {{ in an SLO description or match value breaks the rules file', () => {
  it('writes a rules file promtool accepts', async () => {
    const output = await promtool(['check', 'rules', 'shop-slo.rules.yaml'], dir);
    expect(output, output).toContain('SUCCESS');
    expect(output).not.toContain('FAILED');
  });

  it('passes its own promtool tests, which expect the text as written', async () => {
    const tests = (await readdir(join(dir, 'promtool', 'shop-slo'))).filter((f) => f.endsWith('.test.yaml'));
    expect(tests).toEqual(['users.test.yaml']);
    const output = await promtool(['test', 'rules', 'users.test.yaml'], join(dir, 'promtool', 'shop-slo'));
    expect(output, output).toContain('SUCCESS');
  });

  it('the alerts print the description and the selector literally (promtool exp_annotations)', async () => {
    const series = `shop_requests_total{http_route="${ROUTE}",outcome="error"}`;
    const described = `${DESCRIPTION}.`;
    await writeFile(
      join(dir, 'literal.test.yaml'),
      stringify({
        rule_files: ['shop-slo.rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            name: 'every event fails: page-fast prints the description as written',
            interval: '1m',
            input_series: [{ series, values: '0+100x20' }],
            alert_rule_test: [
              {
                eval_time: '10m',
                alertname: 'SLOErrorBudgetBurn',
                exp_alerts: TIERS.map(([tier, severity, factor, share, long, short]) => ({
                  exp_labels: { service: 'shop', slo: 'users', severity, tier },
                  exp_annotations: {
                    summary: `users: error budget burning 1000.0x too fast over ${long} (${tier})`,
                    description:
                      `${described} Over the last ${long} errors ran at 1000.0x the rate the 99.9% objective ` +
                      `allows (0.1% of events over 30d); this ${severity} tier fires above ${factor}x (${share}% ` +
                      `of the budget in ${long}), confirmed over ${short}. Over 30d (or the data seen, if less) ` +
                      'errors are 100000.0% of the error budget; at this burn rate the rest lasts 0.0 h.',
                    runbook_url: 'docs/invariants.md#slo-users',
                  },
                })),
              },
            ],
          },
          {
            name: 'no data: SLODataAbsent prints the description and the selector as written',
            interval: '1m',
            input_series: [{ series: 'plumbline_fixture_up', values: '1x20' }],
            alert_rule_test: [
              {
                eval_time: '16m',
                alertname: 'SLODataAbsent',
                exp_alerts: [
                  {
                    exp_labels: { service: 'shop', slo: 'users', severity: 'ticket', tier: 'absent' },
                    exp_annotations: {
                      summary: 'users: no data for the SLI',
                      description:
                        `${described} The series shop_requests_total{http_route="${ROUTE}"} has been missing for 10m, ` +
                        'so the burn-rate alerts of this SLO cannot fire.',
                      runbook_url: 'docs/invariants.md#slo-users',
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    const output = await promtool(['test', 'rules', 'literal.test.yaml'], dir);
    expect(output, output).toContain('SUCCESS');
  });

  it('refuses "{{" in a tier name, naming the tier (it is the alerts\' tier label, a template too)', () => {
    const tier = { severity: 'ticket', burnRate: 2, longWindow: '12h', shortWindow: '1h' } as const;
    const issues = checkSlos({
      ...spec,
      slos: { users: { ...spec.slos.users, alerting: { 'weekend-{{watch}}': tier } } },
    });
    expect(issues).toEqual([
      {
        path: 'slos.users.alerting["weekend-{{watch}}"]',
        message: expect.stringContaining('Go template') as string,
      },
    ]);
  });
});
