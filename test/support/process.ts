// Helpers for tests that start real peers (Prometheus, the collector, the blueprint): free
// loopback ports, polling until ready, and child processes that are always stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

// Ports are picked below Linux's ephemeral range (32768-60999 by default), where the OS never
// puts the local end of an outgoing connection, so a port handed to a peer is not taken by some
// client socket before the peer binds it; and never twice in one process.
const PORT_RANGE_START = 20_000;
const PORT_RANGE_END = 32_000;
const issuedPorts = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A TCP port on 127.0.0.1 that is free now, outside the ephemeral range, not handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PORT_RANGE_START + Math.floor(Math.random() * (PORT_RANGE_END - PORT_RANGE_START));
    if (issuedPorts.has(port)) continue;
    if (await canListen(port)) {
      issuedPorts.add(port);
      return port;
    }
  }
  throw new Error(`no free port found between ${PORT_RANGE_START} and ${PORT_RANGE_END}`);
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
  );
}

export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (capped at 1 MiB). */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const OUTPUT_CAP = 1 << 20;

/** Starts a process whose output is kept for error messages; `stop()` ends it (SIGKILL after 10 s). */
export function startProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    if (output.length < OUTPUT_CAP) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
