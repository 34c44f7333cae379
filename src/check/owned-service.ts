// The service `check live` starts itself (`check live ... -- COMMAND`): run as a process group of
// its own so a wrapper's children (`sh -c`, `npm start`) go with it, stopped with SIGTERM at the
// end of the watch (SIGKILL after a grace), and how it ended said: a service that exits before the
// watch ends, fails its own SIGTERM, or has to be killed is a deviation, with its code or signal.
// A check killed outright (SIGKILL: a CI job's timeout, the OOM killer) runs no handler of its
// own, so a watchdog outside both process groups kills the service's group when the check dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

/** How long a service has to exit after SIGTERM before it is killed (SIGKILL). */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

export interface ServiceCommand {
  /** The program and its arguments, run without a shell. */
  readonly command: readonly string[];
  /** Its environment (default: the check's own). */
  readonly env?: NodeJS.ProcessEnv;
  /** Default 10 s. */
  readonly stopTimeoutMs?: number;
}

/** How the service ended. */
export interface ServiceExit {
  /** The command as run, for the report. */
  readonly command: string;
  readonly pid: number | undefined;
  /** Its exit code, or null when a signal ended it. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** 'itself' when it exited before the check stopped it. */
  readonly stoppedBy: 'check' | 'itself';
  /** Killed with SIGKILL: it had not exited `stopTimeoutMs` after SIGTERM. */
  readonly killed: boolean;
  readonly ranMs: number;
}

export class ServiceStartError extends Error {
  override readonly name = 'ServiceStartError';
}

export interface OwnedService {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles when the process has exited on its own (never, once stop() is called first). */
  readonly exitedEarly: Promise<void>;
  /** SIGTERM to its process group, SIGKILL after the grace; how it ended. Idempotent. */
  stop(): Promise<ServiceExit>;
}

/** Starts the service; a command that cannot be run (no such file, not executable) is a ServiceStartError. */
export async function startService(service: ServiceCommand): Promise<OwnedService> {
  const [program, ...args] = service.command;
  if (program === undefined || program === '') throw new ServiceStartError('no command after --');
  const text = service.command.join(' ');
  const started = performance.now();
  const child = spawn(program, args, {
    env: service.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: the whole group is signalled, children of a wrapper included.
    detached: true,
  });
  try {
    await once(child, 'spawn');
  } catch (error) {
    throw new ServiceStartError(`cannot run ${program}: ${(error as Error).message}`);
  }
  const exit = exitOf(child);
  const watchdog = startWatchdog(child.pid!);
  // A check that dies leaves no service behind.
  const killGroup = () => {
    signalGroup(child, 'SIGKILL');
    endWatchdog(watchdog);
  };
  process.once('exit', killGroup);
  let stopping: Promise<ServiceExit> | undefined;
  let stoppedByCheck = false;
  const exitedEarly = exit.then(() => {
    if (!stoppedByCheck) return;
    return new Promise<void>(() => {});
  });
  return {
    stdout: child.stdout!,
    stderr: child.stderr!,
    exitedEarly,
    stop() {
      stopping ??= (async () => {
        let killed = false;
        if (child.exitCode === null && child.signalCode === null) {
          stoppedByCheck = true;
          signalGroup(child, 'SIGTERM');
          const grace = setTimeout(() => {
            killed = true;
            signalGroup(child, 'SIGKILL');
          }, service.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
          await exit;
          clearTimeout(grace);
        }
        const { code, signal } = await exit;
        // What the group's other members still hold (a wrapper's children) goes too.
        signalGroup(child, 'SIGKILL');
        endWatchdog(watchdog);
        process.off('exit', killGroup);
        return {
          command: text,
          pid: child.pid,
          exitCode: code,
          signal,
          stoppedBy: stoppedByCheck ? 'check' : 'itself',
          killed,
          ranMs: Math.round(performance.now() - started),
        };
      })();
      return stopping;
    },
  };
}

// The watchdog waits to read the end of a pipe whose only writer is the check: the kernel closes
// it when the check dies, however it dies, and the watchdog then kills the service's group. It is
// a process group of its own, so a kill of the check's group does not take it too. A shell, not a
// second node: about 1 MB, and nothing to load. It only ever exits or kills that group.
const WATCHDOG_SCRIPT = 'read _ignored; kill -KILL "-$1" 2>/dev/null';

function startWatchdog(serviceGroup: number): ChildProcess | undefined {
  try {
    const watchdog = spawn(
      '/bin/sh',
      ['-c', WATCHDOG_SCRIPT, 'plumbline-service-watchdog', String(serviceGroup)],
      {
        stdio: ['pipe', 'ignore', 'ignore'],
        detached: true,
      },
    );
    // Without a shell the check still runs: only a SIGKILL of the check leaves the service then.
    watchdog.on('error', () => {});
    watchdog.stdin!.on('error', () => {});
    // Neither the watchdog nor its pipe keeps the check's event loop alive.
    watchdog.unref();
    (watchdog.stdin as Socket).unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

/** The service's group is gone: the watchdog ends without killing anything. */
function endWatchdog(watchdog: ChildProcess | undefined): void {
  if (watchdog === undefined || watchdog.exitCode !== null || watchdog.signalCode !== null) return;
  watchdog.kill('SIGKILL');
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * What is wrong with how the service ended, or undefined for a clean stop: it exited before the
 * watch ended (whatever its code), exited with a code other than 0 on SIGTERM, or had to be killed.
 * Ended by the SIGTERM the check sent is clean, as is exit code 0 after it.
 */
export function serviceExitProblem(exit: ServiceExit): string | undefined {
  const how = exit.signal !== null ? `killed by ${exit.signal}` : `exited with code ${exit.exitCode}`;
  const after = `after ${(exit.ranMs / 1000).toFixed(1)} s`;
  if (exit.stoppedBy === 'itself') return `${how} ${after}, before the watch ended`;
  if (exit.killed)
    return `still running ${after}, past the grace after SIGTERM: killed (its last telemetry flush is lost)`;
  if (exit.signal === 'SIGTERM' || exit.exitCode === 0) return undefined;
  return `${how} on SIGTERM ${after}: its shutdown failed`;
}
