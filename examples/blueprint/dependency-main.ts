// A blueprint dependency as its own instrumented process (what `npm run demo` and the e2e tests run):
//   node --import tsx examples/blueprint/dependency-main.ts <name> [--port <n>] [--latency-ms <n>]
//     [--jitter-ms <n>] [--failure-rate <0..1>] [--log <path>]
// service.name is <name>; spans, metrics and logs go over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is
// set; GET /metrics serves its histogram. Prints "dependency <name> listening on <url>"; SIGTERM,
// SIGINT or, when started with an IPC channel, its parent's end closes it and flushes its telemetry.
import { startDependency, type Faults } from './dependency-server.js';
import { dependencySpec } from './dependency-telemetry.js';
import { createTelemetry } from './plumbline.js';

const args = process.argv.slice(2);
const name = args[0];
const flag = (key: string): string | undefined => {
  const index = args.indexOf(key);
  return index < 0 ? undefined : args[index + 1];
};
function number(key: string, max = Number.POSITIVE_INFINITY): number | undefined {
  const text = flag(key);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > max)
    usage(`${key}: expected a number in 0..${max}, got ${text}`);
  return value;
}
function usage(problem: string): never {
  process.stderr.write(
    `${problem}\nusage: dependency-main.ts <name> [--port <n>] [--latency-ms <n>] [--jitter-ms <n>] [--failure-rate <0..1>] [--log <path>]\n`,
  );
  process.exit(2);
}
if (name === undefined || name.startsWith('--') || !/^[a-z][a-z0-9_-]{0,62}$/.test(name))
  usage(`a dependency name is required (lowercase letters, digits, - and _), got ${JSON.stringify(name)}`);

const faults: Partial<Faults> = {};
const latencyMs = number('--latency-ms');
const jitterMs = number('--jitter-ms');
const failureRate = number('--failure-rate', 1);
if (latencyMs !== undefined) faults.latencyMs = latencyMs;
if (jitterMs !== undefined) faults.jitterMs = jitterMs;
if (failureRate !== undefined) faults.failureRate = failureRate;

const telemetry = createTelemetry(dependencySpec(name), { logDestination: flag('--log') ?? 1 });
const server = await startDependency(name, { port: number('--port', 65535), faults, telemetry });
process.stderr.write(`dependency ${name} listening on ${server.url}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  await telemetry.shutdown();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
// Started by startDependencyProcess, with an IPC channel to its parent: the channel closes when
// the parent ends, also by SIGKILL, and the dependency stops with it (regression:
// demo-orphaned-when-npm-alone-is-terminated).
if (process.channel !== undefined) {
  process.channel.unref();
  process.once('disconnect', () => void stop());
}
