// `promtool test rules` spread across the machine's cores. Several test files (the per-SLO files
// of `generate alerts`, each small) are shared out whole among the processes; one file's test
// groups are split instead (`--run`, anchored), since each group evaluates every rule of the file
// minute by minute and one promtool would keep one core busy while the other sits idle. Every
// group runs exactly once.
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { peerBinary } from './peers.js';

const execAsync = promisify(execFile);

/** promtool, failing with its whole output (the FAILED lines name the group and alert). */
async function exec(file: string, args: string[], options: { maxBuffer: number }): Promise<void> {
  try {
    await execAsync(file, args, options);
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

/** A Go RE2 pattern matching exactly one of `names`. */
function exactly(names: readonly string[]): string {
  return `^(?:${names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;
}

const MAX_BUFFER = 64 * 1024 * 1024;

/**
 * Runs `promtool test rules` on `files` (one path or several) in up to `parts` processes at
 * once; rejects on any failure.
 */
export async function promtoolTestRules(
  files: string | readonly string[],
  parts = Math.max(1, availableParallelism()),
): Promise<void> {
  const list = typeof files === 'string' ? [files] : files;
  if (list.length === 1) return testGroupsApart(list[0]!, parts);
  if (list.length === 0) throw new Error('promtoolTestRules: no test files');
  // Largest first onto the least loaded process: the size of a file stands for its run time.
  const sized = await Promise.all(list.map(async (file) => ({ file, size: (await stat(file)).size })));
  sized.sort((a, b) => b.size - a.size || a.file.localeCompare(b.file));
  const partitions = Array.from({ length: Math.min(parts, list.length) }, () => ({
    size: 0,
    files: [] as string[],
  }));
  for (const { file, size } of sized) {
    const lightest = partitions.reduce((min, partition) => (partition.size < min.size ? partition : min));
    lightest.files.push(file);
    lightest.size += size;
  }
  await Promise.all(
    partitions.map((partition) =>
      exec(peerBinary('promtool'), ['test', 'rules', ...partition.files], { maxBuffer: MAX_BUFFER }),
    ),
  );
}

/** One file, its test groups partitioned by name. */
async function testGroupsApart(file: string, parts: number): Promise<void> {
  const doc = parse(await readFile(file, 'utf8')) as { tests?: { name?: string }[] };
  const names = (doc.tests ?? []).map((group) => group.name);
  if (
    names.length === 0 ||
    names.some((name) => name === undefined) ||
    new Set(names).size !== names.length
  ) {
    // Unnamed or repeated group names cannot be partitioned exactly: one process runs them all.
    await exec(peerBinary('promtool'), ['test', 'rules', file], { maxBuffer: MAX_BUFFER });
    return;
  }
  const partitions: string[][] = Array.from({ length: Math.min(parts, names.length) }, () => []);
  names.forEach((name, index) => partitions[index % partitions.length]!.push(name!));
  await Promise.all(
    partitions.map((partition) =>
      exec(peerBinary('promtool'), ['test', 'rules', `--run=${exactly(partition)}`, file], {
        maxBuffer: MAX_BUFFER,
      }),
    ),
  );
}
