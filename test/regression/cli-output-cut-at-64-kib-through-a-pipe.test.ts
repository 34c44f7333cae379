// Regression: the installed `plumbline` command exited with process.exit() as soon as a command
// returned. A pipe takes 64 KiB at once and Node queues the rest of a write for later, so what
// the command had written past that was thrown away, with exit code 0: `plumbline schema export
// --spec telemetry.yaml | cat` of a 3,000-event spec gave 65,536 of its 10,255,047 bytes (cut
// mid-string, not JSON; read by this test, 438,528 of 699,247). The command now exits once stdout
// and stderr have taken everything.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumerApp } from '../packaging/packed.js';

/** A spec whose event schemas come to far more than one pipe buffer (about 700 KB of JSON). */
function bigSpec(events: number): string {
  let yaml = 'service:\n  name: big\nevents:\n';
  for (let index = 0; index < events; index += 1)
    yaml += `  order.step${index}:\n    level: info\n    fields:\n      order_id: { type: string, maxLength: 64 }\n`;
  return yaml;
}

/** Runs the installed bin with stdout and stderr as pipes, as `plumbline ... | cat` does. */
function runThroughPipe(
  cwd: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(cwd, 'node_modules/plumbline/bin/plumbline.js'), ...args], {
      cwd,
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

let dir: string;
beforeAll(async () => {
  dir = join(await consumerApp(), 'cli-pipe');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'telemetry.yaml'), bigSpec(200));
}, 300_000);

describe('plumbline through a pipe', () => {
  it('writes all of schema export to a pipe, byte for byte what --out writes to a file', async () => {
    const toFile = await runThroughPipe(join(dir, '..'), [
      'schema',
      'export',
      '--spec',
      join(dir, 'telemetry.yaml'),
      '--out',
      join(dir, 'schemas.json'),
    ]);
    expect(toFile.code, toFile.stderr).toBe(0);
    const written = await readFile(join(dir, 'schemas.json'));
    expect(written.length).toBeGreaterThan(4 * 65_536);

    const piped = await runThroughPipe(join(dir, '..'), [
      'schema',
      'export',
      '--spec',
      join(dir, 'telemetry.yaml'),
    ]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout.length).toBe(written.length);
    expect(piped.stdout.equals(written)).toBe(true);
    const schemas = JSON.parse(piped.stdout.toString()) as { $defs: Record<string, unknown> };
    expect(Object.keys(schemas.$defs)).toHaveLength(200);
  }, 120_000);
});
