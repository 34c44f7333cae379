// Regression: `npm run demo` starts each run with a fresh store, event log and security log, but
// the dependencies' logs (examples/blueprint/data/demo-geo.ndjson, demo-profile.ndjson) were opened
// for append and never removed, so every run's lines followed all the earlier runs' (one of them
// had grown to 287 KB of lookup.failed lines with other runs' trace IDs). A line left there by an
// earlier run is gone after the next one.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DATA = resolve(ROOT, 'examples', 'blueprint', 'data');

describe('npm run demo, the dependency logs', () => {
  it('holds only this run', () => {
    const earlier = '{"event":"from.an.earlier.run"}\n';
    for (const name of ['geo', 'profile']) writeFileSync(resolve(DATA, `demo-${name}.ndjson`), earlier);
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'examples/blueprint/demo.ts', '--duration', '2', '--rate', '20'],
      { cwd: ROOT, encoding: 'utf8', timeout: 90_000 },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    for (const name of ['geo', 'profile']) {
      const path = resolve(DATA, `demo-${name}.ndjson`);
      expect(existsSync(path) ? readFileSync(path, 'utf8') : '').not.toContain('from.an.earlier.run');
    }
  }, 120_000);
});
