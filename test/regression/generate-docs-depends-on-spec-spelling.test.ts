// Regression: `generate docs` wrote --spec and --doc-options into the doc as they were spelt, and
// unquoted. `--spec ./examples/blueprint/telemetry.ts --check` failed against the doc made with
// `--spec examples/blueprint/telemetry.ts` (committed "from examples/...", generated "from
// ./examples/..."), as did an absolute path; a spec in "sp ace/" made commands that the shell
// split into three words. The doc now spells both paths relative to the working directory,
// normalized (absolute outside it), and quotes them for the shell. Real parts: the CLI in
// process for the blueprint, and as a process run by bash for the doc's own command lines.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-docs-spelling-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `script` run by bash in `cwd`, where `npx plumbline ...` runs this checkout's CLI. */
function bash(cwd: string, script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const prelude = `npx() { shift; ${JSON.stringify(TSX)} ${JSON.stringify(MAIN)} "$@"; }\n`;
  return exec('bash', ['-c', prelude + script], { cwd }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('regression: generate docs depends on spec spelling', () => {
  it('--check passes whatever the spelling of --spec and --doc-options', async () => {
    const out = join(dir, 'blueprint-docs');
    const spec = 'examples/blueprint/telemetry.ts';
    const options = 'examples/blueprint/invariants-doc.ts';
    const write = await runCli(['generate', 'docs', '--spec', spec, '--doc-options', options, '--out', out]);
    expect(write.code, write.stderr).toBe(0);
    for (const [specSpelling, optionsSpelling] of [
      [`./${spec}`, options],
      [spec, `./examples//blueprint/../blueprint/invariants-doc.ts`],
      [resolve(spec), resolve(options)],
    ]) {
      const check = await runCli([
        'generate',
        'docs',
        '--spec',
        specSpelling!,
        '--doc-options',
        optionsSpelling!,
        '--out',
        out,
        '--check',
      ]);
      expect(check.stderr, `${specSpelling} ${optionsSpelling}`).toBe('');
      expect(check.code).toBe(0);
    }
  });

  it("a path with spaces is quoted, and the doc's own commands run", async () => {
    const project = join(dir, 'project');
    await mkdir(join(project, 'sp ace'), { recursive: true });
    await writeFile(join(project, 'sp ace', 'tele metry.yaml'), 'service:\n  name: shop\nevents: {}\n');
    await writeFile(join(project, "it's options.mjs"), "export default { configPath: 'shop.yaml' };\n");
    const write = await bash(
      project,
      `npx plumbline generate docs --spec './sp ace/tele metry.yaml' --doc-options "./it's options.mjs" --out docs`,
    );
    expect(write.code, write.stderr).toBe(0);
    const doc = await readFile(join(project, 'docs', 'invariants.md'), 'utf8');
    const commands = doc.split('\n').filter((line) => line.startsWith('   npx plumbline generate'));
    expect(commands).toContain(
      `   npx plumbline generate docs --spec 'sp ace/tele metry.yaml' --doc-options 'it'\\''s options.mjs' --out docs --check`,
    );
    // The doc's drift check, run as written: it finds the files it names and passes.
    const docCheck = commands.find((line) => line.includes('generate docs'))!;
    const check = await bash(project, docCheck);
    expect(check.stderr).toBe('');
    expect(check).toMatchObject({ code: 0, stdout: 'docs: 1 files in docs match the spec\n' });
  }, 60_000);
});
