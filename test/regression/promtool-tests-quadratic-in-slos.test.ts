// Regression: `plumbline generate alerts` wrote one `<service>-slo.test.yaml` whose single
// `rule_files` listed the whole `<service>-slo.rules.yaml`, with ~10 test groups per SLO.
// promtool evaluates every rule of `rule_files` in every test group, minute by minute, so the
// run grew with SLOs x rules, quadratically in the SLOs: an SRE's 4-SLO spec (68 rules, 42
// groups) took 66 s, a 31-SLO spec (527 rules, 312 groups) had not finished after 13.5 min, and
// the blueprint's 9 SLOs (146 rules, 87 groups) took 2 min 48 s of CPU, in our tests and in the
// users' CI that docs/slo.md tells to run it. Now each SLO has `promtool/<service>-slo/<slo>.test.yaml`
// on `<slo>.rules.yaml`, a copy of that SLO's group alone (in a directory of its own, so a
// Prometheus loading `alerts/*.yaml` never loads the copies): a test group evaluates one SLO's
// rules, and the run grows linearly with the SLOs. No timing is asserted: the shape is.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { SloSpec, TelemetrySpec } from '../../src/spec/types.js';
import { runCli } from '../support/cli.js';
import { promtoolTestRules } from '../support/promtool-parallel.js';

/**
 * 12 SLOs over four metrics, several on each, as in a real service. No latency SLO is scoped with
 * `where` beside an unscoped one on the same histogram: the fixtures' scoped series have no bucket
 * at the unscoped threshold, so the unscoped SLO would burn on background traffic alone.
 */
const availability = (bad: string[], objective: number, where?: Record<string, string[]>): SloSpec => ({
  description: `Requests other than ${bad.join('/')}`,
  objective,
  sli: {
    kind: 'availability',
    metric: 'http.server.requests',
    bad: { outcome: bad },
    ...(where && { where }),
  },
});
const latency = (histogram: string, threshold: number, objective: number): SloSpec => ({
  description: `Within ${threshold} s`,
  objective,
  sli: { kind: 'latency', histogram, threshold },
});
const jobs = (bad: string[], objective: number): SloSpec => ({
  description: `Jobs other than ${bad.join('/')}`,
  objective,
  sli: { kind: 'availability', metric: 'jobs.processed', bad: { status: bad } },
});

const manySlos = {
  service: { name: 'many' },
  events: {},
  counters: {
    'http.server.requests': { description: 'Requests, by outcome.', attributes: ['outcome', 'http.route'] },
    'jobs.processed': { description: 'Jobs, by status.', attributes: ['status'] },
  },
  histograms: {
    'http.server.duration': {
      description: 'Request duration.',
      unit: 's',
      attributes: ['http.route'],
      buckets: { boundaries: [0.05, 0.1, 0.25, 0.5, 1, 2.5] },
    },
    'jobs.duration': {
      description: 'Job duration.',
      unit: 's',
      buckets: { boundaries: [1, 5, 30, 60] },
    },
  },
  slos: {
    'requests-errors': availability(['error'], 99.9),
    'requests-errors-timeouts': availability(['error', 'timeout'], 99.5),
    'checkout-errors': availability(['error'], 99.9, { 'http.route': ['/checkout'] }),
    'search-errors': availability(['error', 'timeout'], 99, { 'http.route': ['/search'] }),
    'latency-100ms': latency('http.server.duration', 0.1, 95),
    'latency-250ms': latency('http.server.duration', 0.25, 99),
    'latency-1s': latency('http.server.duration', 1, 99.9),
    'jobs-failed': jobs(['failed'], 99.9),
    'jobs-failed-retried': jobs(['failed', 'retried'], 99),
    'jobs-lost': jobs(['lost'], 99.99),
    'jobs-within-5s': latency('jobs.duration', 5, 99),
    'jobs-within-30s': latency('jobs.duration', 30, 99.9),
  },
} as const satisfies TelemetrySpec;

const SLOS = Object.keys(manySlos.slos).sort();
const PROMTOOL_DIR = join('promtool', 'many-slo');

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; labels: Record<string, string> }[] }[];
}
interface TestFile {
  rule_files: string[];
  tests: { name: string }[];
}

let dir: string;
let out: string;
let specPath: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-promtool-linear-'));
  out = join(dir, 'alerts');
  specPath = join(dir, 'telemetry.json');
  await writeFile(specPath, JSON.stringify(manySlos));
  expect(await runCli(['generate', 'alerts', '--spec', specPath, '--out', out])).toMatchObject({ code: 0 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The text of each `  - name: ...` group of a rule file, after its `groups:` line. */
function groupTexts(text: string): Map<string, string> {
  const body = text.slice(text.indexOf('\ngroups:\n') + '\ngroups:\n'.length);
  const chunks = body.split(/^(?=  - name: )/m);
  return new Map(chunks.map((chunk) => [/^ {2}- name: (.*)$/m.exec(chunk)![1]!, chunk]));
}

describe('promtool tests quadratic in the number of SLOs (regression)', () => {
  it('writes per SLO a test file whose rule_files hold that SLO group alone, nothing beside the rules file', async () => {
    expect((await readdir(out)).sort()).toEqual([
      'alertmanager.yml',
      'many-slo.rules.yaml',
      'pipeline.rules.yaml',
      'promtool',
    ]);
    expect((await readdir(join(out, PROMTOOL_DIR))).sort()).toEqual(
      SLOS.flatMap((slo) => [`${slo}.rules.yaml`, `${slo}.test.yaml`]).sort(),
    );
    const main = parse(await readFile(join(out, 'many-slo.rules.yaml'), 'utf8')) as RuleFile;
    expect(main.groups).toHaveLength(SLOS.length);
    const allRules = main.groups.reduce((sum, group) => sum + group.rules.length, 0);
    const largestGroup = Math.max(...main.groups.map((group) => group.rules.length));

    let evaluatedNow = 0;
    let testGroups = 0;
    for (const slo of SLOS) {
      const testFile = join(out, PROMTOOL_DIR, `${slo}.test.yaml`);
      const tests = parse(await readFile(testFile, 'utf8')) as TestFile;
      expect(tests.rule_files).toEqual([`${slo}.rules.yaml`]);
      // What promtool evaluates in each test group of this file: every rule of its rule_files.
      const evaluated = [];
      for (const file of tests.rule_files) {
        const rules = parse(await readFile(join(out, PROMTOOL_DIR, file), 'utf8')) as RuleFile;
        evaluated.push(...rules.groups.flatMap((group) => group.rules));
      }
      expect(evaluated.length).toBeLessThanOrEqual(largestGroup);
      for (const rule of evaluated) expect(rule.labels.slo).toBe(slo);
      // The SLO's scenarios, its no-data run among them, and no other SLO's.
      expect(tests.tests.length).toBeGreaterThanOrEqual(10);
      for (const test of tests.tests) expect(test.name.startsWith(`${slo}: `)).toBe(true);
      expect(tests.tests.map((test) => test.name)).toContain(`${slo}: no data, the absent-data alert fires`);
      evaluatedNow += tests.tests.length * evaluated.length;
      testGroups += tests.tests.length;
    }
    // Rules evaluated per step summed over the test groups: one SLO's rules each, not all of them.
    expect(evaluatedNow).toBeLessThanOrEqual(testGroups * largestGroup);
    expect(evaluatedNow).toBeLessThan((testGroups * allRules) / (SLOS.length / 2));
  });

  it("each per-SLO rules file is that SLO's group of the rules file, byte for byte", async () => {
    const mainText = await readFile(join(out, 'many-slo.rules.yaml'), 'utf8');
    const mainGroups = groupTexts(mainText);
    const main = parse(mainText) as RuleFile;
    expect([...mainGroups.keys()]).toEqual(main.groups.map((group) => group.name));
    for (const slo of SLOS) {
      const copyText = await readFile(join(out, PROMTOOL_DIR, `${slo}.rules.yaml`), 'utf8');
      const copy = groupTexts(copyText);
      expect([...copy.keys()]).toEqual([`plumbline-slo-${slo}`]);
      expect(copy.get(`plumbline-slo-${slo}`)).toBe(mainGroups.get(`plumbline-slo-${slo}`));
      expect((parse(copyText) as RuleFile).groups).toEqual(
        main.groups.filter((group) => group.name === `plumbline-slo-${slo}`),
      );
    }
  });

  it('promtool test rules passes every per-SLO test file', async () => {
    await promtoolTestRules(SLOS.map((slo) => join(out, PROMTOOL_DIR, `${slo}.test.yaml`)));
  }, 600_000);

  it('--check fails on a stale promtool file or the old single test file, and regenerating removes them', async () => {
    const stale = join(out, PROMTOOL_DIR, 'removed-slo.test.yaml');
    const single = join(out, 'many-slo.test.yaml');
    await writeFile(
      stale,
      '# Generated by plumbline -- do not edit.\nrule_files: [removed-slo.rules.yaml]\n',
    );
    await writeFile(
      single,
      '# Generated by plumbline: promtool test rules many-slo.test.yaml -- do not edit.\n',
    );
    // A file a person wrote there is theirs: neither drift nor removed.
    const own = join(out, PROMTOOL_DIR, 'hand-written.test.yaml');
    await writeFile(own, 'rule_files: []\n');
    const check = await runCli(['generate', 'alerts', '--spec', specPath, '--out', out, '--check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`${PROMTOOL_DIR}/removed-slo.test.yaml: no longer generated`);
    expect(check.stderr).toContain('many-slo.test.yaml: no longer generated');
    expect(check.stderr).not.toContain('hand-written');
    const write = await runCli(['generate', 'alerts', '--spec', specPath, '--out', out]);
    expect(write.stdout).toContain(`removed ${stale}`);
    expect(write.stdout).toContain(`removed ${single}`);
    await rm(own);
    expect(await runCli(['generate', 'alerts', '--spec', specPath, '--out', out, '--check'])).toMatchObject({
      code: 0,
    });
  });
});
