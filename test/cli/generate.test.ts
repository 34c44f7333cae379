// CI's drift gate: every committed artifact equals what `plumbline generate` makes from the
// blueprint's spec, and the committed rule files pass promtool.
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { peerBinary } from '../support/peers.js';
import { promtoolTestRules } from '../support/promtool-parallel.js';

const BLUEPRINT_SPEC = 'examples/blueprint/telemetry.ts';
const BLUEPRINT_DOC_OPTIONS = 'examples/blueprint/invariants-doc.ts';
const TARGETS = { collector: 'collector', dashboards: 'dashboards', alerts: 'alerts', docs: 'docs' } as const;

const run = runCli;

describe('plumbline generate --check on the committed artifacts', () => {
  it.each(Object.entries(TARGETS))('%s/ matches the blueprint spec', async (target, dir) => {
    // The docs target quotes the blueprint's config path, start command and bounds from its doc options.
    const own = target === 'docs' ? ['--doc-options', BLUEPRINT_DOC_OPTIONS] : [];
    const result = await run(['generate', target, '--spec', BLUEPRINT_SPEC, ...own, '--out', dir, '--check']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('refuses an unknown target and names the known ones', async () => {
    const result = await run(['generate', 'grafana', '--spec', BLUEPRINT_SPEC]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown target "grafana"/);
    for (const target of Object.keys(TARGETS)) expect(result.stderr).toContain(target);
  });

  it('every committed rule file passes promtool check rules, and every test file promtool test rules', async () => {
    const files = await readdir('alerts');
    const rules = files.filter((f) => f.endsWith('.rules.yaml')).map((f) => `alerts/${f}`);
    expect(rules.length).toBeGreaterThanOrEqual(2);
    // The pipeline rules have their hand-written test beside them; each SLO rules file has a
    // directory of per-SLO tests, each on a copy of its SLO's group (no single test file of all).
    const pipelineTests = files.filter((f) => f.endsWith('.test.yaml')).map((f) => `alerts/${f}`);
    expect(pipelineTests).toEqual(['alerts/pipeline.rules.test.yaml']);
    const sloDirs = files
      .filter((f) => f.endsWith('-slo.rules.yaml'))
      .map((f) => `alerts/promtool/${f.replace(/\.rules\.yaml$/, '')}`);
    expect(sloDirs.length).toBe(rules.length - 1);
    const sloTests: string[] = [];
    const sloRuleCopies: string[] = [];
    for (const dir of sloDirs) {
      const inDir = (await readdir(dir)).sort();
      const tests = inDir.filter((f) => f.endsWith('.test.yaml'));
      expect(tests.length).toBeGreaterThan(0);
      expect(inDir).toEqual(tests.flatMap((f) => [f.replace('.test.yaml', '.rules.yaml'), f]).sort());
      sloTests.push(...tests.map((f) => `${dir}/${f}`));
      sloRuleCopies.push(...inDir.filter((f) => f.endsWith('.rules.yaml')).map((f) => `${dir}/${f}`));
    }
    const exec = promisify(execFile);
    await exec(peerBinary('promtool'), ['check', 'rules', ...rules, ...sloRuleCopies]);
    await promtoolTestRules(pipelineTests[0]!);
    // Each SLO's tests evaluate that SLO's rules alone; the files are spread over the cores.
    await promtoolTestRules(sloTests);
  }, 600_000);

  it('the split promtool run fails when one group of a partition fails (the gate can fail)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-promtool-split-'));
    try {
      const rules = await readFile('alerts/pipeline.rules.yaml', 'utf8');
      // The exporter alert's threshold raised past any failure share: its "fires" groups fail.
      const broken = rules.replace(/> 0\.(\d+)/, '> 1000');
      expect(broken).not.toBe(rules);
      await writeFile(join(dir, 'pipeline.rules.yaml'), broken);
      await copyFile('alerts/pipeline.rules.test.yaml', join(dir, 'pipeline.rules.test.yaml'));
      await expect(promtoolTestRules(join(dir, 'pipeline.rules.test.yaml'), 2)).rejects.toThrow(/FAILED/);
      await writeFile(join(dir, 'pipeline.rules.yaml'), rules);
      await promtoolTestRules(join(dir, 'pipeline.rules.test.yaml'), 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
