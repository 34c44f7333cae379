// Regression: the CLI run from source (`npm run plumbline -- ...`, tsx src/cli/main.ts) exited with
// process.exit() as soon as a command returned, so a pipe got the first 64 KiB of its output and
// the rest was thrown away with exit code 0 (the installed bin had the same bug, fixed in
// 8976ea3: cli-output-cut-at-64-kib-through-a-pipe). Both now exit through one exitOnceWritten.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumbline-cli-pipe-'));
  let yaml = 'service:\n  name: big\nevents:\n';
  for (let index = 0; index < 200; index += 1)
    yaml += `  order.step${index}:\n    level: info\n    fields:\n      order_id: { type: string, maxLength: 64 }\n`;
  await writeFile(join(dir, 'telemetry.yaml'), yaml);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function runFromSource(
  args: readonly string[],
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

it('writes all of schema export to a pipe, byte for byte what --out writes', async () => {
  const spec = join(dir, 'telemetry.yaml');
  const toFile = await runFromSource([
    'schema',
    'export',
    '--spec',
    spec,
    '--out',
    join(dir, 'schemas.json'),
  ]);
  expect(toFile.code, toFile.stderr).toBe(0);
  const written = await readFile(join(dir, 'schemas.json'));
  expect(written.length).toBeGreaterThan(4 * 65_536);
  const piped = await runFromSource(['schema', 'export', '--spec', spec]);
  expect(piped.code, piped.stderr).toBe(0);
  expect(piped.stdout.length).toBe(written.length);
  expect(piped.stdout.equals(written)).toBe(true);
}, 120_000);
