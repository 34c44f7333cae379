// Regression: `npm run demo -- --config FILE` with a missing or invalid file crashed with an
// uncaught error and its stack trace (exit 1: `Error: ENOENT ... at async open`, or the
// ConfigError thrown from loadConfig), where the service's main.ts says one clear message and
// exits 2. The demo now does the same: the file named, every bad key listed, exit 2, nothing
// started.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'demo-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function demo(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'examples/blueprint/demo.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm run demo --config with a bad file', () => {
  it('names a missing file, exit 2, no stack trace', () => {
    const missing = join(dir, 'missing.toml');
    const run = demo('--config', missing, '--duration', '1');
    expect(run.stderr).toBe(
      `cannot read config ${missing}: ENOENT: no such file or directory, open '${missing}'\n`,
    );
    expect(run.status).toBe(2);
  });

  it('names the bad key of an invalid file, exit 2, no stack trace', () => {
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[ingress]\ntimeout_ms = "soon"\n');
    const run = demo('--config', bad, '--duration', '1');
    expect(run.stderr).toMatch(
      new RegExp(`^invalid blueprint config ${bad.replace(/[.]/g, '\\.')} \\(\\d+ problems?\\):\n`),
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).not.toMatch(/blueprint demo/);
    expect(run.status).toBe(2);
  });
});
