// The plumbline collector for tests, and a tier of them on loopback. The binary: scripts/build-collector.sh builds it once per
// machine (cached outside the clone) and prints its path; this runs the script once per process.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startProcess, waitFor, type RunningProcess } from './process.js';

const script = fileURLToPath(new URL('../../scripts/build-collector.sh', import.meta.url));
let pending: Promise<string> | undefined;

export function collectorBinary(): Promise<string> {
  pending ??= new Promise<string>((resolve, reject) => {
    // The first build downloads modules and compiles for minutes; later calls return at once.
    execFile('bash', [script], { maxBuffer: 16 << 20, timeout: 20 * 60_000 }, (error, stdout, stderr) => {
      const path = stdout.trim().split('\n').pop() ?? '';
      if (error !== null || path === '') {
        reject(
          new Error(
            `scripts/build-collector.sh failed (${error?.message ?? 'no path printed'}):\n${stderr.slice(-4000)}`,
          ),
        );
        return;
      }
      resolve(path);
    });
  });
  return pending;
}

// ---- a collector tier on loopback: certificates, processes, their metrics and trace files ----

export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** A throwaway CA and one leaf (server and client use, SAN 127.0.0.1/localhost) made with openssl. */
export function makeTlsFiles(dir: string): TlsFiles {
  const files = {
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    cert: join(dir, 'cert.pem'),
    key: join(dir, 'key.pem'),
  };
  const csr = join(dir, 'leaf.csr');
  const ext = join(dir, 'leaf.ext');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=plumbline test CA',
    '-keyout',
    files.caKey,
    '-out',
    files.ca,
  );
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    files.key,
    '-out',
    csr,
  );
  execFileSync('bash', [
    '-c',
    `printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth,clientAuth\\n' > '${ext}'`,
  ]);
  openssl(
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    files.ca,
    '-CAkey',
    files.caKey,
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    ext,
    '-out',
    files.cert,
  );
  return { ca: files.ca, cert: files.cert, key: files.key };
}

export interface CollectorProcess {
  readonly name: string;
  readonly process: RunningProcess;
  readonly env: Readonly<Record<string, string>>;
  readonly metricsUrl: string;
}

/** Starts the collector on `configPath` with `env` (and extra flags), waits for its health_check to answer. */
export async function startCollector(
  name: string,
  binary: string,
  configPath: string,
  env: Record<string, string>,
  extraArgs: readonly string[] = [],
): Promise<CollectorProcess> {
  const healthPort = await freePort();
  const metricsPort = await freePort();
  const fullEnv = {
    PATH: process.env['PATH'] ?? '',
    PLUMBLINE_HEALTH_ENDPOINT: `127.0.0.1:${healthPort}`,
    PLUMBLINE_METRICS_HOST: '127.0.0.1',
    PLUMBLINE_METRICS_PORT: String(metricsPort),
    ...env,
  };
  const running = startProcess(binary, [`--config=file:${configPath}`, ...extraArgs], { env: fullEnv });
  try {
    await waitFor(
      `${name} health_check`,
      async () => {
        if (running.child.exitCode !== null)
          throw new Error(`${name} exited with ${running.child.exitCode}:\n${running.output().slice(-3000)}`);
        const response = await fetch(`http://127.0.0.1:${healthPort}/`);
        return response.ok ? true : undefined;
      },
      20_000,
    );
  } catch (error) {
    await running.stop();
    throw new Error(`${String(error)}\n--- ${name} output ---\n${running.output().slice(-3000)}`);
  }
  return { name, process: running, env: fullEnv, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

/** Restarts a stopped collector with the same ports, optionally overriding some variables. */
export async function restartCollector(
  previous: CollectorProcess,
  binary: string,
  configPath: string,
  overrides: Record<string, string>,
): Promise<CollectorProcess> {
  const env = { ...previous.env, ...overrides };
  const running = startProcess(binary, [`--config=file:${configPath}`], { env });
  const health = `http://${env['PLUMBLINE_HEALTH_ENDPOINT']}/`;
  await waitFor(
    `${previous.name} health_check after restart`,
    async () => {
      if (running.child.exitCode !== null)
        throw new Error(`${previous.name} exited:\n${running.output().slice(-3000)}`);
      return (await fetch(health)).ok ? true : undefined;
    },
    20_000,
  );
  return { ...previous, process: running, env };
}

/** Sum of a metric's samples (Prometheus text format) whose labels contain every `labels` pair. */
export function metricSum(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (!Object.entries(labels).every(([key, value]) => rest.includes(`${key}="${value}"`))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

export async function scrape(collector: CollectorProcess): Promise<string> {
  const response = await fetch(collector.metricsUrl);
  if (!response.ok) throw new Error(`${collector.metricsUrl}: HTTP ${response.status}`);
  return response.text();
}

/** Spans per trace ID in a file exporter's JSON-lines output (OTLP JSON, hex IDs). */
export function spansByTrace(path: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(path)) return counts;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const request = JSON.parse(line) as {
      resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ traceId: string }> }> }>;
    };
    for (const resource of request.resourceSpans ?? []) {
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) counts.set(span.traceId, (counts.get(span.traceId) ?? 0) + 1);
      }
    }
  }
  return counts;
}
