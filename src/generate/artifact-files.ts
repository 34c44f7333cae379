// The writer layer of every generator: writes a target's files (path under the output
// directory → text), or compares them with what is committed (CI's drift check).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type ArtifactFiles = Readonly<Record<string, string>>;

export interface ArtifactDrift {
  readonly file: string;
  readonly reason: 'missing' | 'differs';
}

export async function writeArtifactFiles(dir: string, files: ArtifactFiles): Promise<string[]> {
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, 'utf8');
    written.push(path);
  }
  return written;
}

/** Files whose committed text is not exactly the generator's output. */
export async function checkArtifactFiles(dir: string, files: ArtifactFiles): Promise<ArtifactDrift[]> {
  const drift: ArtifactDrift[] = [];
  for (const [name, text] of Object.entries(files)) {
    let committed: string;
    try {
      committed = await readFile(join(dir, name), 'utf8');
    } catch {
      drift.push({ file: name, reason: 'missing' });
      continue;
    }
    if (committed !== text) drift.push({ file: name, reason: 'differs' });
  }
  return drift;
}
