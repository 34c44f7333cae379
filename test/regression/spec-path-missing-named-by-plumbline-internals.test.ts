// Regression: a --spec path that does not exist was reported in the words of whichever loader
// tried it: a missing .ts or .js spec said "Cannot find module '<path>' imported from
// <plumbline's own dist chunk or src/spec/load.ts>", naming a file of plumbline's instead of the
// user's mistake, and a missing .yaml or .json "ENOENT: no such file or directory, open '<path>'".
// Each now says "<path>: no such file" (still exit 1, as every spec that cannot be loaded; a
// missing --doc-options module is bad usage there, exit 2, as its other refusals). Real parts:
// the CLI, paths on disk.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-spec-missing-'));
  await writeFile(join(dir, 'plain-file'), 'not a directory\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('regression: spec path missing, named by plumbline internals', () => {
  it.each(['telemetry.ts', 'telemetry.mjs', 'telemetry.cjs', 'telemetry.yaml', 'telemetry.json'])(
    'a missing --spec %s says "no such file" with its path',
    async (name) => {
      const path = join(dir, name);
      const result = await runCli(['schema', 'export', '--spec', path]);
      expect(result.stderr).toBe(`plumbline schema: ${path}: no such file\n`);
      expect(result.code).toBe(1);
    },
  );

  it('a --spec under a path part that is a file says the same', async () => {
    const path = join(dir, 'plain-file', 'telemetry.ts');
    const result = await runCli(['generate', 'alerts', '--spec', path, '--out', join(dir, 'out')]);
    expect(result.stderr).toBe(`plumbline generate: ${path}: no such file\n`);
    expect(result.code).toBe(1);
  });

  it('a missing --doc-options module is bad usage, named as such', async () => {
    const spec = join(dir, 'spec.json');
    await writeFile(spec, JSON.stringify({ service: { name: 'shop' }, events: {} }));
    const options = join(dir, 'doc-options.ts');
    const result = await runCli([
      'generate',
      'docs',
      '--spec',
      spec,
      '--doc-options',
      options,
      '--out',
      join(dir, 'docs'),
    ]);
    expect(result.stderr.split('\n')[0]).toBe(`plumbline generate: --doc-options ${options}: no such file`);
    expect(result.code).toBe(2);
  });
});
