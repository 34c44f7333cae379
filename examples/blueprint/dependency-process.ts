// Starts a blueprint dependency as its own process (dependency-main.ts under `node --import tsx`,
// never the tsx CLI, whose signal relay SIGKILLs a child slow to confirm) and drives it over HTTP:
// what `npm run demo` and the e2e tests use.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Faults } from './dependency-server.js';

export interface DependencyProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Changes its latency or failure rate (POST /control). */
  setFaults(faults: Partial<Faults>): Promise<void>;
  /** SIGTERM (it flushes its telemetry), SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** What it wrote to stderr so far (for error messages). */
  output(): string;
}

export interface DependencyProcessOptions {
  /** Its environment (OTEL_EXPORTER_OTLP_ENDPOINT sends its spans, metrics and logs there). */
  readonly env?: NodeJS.ProcessEnv;
  /** Where its event log goes (default: its stdout, discarded). */
  readonly log?: string;
  readonly faults?: Partial<Faults>;
  /** How long to wait for it to listen (default 30 s). */
  readonly timeoutMs?: number;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const main = fileURLToPath(new URL('./dependency-main.ts', import.meta.url));

export function startDependencyProcess(
  name: string,
  options: DependencyProcessOptions = {},
): Promise<DependencyProcess> {
  const args = ['--import', 'tsx', main, name];
  if (options.log !== undefined) args.push('--log', options.log);
  const faults = options.faults ?? {};
  if (faults.latencyMs !== undefined) args.push('--latency-ms', String(faults.latencyMs));
  if (faults.jitterMs !== undefined) args.push('--jitter-ms', String(faults.jitterMs));
  if (faults.failureRate !== undefined) args.push('--failure-rate', String(faults.failureRate));
  // An IPC channel that closes when this process ends, however it ends (SIGKILL too): the
  // dependency stops then (dependency-main.ts), never left running without its parent.
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: options.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  // The channel only watches: it keeps neither process running.
  child.channel?.unref();
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`dependency ${name} did not listen within ${options.timeoutMs ?? 30_000} ms:\n${output}`),
      );
    }, options.timeoutMs ?? 30_000);
    const exitedEarly = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`dependency ${name} exited with ${code}:\n${output}`));
    };
    child.once('exit', exitedEarly);
    child.stderr!.on('data', (chunk: Buffer) => {
      if (output.length < 1 << 20) output += chunk.toString('utf8');
      const match = /listening on (\S+)/.exec(output);
      if (match === null) return;
      clearTimeout(timer);
      child.off('exit', exitedEarly);
      const url = match[1]!;
      resolve({
        name,
        url,
        child,
        output: () => output,
        async setFaults(next) {
          const response = await fetch(`${url}/control`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(next),
          });
          await response.body?.cancel();
          if (!response.ok) throw new Error(`dependency ${name}: /control answered ${response.status}`);
        },
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          const code = await exited;
          clearTimeout(kill);
          return code;
        },
      });
    });
  });
}
