// Regression: in a checkout with CRLF line ends (core.autocrlf=true, Git for Windows' default)
// every `plumbline generate ... --check` failed: the committed files were compared byte for
// byte with the generator's LF text, and drift was reported at line 1 of every file with two
// lines that read the same. --check reads CRLF as LF now, and the repository's .gitattributes
// keeps text files LF in any working tree. Real parts: the CLI, files on disk, git.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const SPEC = 'test/fixtures/orders-spec-module.ts';
const run = promisify(execFile);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-crlf-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Every file under `root`, as paths relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

/** Rewrites every file under `root` with CRLF line ends, as a CRLF checkout leaves them. */
async function toCrlf(root: string): Promise<void> {
  for (const file of await filesUnder(root)) {
    const path = join(root, file);
    await writeFile(path, (await readFile(path, 'utf8')).replace(/\n/g, '\r\n'));
  }
}

describe('regression: generate check fails on crlf checkout', () => {
  it.each(['alerts', 'dashboards', 'collector'])(
    'generate %s --check passes on its own files with CRLF line ends, and still finds a real change',
    async (target) => {
      const out = join(dir, target);
      const written = await runCli(['generate', target, '--spec', SPEC, '--out', out]);
      expect(written.code, written.stderr).toBe(0);
      await toCrlf(out);
      const crlf = await readFile(join(out, (await filesUnder(out))[0]!), 'utf8');
      expect(crlf).toContain('\r\n');

      const check = await runCli(['generate', target, '--spec', SPEC, '--out', out, '--check']);
      expect(check.stderr).toBe('');
      expect(check.code).toBe(0);
      expect(check.stdout).toMatch(/files in .* match the spec/);

      // A changed line in a CRLF file is drift, named at its line.
      const file = (await filesUnder(out)).sort()[0]!;
      const path = join(out, file);
      const lines = (await readFile(path, 'utf8')).split('\r\n');
      lines[1] = `${lines[1]} changed`;
      await writeFile(path, lines.join('\r\n'));
      const drift = await runCli(['generate', target, '--spec', SPEC, '--out', out, '--check']);
      expect(drift.code).toBe(1);
      expect(drift.stderr).toContain(`${file}: differs at line 2`);
    },
  );

  it("the repository's .gitattributes checks generated files out with LF line ends", async () => {
    const { stdout } = await run('git', [
      'check-attr',
      'eol',
      '--',
      'alerts/alertmanager.yml',
      'dashboards/.lint',
      'collector/agent.yaml',
      'docs/invariants.md',
    ]);
    expect(stdout.trim().split('\n')).toEqual([
      'alerts/alertmanager.yml: eol: lf',
      'dashboards/.lint: eol: lf',
      'collector/agent.yaml: eol: lf',
      'docs/invariants.md: eol: lf',
    ]);
  });
});
