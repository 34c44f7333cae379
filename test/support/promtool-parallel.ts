// `promtool test rules` over a test file, its test groups split across the machine's cores: each
// group evaluates every rule of the file minute by minute, so one promtool on the blueprint's
// SLO fixtures is minutes of one core while the other sits idle. Groups are partitioned by
// name (`--run`, anchored), and every group runs exactly once.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
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

/** Runs `promtool test rules` on `file` in up to `parts` processes at once; rejects on any failure. */
export async function promtoolTestRules(
  file: string,
  parts = Math.max(1, availableParallelism()),
): Promise<void> {
  const doc = parse(await readFile(file, 'utf8')) as { tests?: { name?: string }[] };
  const names = (doc.tests ?? []).map((group) => group.name);
  if (
    names.length === 0 ||
    names.some((name) => name === undefined) ||
    new Set(names).size !== names.length
  ) {
    // Unnamed or repeated group names cannot be partitioned exactly: one process runs them all.
    await exec(peerBinary('promtool'), ['test', 'rules', file], { maxBuffer: 64 * 1024 * 1024 });
    return;
  }
  const partitions: string[][] = Array.from({ length: Math.min(parts, names.length) }, () => []);
  names.forEach((name, index) => partitions[index % partitions.length]!.push(name!));
  await Promise.all(
    partitions.map((partition) =>
      exec(peerBinary('promtool'), ['test', 'rules', `--run=${exactly(partition)}`, file], {
        maxBuffer: 64 * 1024 * 1024,
      }),
    ),
  );
}
