// Writes generated collector files, or compares them with what is on disk (CI's drift check).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CollectorDrift {
  readonly file: string;
  readonly reason: 'missing' | 'differs';
}

export async function writeCollectorFiles(
  dir: string,
  files: Readonly<Record<string, string>>,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    await writeFile(path, text, 'utf8');
    written.push(path);
  }
  return written;
}

/** Files whose committed text is not exactly the generator's output. */
export async function checkCollectorFiles(
  dir: string,
  files: Readonly<Record<string, string>>,
): Promise<CollectorDrift[]> {
  const drift: CollectorDrift[] = [];
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
