// One CLI: --version and --help everywhere (stdout, exit 0), one flag parser that refuses unknown
// flags by name, `slo rules` as an alias of `generate alerts` (with --runbook-base and --check),
// and `generate docs` for a spec that is not the blueprint's, its runbook links landing in it.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../support/cli.js';

const ORDERS = 'test/fixtures/orders-spec-module.ts';
const BLUEPRINT = 'examples/blueprint/telemetry.ts';

const run = runCli;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('plumbline --version and --help', () => {
  it('--version prints the package version to stdout', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([
    [['--help']],
    [['generate', '--help']],
    [['generate', 'collector', '--help']],
    [['generate', 'dashboards', '--help']],
    [['generate', 'alerts', '--help']],
    [['generate', 'docs', '-h']],
    [['slo', '--help']],
    [['slo', 'rules', '--help']],
    [['slo', 'evaluate', '--help']],
    [['schema', '--help']],
    [['schema', 'export', '--help']],
    [['check', '--help']],
    [['check', 'live', '--help']],
  ])('%j prints usage to stdout and exits 0', async (args) => {
    const result = await run(args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^usage: plumbline/);
  });

  it('generate alerts --help names its own flags', async () => {
    expect((await run(['generate', 'alerts', '--help'])).stdout).toMatch(/--runbook-base/);
  });

  it('an unknown command is refused on stderr with exit 2', async () => {
    expect(await run(['genrate'])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/unknown command "genrate"/),
    });
  });
});

describe('one flag parser: unknown flags are refused by name (regression: schema export and slo accepted any flag)', () => {
  it.each([
    [
      ['generate', 'alerts', '--spec', ORDERS, '--runbok-base', 'x'],
      /unknown option --runbok-base \(did you mean --runbook-base\?\)/,
    ],
    [['slo', 'rules', '--spec', ORDERS, '--chek'], /unknown option --chek \(did you mean --check\?\)/],
    [
      ['slo', 'evaluate', '--spec', ORDERS, '--prometheus', 'http://127.0.0.1:1', '--jsn'],
      /unknown option --jsn \(did you mean --json\?\)/,
    ],
    [['schema', 'export', '--spec', ORDERS, '--output', 'x'], /unknown option --output/],
    [
      ['check', 'live', '--spec', ORDERS, '--metrics', 'http://127.0.0.1:1/metrics', '--durations', '1s'],
      /unknown option --durations \(did you mean --duration\?\)/,
    ],
    [
      ['generate', 'dashboards', '--spec', ORDERS, '--runbook-base', 'x'],
      /unknown option --runbook-base; known: --spec, --out, --check/,
    ],
  ])('%j exits 2 naming the flag, before doing any work', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('a switch given a value and a value flag without one are refused', async () => {
    expect((await run(['generate', 'alerts', '--spec', ORDERS, '--check=yes'])).stderr).toMatch(
      /--check takes no value/,
    );
    expect((await run(['generate', 'alerts', '--spec'])).stderr).toMatch(/--spec needs a value/);
  });
});

describe('slo rules is generate alerts', () => {
  it('writes the same files, takes --runbook-base and --check, and --check fails on drift', async () => {
    const viaGenerate = join(dir, 'generate');
    const viaSlo = join(dir, 'slo');
    const base = 'https://runbooks.example.com/orders/';
    expect(
      (await run(['generate', 'alerts', '--spec', BLUEPRINT, '--out', viaGenerate, '--runbook-base', base]))
        .code,
    ).toBe(0);
    expect(
      (await run(['slo', 'rules', '--spec', BLUEPRINT, '--out', viaSlo, '--runbook-base', base])).code,
    ).toBe(0);
    // Files, not directories: the per-SLO promtool files are under promtool/blueprint-slo/.
    const filesIn = async (dir: string) =>
      (await readdir(dir, { recursive: true })).filter((f) => /\.ya?ml$/.test(f)).sort();
    const files = await filesIn(viaGenerate);
    expect(files.filter((f) => !f.startsWith('promtool'))).toEqual([
      'alertmanager.yml',
      'blueprint-slo.rules.yaml',
      'pipeline.rules.yaml',
    ]);
    expect(files.filter((f) => f.startsWith('promtool'))).toContain(
      join('promtool', 'blueprint-slo', 'availability.test.yaml'),
    );
    expect(await filesIn(viaSlo)).toEqual(files);
    for (const file of files) {
      expect(await readFile(join(viaSlo, file), 'utf8')).toBe(
        await readFile(join(viaGenerate, file), 'utf8'),
      );
    }
    const rules = await readFile(join(viaSlo, 'blueprint-slo.rules.yaml'), 'utf8');
    expect(rules).toContain(`runbook_url: ${base}docs/invariants.md#slo-`);

    const check = ['slo', 'rules', '--spec', BLUEPRINT, '--out', viaSlo, '--runbook-base', base, '--check'];
    expect(await run(check)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(new RegExp(`${files.length} files in .* match the spec`)),
    });
    // Without the base the links differ: --check sees it.
    expect(await run(check.slice(0, -3).concat('--check'))).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/blueprint-slo\.rules\.yaml: differs/),
    });
  });
});

describe('generate docs for a spec that is not the blueprint', () => {
  it('succeeds without the service invariants, and the default runbook links land in it', async () => {
    const docs = join(dir, 'orders', 'docs');
    const alerts = join(dir, 'orders', 'alerts');
    const result = await run(['generate', 'docs', '--spec', ORDERS, '--out', docs]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const doc = await readFile(join(docs, 'invariants.md'), 'utf8');
    expect(doc).toMatch(/^# orders: invariants and their monitors/);
    expect(doc).toContain(`from ${ORDERS}`);
    // No service invariants without --doc-options naming their instruments.
    expect(doc).not.toContain('Every accepted event is stored');
    expect(doc).not.toContain('Queue depth never exceeds its bound');

    expect((await run(['generate', 'alerts', '--spec', ORDERS, '--out', alerts])).code).toBe(0);
    const pipeline = parse(await readFile(join(alerts, 'pipeline.rules.yaml'), 'utf8')) as {
      groups: { rules: { alert: string; annotations: { runbook_url: string } }[] }[];
    };
    const urls = pipeline.groups.flatMap((group) => group.rules.map((rule) => rule.annotations.runbook_url));
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      // Relative to where `generate docs` writes by default, and the anchor is in the doc.
      const [path, anchor] = url.split('#') as [string, string];
      expect(path).toBe('docs/invariants.md');
      expect(doc).toContain(`<a id="${anchor}"></a>`);
    }
  });

  it('regression: generate docs on a spec without the blueprint counters no longer fails with "is not a counter of the spec"', async () => {
    const spec = join(dir, 'minimal.json');
    await writeFile(spec, JSON.stringify({ service: { name: 'minimal' }, events: {} }));
    const result = await run(['generate', 'docs', '--spec', spec, '--out', join(dir, 'minimal-docs')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
