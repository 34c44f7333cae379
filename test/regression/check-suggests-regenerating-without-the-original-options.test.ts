// Regression (an SRE's trial): collector configs generated with `--trace-backend file` and then
// checked with `generate collector --spec … --check` (no --trace-backend) failed with a command
// that would regenerate them without the file backend, and nothing said the options differed.
// The generated header names the options; when it is the first difference, the message says the
// files were generated with other options and to check with the same flags.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const SPEC = 'examples/blueprint/telemetry.ts';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'check-options-'));
  const generate = ['generate', 'collector', '--spec', SPEC, '--out', dir, '--trace-backend', 'file'];
  expect((await runCli(generate)).code).toBe(0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('regression: --check suggested regenerating without the original options', () => {
  it('says the files were generated with other options, naming them', async () => {
    const check = await runCli(['generate', 'collector', '--spec', SPEC, '--out', dir, '--check']);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(
      /\n {2}\S+\.yaml was generated with other options \(Options: [^)]*traceBackend=file[^)]*\): if those are the ones you want, check with the same flags they were generated with\n/,
    );
  });

  it('passes when checked with the flags they were generated with', async () => {
    const same = [
      'generate',
      'collector',
      '--spec',
      SPEC,
      '--out',
      dir,
      '--trace-backend',
      'file',
      '--check',
    ];
    expect((await runCli(same)).code).toBe(0);
  });
});
