// Regression: the SLO rules `plumbline generate alerts` writes select the SLI's metric by name
// only, so in a Prometheus that scrapes several services they summed over all of them (a
// newcomer's rules read `sum(rate(http_server_request_duration_seconds_count[5m]))`), and the
// generators' `seriesMatchers` option had no CLI flag. `--series-matcher` now puts label
// matchers on every SLI series, for `generate alerts`, `slo rules` and `slo evaluate`; the rules
// and their promtool tests made with it pass promtool.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../support/cli.js';
import { dashboardSpec } from '../fixtures/dashboard-spec.js';
import { peerBinary } from '../support/peers.js';
import { promtoolTestRules } from '../support/promtool-parallel.js';

const exec = promisify(execFile);

const run = runCli;

let dir: string;
let specPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-series-matcher-'));
  specPath = join(dir, 'spec.json');
  // One SLO keeps promtool's test run short.
  const { latency: _latency, ...slos } = dashboardSpec.slos;
  await writeFile(specPath, JSON.stringify({ ...dashboardSpec, slos }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every PromQL selector of a raw SLI series in the rule file (the spec's metric). */
function sliSelectors(rules: string): string[] {
  const { groups } = parse(rules) as { groups: { rules: { expr: string }[] }[] };
  return groups
    .flatMap((group) => group.rules.map((rule) => rule.expr))
    .flatMap((expr) =>
      [...expr.matchAll(/blueprint_request_duration_seconds_\w+\{[^}]*\}/g)].map((m) => m[0]),
    );
}

describe('SLO rules summed every service (regression)', () => {
  it('generate alerts --series-matcher scopes every SLI series, and promtool passes the result', async () => {
    const out = join(dir, 'alerts');
    const result = await run([
      'generate',
      'alerts',
      '--spec',
      specPath,
      '--out',
      out,
      '--series-matcher',
      'job=blueprint,namespace=prod|staging',
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const rules = await readFile(join(out, 'blueprint-slo.rules.yaml'), 'utf8');
    const selectors = sliSelectors(rules);
    expect(selectors.length).toBeGreaterThan(0);
    for (const selector of selectors) {
      expect(selector).toContain('job="blueprint"');
      expect(selector).toContain('namespace=~"prod|staging"');
    }
    await exec(peerBinary('promtool'), ['check', 'rules', join(out, 'blueprint-slo.rules.yaml')]);
    await promtoolTestRules(join(out, 'promtool', 'blueprint-slo', 'availability.test.yaml'));
    // The same flags are the drift check's.
    expect(
      await run([
        'slo',
        'rules',
        '--spec',
        specPath,
        '--out',
        out,
        '--series-matcher',
        'job=blueprint,namespace=prod|staging',
        '--check',
      ]),
    ).toMatchObject({ code: 0 });
  }, 300_000);

  it('the on-call doc made with the same flag checks the rules with it, and a drift message repeats the flags', async () => {
    const docs = join(dir, 'docs');
    const matcher = 'job=blueprint,namespace=prod|staging';
    expect(
      await run(['generate', 'docs', '--spec', specPath, '--out', docs, '--series-matcher', matcher]),
    ).toMatchObject({ code: 0 });
    const doc = await readFile(join(docs, 'invariants.md'), 'utf8');
    expect(doc).toContain(
      `npx plumbline generate alerts --spec ${specPath} --series-matcher '${matcher}' --out alerts --check`,
    );
    expect(doc).toContain(
      `npx plumbline generate docs --spec ${specPath} --series-matcher '${matcher}' --out docs --check`,
    );
    // Rules made without the flag, checked with it: the message names the command that makes them.
    const out = join(dir, 'drift');
    expect(await run(['generate', 'alerts', '--spec', specPath, '--out', out])).toMatchObject({ code: 0 });
    const drift = await run([
      'generate',
      'alerts',
      '--spec',
      specPath,
      '--out',
      out,
      '--series-matcher',
      matcher,
      '--check',
    ]);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain(
      `run \`plumbline generate alerts --spec ${specPath} --out ${out} --series-matcher '${matcher}'\``,
    );
  });

  it('without the flag the selectors carry no job (the default is unchanged)', async () => {
    const out = join(dir, 'plain');
    expect(await run(['generate', 'alerts', '--spec', specPath, '--out', out])).toMatchObject({ code: 0 });
    const selectors = sliSelectors(await readFile(join(out, 'blueprint-slo.rules.yaml'), 'utf8'));
    for (const selector of selectors) expect(selector).not.toContain('job=');
  });

  it.each([
    ['job', /"job" is not label=value/],
    ['0job=x', /"0job=x" is not label=value/],
    ['job=', /"job=" is not label=value/],
    ['job=a,job=b', /label "job" is given twice/],
  ])('refuses --series-matcher %s by name, exit 2', async (value, message) => {
    const result = await run([
      'generate',
      'alerts',
      '--spec',
      specPath,
      '--out',
      dir,
      '--series-matcher',
      value,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--series-matcher/);
    expect(result.stderr).toMatch(message);
  });
});
