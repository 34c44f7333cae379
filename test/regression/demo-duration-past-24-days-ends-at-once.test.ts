// Regression: `npm run demo -- --duration 2592000` (30 days) ended at once ("ran 0 s" in the final
// report, exit 0, after a TimeoutOverflowWarning): setTimeout keeps at most 2^31-1 ms and fires a
// longer delay after 1 ms. A duration past 2147483 s is refused now, naming the flag (exit 2,
// nothing started); the longest one that fits is accepted.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

function demo(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'examples/blueprint/demo.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm run demo --duration past what a timer holds', () => {
  it('refuses 30 days naming --duration instead of ending at 0 s', () => {
    const run = demo('--duration', '2592000', '--rate', '20');
    expect(run.stdout).not.toMatch(/final report/);
    expect(run.stderr).toMatch(/--duration must be at most 2147483 seconds/);
    expect(run.status, run.stdout + run.stderr).toBe(2);
  });

  it('takes the longest duration that fits (the bad --rate after it is what is refused)', () => {
    const run = demo('--duration', '2147483', '--rate', 'abc');
    expect(run.stderr).toMatch(/^--rate needs a positive number$/m);
    expect(run.status).toBe(2);
  });
});
