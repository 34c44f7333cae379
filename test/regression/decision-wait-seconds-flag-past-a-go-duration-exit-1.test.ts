// Regression: `plumbline generate collector --decision-wait-seconds 10000000000` (past the
// collector's longest duration, Go's int64 nanoseconds) was reported as an invalid spec with exit 1
// (read by CI gates as "deviations found"); a bad flag is bad usage, exit 2, naming the flag.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

it('--decision-wait-seconds past the longest Go duration is bad usage (exit 2), nothing written', async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-decision-wait-'));
  const out = join(dir, 'collector');
  const args = ['generate', 'collector', '--spec', 'examples/blueprint/telemetry.ts', '--out', out];
  const refused = await runCli([...args, '--decision-wait-seconds', '10000000000']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--decision-wait-seconds: expected at most 9223372036');
  await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  const longest = await runCli([...args, '--decision-wait-seconds', '9223372036']);
  expect(longest.code).toBe(0);
});
