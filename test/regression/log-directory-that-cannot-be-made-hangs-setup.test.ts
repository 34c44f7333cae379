// Regression (review of log-file-that-cannot-be-opened-crashes-the-app): a log path is opened at
// setup, its directories made with mkdirSync's `recursive`. Where mkdir answers ENOENT under a
// parent that exists (procfs, sysfs: a logDestination of /proc/nope/events.ndjson), Node's
// recursive mkdir retries for ever: createTelemetry never returned (the process spun at 100% CPU
// until killed; 30 s timeout hit). The directories are now made one by one, and such a path fails
// the setup naming the file, as any other that cannot be opened. Real parts: createTelemetry in a
// child process (a hang inside the test's own worker could not be timed out), Linux's /proc.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

const SCRIPT = `
import { createTelemetry, defineTelemetry } from './src/index.js';
const spec = defineTelemetry({ service: { name: 'shop' }, events: {} });
try {
  createTelemetry(spec, { registerGlobal: false, logDestination: process.argv[1] });
  console.log('opened');
} catch (error) {
  console.log(error.message);
}
`;

describe('regression: a log directory that cannot be made hangs the setup', () => {
  it.runIf(process.platform === 'linux')('fails createTelemetry at once naming the file', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, '/proc/plumbline-nope/events.ndjson'],
      { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
    );
    expect(run.signal, 'createTelemetry did not return within 30 s').toBeNull();
    expect(run.stdout).toMatch(
      /^plumbline: cannot open the log file "\/proc\/plumbline-nope\/events.ndjson" for appending \(ENOENT/,
    );
  });
});
