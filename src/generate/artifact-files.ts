// The writer layer of every generator: writes a target's files (path under the output
// directory → text), or compares them with what is committed (CI's drift check).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export type ArtifactFiles = Readonly<Record<string, string>>;

export interface ArtifactDrift {
  readonly file: string;
  readonly reason: 'missing' | 'differs';
  /**
   * For `differs`: the first line that differs (1-based) and that line in the committed and the
   * generated text ('' past the end), so a reviewer sees what moved without a diff tool.
   */
  readonly firstDifference?: {
    readonly line: number;
    readonly committed: string;
    readonly generated: string;
  };
}

/** The first line where two texts differ; undefined when they are equal. */
export function firstDifferingLine(
  committed: string,
  generated: string,
): ArtifactDrift['firstDifference'] | undefined {
  if (committed === generated) return undefined;
  const left = committed.split('\n');
  const right = generated.split('\n');
  let line = 0;
  while (line < left.length && line < right.length && left[line] === right[line]) line++;
  return { line: line + 1, committed: left[line] ?? '', generated: right[line] ?? '' };
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

/**
 * A text with its line ends as LF. A checkout with core.autocrlf=true (Git for Windows' default)
 * writes every committed file with CRLF; compared byte for byte, every `generate --check` failed
 * there on line 1 with nothing to see (regression: generate-check-fails-on-crlf-checkout). The
 * repository's .gitattributes asks for LF too; a project without one still passes.
 */
function lfLineEnds(text: string): string {
  return text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
}

/** Files whose committed text is not the generator's output (line ends aside: CRLF reads as LF). */
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
    const firstDifference = firstDifferingLine(lfLineEnds(committed), lfLineEnds(text));
    if (firstDifference !== undefined) drift.push({ file: name, reason: 'differs', firstDifference });
  }
  return drift;
}
