// Regression (generate-edges hunt): service.name and SLO names had a pattern but no length, and
// both name generated files (alerts/<service>-slo.rules.yaml, promtool/<service>-slo/<slo>.test.yaml).
// A spec the check accepted, with a 250-character SLO name, failed `plumbline generate alerts`
// with "ENAMETOOLONG: name too long" after it had written shop-slo.rules.yaml and the promtool
// directory (a 260-character service name failed on its first file). Both are now refused at load,
// naming the field, and nothing is written. Real parts: the CLI, the file system.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specIssues } from '../../src/spec/validate.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { runCli } from '../support/cli.js';

const sloNamed = (slo: string, service = 'shop') =>
  ({
    service: { name: service },
    events: {},
    counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome'] } },
    slos: {
      [slo]: {
        description: 'Requests succeed.',
        objective: 99.9,
        sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: ['error'] } },
      },
    },
  }) satisfies TelemetrySpec;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-long-names-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a service or SLO name too long for a file name', () => {
  it.each([
    ['a 250-character SLO name', sloNamed('x'.repeat(250)), `slos.${'x'.repeat(250)}`],
    ['a 260-character service name', sloNamed('orders', 's'.repeat(260)), 'service.name'],
  ])('%s: generate alerts refuses the spec by name and writes nothing', async (name, spec, field) => {
    const specFile = join(dir, `${name.replaceAll(' ', '-')}.json`);
    const out = join(dir, `${name.replaceAll(' ', '-')}-out`);
    await writeFile(specFile, JSON.stringify(spec));
    const result = await runCli(['generate', 'alerts', '--spec', specFile, '--out', out]);
    expect(result.stderr).not.toContain('ENAMETOOLONG');
    expect(result.stderr).toContain(`${field}: is`);
    expect(result.stderr).toContain('at most 240');
    expect(result.code).toBe(1);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });

  it('240 characters are enough: the CLI writes every file of names that long', async () => {
    const specFile = join(dir, 'longest.json');
    const out = join(dir, 'longest-out');
    await writeFile(specFile, JSON.stringify(sloNamed('x'.repeat(240), 's'.repeat(240))));
    const result = await runCli(['generate', 'alerts', '--spec', specFile, '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(await readdir(join(out, 'promtool', `${'s'.repeat(240)}-slo`))).toEqual([
      `${'x'.repeat(240)}.rules.yaml`,
      `${'x'.repeat(240)}.test.yaml`,
    ]);
  });

  it("names each field once, beside the spec's other problems", () => {
    const spec = sloNamed('y'.repeat(241), 't'.repeat(241));
    const issues = specIssues({ ...spec, schemaVersion: '' });
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['schemaVersion', 'service.name', `slos.${'y'.repeat(241)}`]),
    );
    expect(issues.filter((issue) => issue.path === 'service.name')).toHaveLength(1);
  });
});
