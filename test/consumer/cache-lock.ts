// A cross-process lock on an entry of the shared test cache (~/.cache/plumbline), so two test
// runs on one machine (a developer's beside a clean clone's, two clones) take turns on it. It is
// held by a flock(1) child, as scripts/peer.sh holds its build locks: the child's stdin is a pipe
// from this process, so the lock goes with this process however it ends (a killed run leaves no
// stale lock). A wait is bounded: past it the error names the lock and its recorded holder.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A held lock. */
export interface CacheLock {
  readonly path: string;
  /** Releases the lock and waits until it is free for others. */
  release(): Promise<void>;
}

/** flock's exit status when `--wait` runs out (its own default, 1, is also its error status). */
const TIMED_OUT = 75;

interface Holder {
  pid: number;
  purpose: string;
  command: string;
  cwd: string;
  since: string;
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds (or last held) the lock at `path`, as its holder recorded it. */
export function describeHolder(path: string): string {
  let holder: Holder;
  try {
    holder = JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    return 'its holder recorded nothing (a process that takes this lock without recording itself?)';
  }
  const state = running(holder.pid) ? 'held by' : 'last held by (no longer running)';
  return `${state} pid ${holder.pid} (${holder.purpose}; ${holder.command}; in ${holder.cwd}) since ${holder.since}`;
}

/**
 * Takes the exclusive lock at `path` (a file, created if missing) for `purpose`, waiting at most
 * `waitMs` for another holder. A wait of more than two seconds is announced on stderr.
 */
export async function lockCachePath(path: string, purpose: string, waitMs: number): Promise<CacheLock> {
  mkdirSync(dirname(path), { recursive: true });
  const seconds = (waitMs / 1000).toFixed(1);
  const child = spawn(
    'flock',
    [
      '--exclusive',
      '--wait',
      seconds,
      '--conflict-exit-code',
      String(TIMED_OUT),
      path,
      'sh',
      '-c',
      'echo locked && exec cat >/dev/null',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const notice = setTimeout(
      () =>
        process.stderr.write(
          `waiting up to ${seconds} s for the lock ${path} (${purpose}): ${describeHolder(path)}\n`,
        ),
      2000,
    );
    child.stdout.once('data', () => {
      clearTimeout(notice);
      resolve();
    });
    child.once('error', (error) => {
      clearTimeout(notice);
      reject(new Error(`cannot lock ${path}: flock(1) (util-linux) did not start: ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(notice);
      reject(
        new Error(
          code === TIMED_OUT
            ? `gave up after ${seconds} s waiting for the lock ${path} (${purpose}): ${describeHolder(path)}. ` +
                'Another test run on this machine is using it; let it finish, or end it and run again.'
            : `cannot lock ${path}: flock exited with ${code}: ${stderr.trim()}`,
        ),
      );
    });
  });
  const holder: Holder = {
    pid: process.pid,
    purpose,
    command: process.argv.slice(1).join(' ').slice(0, 300),
    cwd: process.cwd(),
    since: new Date().toISOString(),
  };
  // The same inode flock holds, so waiters read who has it.
  writeFileSync(path, `${JSON.stringify(holder)}\n`);
  // The holder must not keep this process alive: if it exits without releasing, the pipe closes.
  const handles = [child, child.stdin, child.stdout, child.stderr] as unknown as {
    ref(): void;
    unref(): void;
  }[];
  for (const handle of handles) handle.unref();
  let released: Promise<void> | undefined;
  return {
    path,
    release() {
      released ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        for (const handle of handles) handle.ref();
        const stuck = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(stuck);
          resolve();
        });
        child.stdin.end();
      });
      return released;
    },
  };
}
