// Regression: a stale generated file was reported as `gateway.yaml: differs` and nothing more, so
// a reviewer of a spec change could not tell what moved without regenerating and diffing (a
// developer's spec-change trial). The drift check now names the first differing line, with that
// line as committed and as generated.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const SPEC = 'examples/blueprint/telemetry.ts';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drift-line-'));
  expect((await runCli(['generate', 'collector', '--spec', SPEC, '--out', dir])).code).toBe(0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('regression: the drift message named no line', () => {
  it('names the first line that differs, as committed and as generated', async () => {
    const path = join(dir, 'gateway.yaml');
    const lines = (await readFile(path, 'utf8')).split('\n');
    const original = lines[4]!;
    lines[4] = `${original} # edited by hand`;
    await writeFile(path, lines.join('\n'));
    const check = await runCli(['generate', 'collector', '--spec', SPEC, '--out', dir, '--check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(
      `  gateway.yaml: differs at line 5: committed ${JSON.stringify(`${original} # edited by hand`)}, generated ${JSON.stringify(original)}\n`,
    );
  });

  it('a line added at the end is compared with nothing', async () => {
    const path = join(dir, 'agent.yaml');
    const text = await readFile(path, 'utf8');
    await writeFile(path, `${text}extra: true\n`);
    const check = await runCli(['generate', 'collector', '--spec', SPEC, '--out', dir, '--check']);
    const line = text.split('\n').length;
    expect(check.stderr).toContain(
      `  agent.yaml: differs at line ${line}: committed "extra: true", generated ""\n`,
    );
  });
});
