// Regression: a YAML spec's unknown tags were accepted silently. `name: !env SERVICE` (a CI
// template's habit) named the service "SERVICE" in every generated file: yaml.parse only warned
// (TAG_RESOLVE_FAILED) and kept the bare text after the tag, and the CLI's exit dropped the
// warning. A tag the parser does not resolve (!env, !include, !Ref, an unknown !!tag) is now
// refused, each by file, line and column. Real parts: the CLI, YAML specs on disk.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-yaml-tags-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('regression: yaml spec unknown tag accepted', () => {
  it('refuses !env by file and line, and writes nothing', async () => {
    const spec = join(dir, 'env.yaml');
    await writeFile(spec, 'service:\n  name: !env SERVICE\nevents: {}\n');
    const out = join(dir, 'collector');
    const result = await runCli(['generate', 'collector', '--spec', spec, '--out', out]);
    expect(result.code, `exit code; stdout: ${result.stdout}`).toBe(1);
    expect(result.stderr).toContain(`${spec}:2:9: unresolved YAML tag !env`);
    expect(result.stdout).toBe('');
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('names every unresolved tag, custom or unknown !!, each at its line', async () => {
    const spec = join(dir, 'many.yaml');
    await writeFile(
      spec,
      'service:\n  name: svc\n  version: !Ref Version\nevents: !include events.yaml\nx: !!nonsense 1\n',
    );
    const result = await runCli(['schema', 'export', '--spec', spec]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${spec}:3:12: unresolved YAML tag !Ref`);
    expect(result.stderr).toContain(`${spec}:4:9: unresolved YAML tag !include`);
    expect(result.stderr).toContain(`${spec}:5:4: unresolved YAML tag !!nonsense`);
  });

  it('still loads plain YAML, and the tags YAML itself defines', async () => {
    const spec = join(dir, 'plain.yaml');
    await writeFile(spec, 'service:\n  name: !!str svc\nevents: {}\n');
    const result = await runCli(['schema', 'export', '--spec', spec]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ title: 'svc event log lines' });
  });
});
