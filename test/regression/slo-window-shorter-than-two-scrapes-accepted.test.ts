// Regression (SLO review): a custom tier took any window ('1m', '90s', '10s'), and the promtool
// tests generated for it were broken. { longWindow: '10m', shortWindow: '90s' } wrote a recovery
// check at "32.5m" (promtool: unknown unit "." in duration "32.5m"); with shortWindow '1m' the
// test expected the alert at 30m and promtool got none: Prometheus 3 selects a range's samples in
// (t - 1m, t], so at 1m scrapes rate(x[1m]) sees one sample and has no value, and the alert can
// never fire (the in-process engine fired). A tier window must now be whole minutes and at least
// 2m (two scrapes at Prometheus' default 1m interval); the error names the field and says why.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generatePromtoolFiles } from '../../src/generate/rules/promtool-tests.js';
import { checkSlos } from '../../src/slo/check.js';
import { SpecError } from '../../src/spec/errors.js';
import type { AlertTierSpec, TelemetrySpec } from '../../src/spec/types.js';
import { peerBinary } from '../support/peers.js';

function withTier(longWindow: string, shortWindow: string): TelemetrySpec {
  const custom: AlertTierSpec = { severity: 'page', burnRate: 14.4, longWindow, shortWindow };
  return {
    service: { name: 'shop' },
    events: {},
    counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome'] } },
    slos: {
      avail: {
        description: 'Requests succeed',
        objective: 99.9,
        sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: ['error'] } },
        alerting: { 'page-fast': false, 'page-slow': false, custom },
      },
    },
  };
}

/** promtool's combined output; a failing run's too. */
async function promtool(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)(peerBinary('promtool'), args, { cwd });
    return stdout + stderr;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ''}${e.stderr ?? e.message}`;
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-slo-short-window-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('regression: windows shorter than two scrapes were accepted', () => {
  it('refuses a tier window under 2m or not whole minutes, naming the field and saying why', () => {
    const issuesOf = (long: string, short: string) =>
      checkSlos(withTier(long, short)).map((i) => `${i.path}: ${i.message}`);
    expect(issuesOf('10m', '1m')).toEqual([
      expect.stringMatching(
        /^slos\.avail\.alerting\.custom\.shortWindow: "1m" is shorter than 2m: rate\(\) needs two samples in its window and Prometheus scrapes every 1m by default/,
      ),
    ]);
    expect(issuesOf('10m', '90s')).toEqual([
      expect.stringMatching(
        /^slos\.avail\.alerting\.custom\.shortWindow: expected whole minutes such as "2m", got "90s": Prometheus scrapes every 1m/,
      ),
    ]);
    expect(issuesOf('10m', '10s')).toEqual([
      expect.stringMatching(
        /^slos\.avail\.alerting\.custom\.shortWindow: expected whole minutes such as "2m"/,
      ),
    ]);
    expect(issuesOf('150s', '2m')).toEqual([
      expect.stringMatching(
        /^slos\.avail\.alerting\.custom\.longWindow: expected whole minutes such as "3m"/,
      ),
    ]);
    // Whole minutes in any unit, from two scrapes up, are fine.
    expect(issuesOf('10m', '2m')).toEqual([]);
    expect(issuesOf('3600s', '120s')).toEqual([]);
  });

  it('the generator refuses such a spec rather than writing a broken test', () => {
    expect(() => generatePromtoolFiles(withTier('10m', '90s'))).toThrow(SpecError);
    expect(() => generatePromtoolFiles(withTier('10m', '1m'))).toThrow(/shortWindow/);
  });

  it('promtool: rate() over 1m of 1m scrapes has no value, over 2m it has one', async () => {
    await writeFile(
      join(dir, 'rate.rules.yaml'),
      stringify({
        groups: [
          {
            name: 'rate',
            rules: [
              { record: 'rate_1m', expr: 'rate(requests_total[1m])' },
              { record: 'rate_2m', expr: 'rate(requests_total[2m])' },
            ],
          },
        ],
      }),
    );
    await writeFile(
      join(dir, 'rate.test.yaml'),
      stringify({
        rule_files: ['rate.rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: [{ series: 'requests_total', values: '0+60x30' }],
            promql_expr_test: [
              { expr: 'rate_1m', eval_time: '20m', exp_samples: [] },
              { expr: 'rate_2m', eval_time: '20m', exp_samples: [{ labels: 'rate_2m', value: 1 }] },
            ],
          },
        ],
      }),
    );
    const output = await promtool(['test', 'rules', 'rate.test.yaml'], dir);
    expect(output, output).toContain('SUCCESS');
  });

  it('the shortest windows accepted get promtool tests that pass, at whole minutes only', async () => {
    const spec = withTier('3m', '2m');
    const files = generatePromtoolFiles(spec);
    for (const [path, text] of Object.entries(files)) {
      await writeFile(join(dir, path.split('/').pop()!), text);
      if (!path.endsWith('.test.yaml')) continue;
      const tests = parse(text) as { tests: { alert_rule_test: { eval_time: string }[] }[] };
      const times = tests.tests.flatMap((t) => t.alert_rule_test.map((a) => a.eval_time));
      expect(times.filter((time) => !/^[0-9]+m$/.test(time))).toEqual([]);
      expect(times).toContain('33m'); // the 2m short window clean again at 30 + 2 + 1
    }
    const output = await promtool(['test', 'rules', 'avail.test.yaml'], dir);
    expect(output, output).toContain('SUCCESS');
    expect(await readFile(join(dir, 'avail.rules.yaml'), 'utf8')).toContain('[2m]');
  });
});
