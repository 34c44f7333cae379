// Regression: `npm run demo` runs the demo under `sh -c`. A SIGTERM sent to the npm process
// alone (a supervisor, `kill <pid>`, `timeout`: not the whole group, as a terminal's Ctrl-C is)
// ended npm and the shell, and the demo process, with its blueprint and load generator, and its
// two dependency processes went on running with no parent, for good without --duration (in a
// trial: the demo, both dependencies and tsx's two esbuild services, 5 processes, left). The demo now stops, as on SIGHUP, when its parent is gone (and on
// SIGHUP itself), and each dependency process stops when the demo's IPC channel closes, so a
// demo killed outright (SIGKILL) leaves none either. Real parts: npm, sh, the demo and its
// dependency processes; only the deadline of the polls is a time, and it is generous.
import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/process.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** pid, ppid and arguments of every process in the process group. */
function group(pgid: number): { pid: number; ppid: number; args: string }[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,pgid=,args='])
    .toString()
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[3]) === pgid)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[4]! }));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `npm run demo` in a process group of its own, once it prints its first live summary: the pids
 * of npm, of the demo (the dependencies' parent) and of every process in the group.
 */
async function startDemo(): Promise<{ npm: number; demo: number; all: number[]; output: () => string }> {
  const npm = spawn('npm', ['run', 'demo', '--', '--rate', '20'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  await waitFor(
    'the first live summary',
    () => (/blueprint demo {2}t=\d+s/.test(output) ? true : undefined),
    90_000,
  );
  const procs = group(npm.pid!);
  const dependencies = procs.filter((p) => p.args.includes('dependency-main.ts'));
  expect(dependencies, JSON.stringify(procs)).toHaveLength(2);
  return { npm: npm.pid!, demo: dependencies[0]!.ppid, all: procs.map((p) => p.pid), output: () => output };
}

describe('npm run demo, its parent gone', () => {
  it('SIGTERM to npm alone leaves no process of the demo behind', async () => {
    const { npm, demo, all, output } = await startDemo();
    try {
      expect(all).toContain(demo);
      process.kill(npm, 'SIGTERM');
      await waitFor('every process of the demo to end', () => (all.some(alive) ? undefined : true), 60_000);
      expect(all.filter(alive)).toEqual([]);
      // It stopped as on a signal: its final report, nothing lost.
      expect(output(), output().slice(-2000)).toMatch(/== final report ==/);
      expect(output()).toMatch(/events in the store \d+: none lost/);
    } finally {
      try {
        process.kill(-npm, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 180_000);

  it('the demo killed outright (SIGKILL) leaves no dependency process behind', async () => {
    const { npm, demo, all } = await startDemo();
    try {
      process.kill(demo, 'SIGKILL');
      // npm and the shell end with the demo; its dependency processes (and tsx's esbuild) with it.
      await waitFor(
        'every process of the demo to end',
        () => (group(npm).length === 0 ? true : undefined),
        60_000,
      );
      expect(group(npm)).toEqual([]);
      expect(all.filter(alive)).toEqual([]);
    } finally {
      try {
        process.kill(-npm, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 180_000);
});
