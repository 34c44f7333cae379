// Regression: a --spec that is a directory failed with "EISDIR: illegal operation on a directory,
// read", naming neither the path nor what was wrong with it (a directory named like a spec file,
// or `--spec .` for `--spec ./telemetry.json`). The message now names the path and says it is a
// directory. Real parts: the CLI, directories on disk.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-spec-dir-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('regression: spec path is a directory, unnamed', () => {
  it.each(['telemetry.json', 'telemetry.yaml', 'telemetry.ts', 'specs'])(
    '--spec naming a directory %s says so, with its path',
    async (name) => {
      const path = join(dir, name);
      await mkdir(path);
      const result = await runCli(['schema', 'export', '--spec', path]);
      expect(result.stderr).toBe(
        `plumbline schema: ${path}: is a directory, not a spec file (expected a .json, .yaml, .yml or module file)\n`,
      );
      expect(result.code).toBe(1);
    },
  );
});
