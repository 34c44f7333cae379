// Regression (generate-edges' notice): Grafana replaces `$name`, `${name}` and `[[name]]` in a
// query's text with its template variables before the datasource reads it, inside string
// literals too. A spec value holding one went into the dashboards' queries as it was: an SLI
// `where` route `/pay/$instance` became `/pay/127.0.0.1:9464` once Grafana had replaced it, and
// the error-ratio panel read no series (promtool: got no samples, expected 0.1). Spec-derived
// strings in dashboard queries now write `$` and `[` as `\x24` and `\x5b`, which PromQL (and
// TraceQL) read as the same characters and Grafana leaves alone. Real parts: the generated
// overview dashboard, Grafana's variable syntax applied as Grafana applies it, and the query
// evaluated by the real promtool over series carrying the route.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { prometheusCounterName } from '../../src/spec/naming.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { peerBinary } from '../support/peers.js';

const ROUTES = ['/pay/$instance', '/pay/${job}', '/pay/[[job]]'];

const spec: TelemetrySpec = {
  service: { name: 'payments' },
  events: {},
  counters: { 'payments.requests': { description: 'Payment requests.', attributes: ['route', 'result'] } },
  slos: Object.fromEntries(
    ROUTES.map((route, i) => [
      `pay-${i}`,
      {
        description: `Requests to ${route} that do not fail.`,
        objective: 99,
        sli: {
          kind: 'availability',
          metric: 'payments.requests',
          where: { route: [route] },
          bad: { result: ['failed'] },
        },
      },
    ]),
  ),
};

// Grafana's variable syntax (public/app/features/variables/utils.ts, variableRegex): $name,
// [[name]] and ${name}, with the variables an SRE picked.
const GRAFANA_VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;
const PICKED: Readonly<Record<string, string>> = {
  job: 'payments',
  instance: '127.0.0.1:9464',
  __rate_interval: '5m',
};
const asGrafanaSends = (expr: string) =>
  expr.replace(GRAFANA_VARIABLE, (whole, bare?: string, bracketed?: string, _f?: string, braced?: string) => {
    const value = PICKED[bare ?? bracketed ?? braced ?? ''];
    return value ?? whole;
  });

const requests = prometheusCounterName('payments.requests', undefined);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dashboard-dollar-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('regression: a spec value with a $ is replaced by Grafana in the dashboard query', () => {
  it('the error-ratio panels read their routes as written in the spec', async () => {
    const [, text] = [...renderDashboards(spec)].find(([name]) => name.endsWith('-overview.json'))!;
    const exprs = JSON.stringify(JSON.parse(text))
      .match(/"expr":"(?:[^"\\]|\\.)*"/g)!
      .map((quoted) => JSON.parse(quoted.slice('"expr":'.length)) as string)
      .filter((expr) => expr.includes('/pay/'));
    expect(exprs.length).toBeGreaterThanOrEqual(ROUTES.length);

    // Each route: 9 ok and 1 failed request a minute, under the job and instance Grafana picks.
    const scope = `job="${PICKED['job']}",instance="${PICKED['instance']}"`;
    const inputSeries = ROUTES.flatMap((route) =>
      [
        ['ok', 9],
        ['failed', 1],
      ].map(([result, perMinute]) => ({
        series: `${requests}{${scope},route="${route}",result="${result}"}`,
        values: `0+${perMinute}x30`,
      })),
    );
    await writeFile(join(dir, 'none.rules.yaml'), 'groups: []\n');
    await writeFile(
      join(dir, 'dashboard.test.yaml'),
      stringify({
        rule_files: ['none.rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: inputSeries,
            promql_expr_test: exprs.map((expr) => ({
              expr: `round(1000 * sum(${asGrafanaSends(expr)}))`,
              eval_time: '20m',
              exp_samples: [{ labels: '{}', value: 100 }],
            })),
          },
        ],
      }),
    );
    const { stdout, stderr } = await promisify(execFile)(
      peerBinary('promtool'),
      ['test', 'rules', 'dashboard.test.yaml'],
      { cwd: dir },
    ).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }));
    expect(stdout + stderr).toContain('SUCCESS');
  });
});
