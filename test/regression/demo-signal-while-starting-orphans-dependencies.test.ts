// Regression: a SIGINT or SIGTERM sent to the demo while it started (its two dependency processes
// listening, its own service and handlers not yet: a window of up to seconds under load) ended it by the signal at
// once, and both dependency processes went on running with no parent (2 of 2 left, listening, for
// good): a `kill`, a supervisor or `timeout` sends the signal to the demo alone, not to its group.
// The signal is now kept until the dependencies can be stopped: none is left.
import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/process.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo, a signal while it starts', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} leaves no dependency process behind`, async () => {
      const demo = spawn(
        process.execPath,
        ['--import', 'tsx', 'examples/blueprint/demo.ts', '--duration', '30', '--rate', '20'],
        { cwd: ROOT, detached: true, stdio: 'ignore' },
      );
      const exited = new Promise<void>((done) => demo.once('exit', () => done()));
      let dependencies: number[] = [];
      try {
        // As soon as both dependency processes listen (the demo's service is not started yet).
        dependencies = await waitFor(
          'the dependency processes',
          () => {
            const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(demo.pid)])
              .toString()
              .split('\n')
              .filter((line) => line.includes('dependency-main.ts'))
              .map((line) => Number(line.trim().split(/\s+/)[0]));
            const listening = execFileSync('ss', ['-ltnpH']).toString();
            return children.length === 2 && children.every((pid) => listening.includes(`pid=${pid},`))
              ? children
              : undefined;
          },
          60_000,
          20,
        );
        demo.kill(signal);
        await exited;
        await waitFor(
          'the dependency processes to end',
          () => (dependencies.some(alive) ? undefined : true),
          15_000,
        );
        expect(dependencies.filter(alive)).toEqual([]);
      } finally {
        for (const pid of [...dependencies, demo.pid!]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
    }, 120_000);
  }
});
