// The generated promtool files of a spec (rules and their tests) written into a fresh directory,
// as `plumbline generate` lays them out, so a test can run promtool on them.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { generatePromtoolFiles } from '../../src/generate/rules/promtool-tests.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

export interface WrittenPromtoolFiles {
  /** The directory holding them. */
  readonly dir: string;
  /** Each file's text by its path under `dir`. */
  readonly files: Record<string, string>;
  /** Removes the directory. */
  remove(): Promise<void>;
}

export async function writePromtoolFiles(spec: TelemetrySpec, prefix: string): Promise<WrittenPromtoolFiles> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const files = generatePromtoolFiles(spec);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return { dir, files, remove: () => rm(dir, { recursive: true, force: true }) };
}
