// The blueprint with plumbline on when its telemetry pipeline is broken, against the same
// service with telemetry healthy (a local OTLP receiver answering 200, a log file), same run:
// OTLP endpoint down, black-holed (accepts TCP, never answers), /metrics read very slowly by 4
// clients, and the event log going to a full pipe nobody reads. Per mode: accepted requests per
// second at saturation (64 closed-loop clients) and the p99 of accepted requests at a fixed
// 300 req/s. Targets: throughput >= 0.9x healthy, p99 <= 1.25x healthy.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDependency } from '../examples/blueprint/dependency-server.js';
import { sampleQuantile } from '../examples/blueprint/loadgen.js';
import { openTelemetry, type TelemetryOptions } from '../examples/blueprint/telemetry-port.js';
import type { BenchRow } from './harness.js';
import { benchLoad, median, saturate, startBenchBlueprint } from './blueprint-harness.js';

const CLIENTS = 64;
const SATURATE_MS = 1_500;
const FIXED_RATE = 300;
const FIXED_MS = 1_500;
// Odd, so the median is a measured round (with two it was the larger one).
const ROUNDS = 3;
const MODES = [
  'healthy',
  'otlp down',
  'otlp black-holed',
  'slow /metrics readers',
  'log pipe blocked',
] as const;
type Mode = (typeof MODES)[number];

/** The same explicit bounds in every mode, so only the failure differs. */
const BOUNDS: TelemetryOptions = { exportTimeoutMs: 1_000, metricExportIntervalMs: 1_000 };

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'telemetry-failure-bench-'));
  const deps = await Promise.all(
    ['geo', 'profile'].map((name) => startDependency(name, { faults: { latencyMs: 1, jitterMs: 1 } })),
  );
  const cleanups: (() => unknown)[] = [];
  const results = new Map<Mode, { throughput: number[]; p99: number[] }>(
    MODES.map((m) => [m, { throughput: [], p99: [] }]),
  );
  try {
    const receiver = await healthyReceiver();
    cleanups.push(() => new Promise((r) => receiver.server.close(r)));
    const blackHole = await blackHoleEndpoint();
    cleanups.push(blackHole.close);
    const downPort = await freeTcpPort();
    const fifo = blockedPipe(dir);
    cleanups.push(fifo.close);

    for (let round = -1; round < ROUNDS; round++) {
      for (const mode of MODES) {
        const endpoints: Partial<Record<Mode, string>> = {
          'otlp down': `http://127.0.0.1:${downPort}`,
          'otlp black-holed': blackHole.url,
        };
        const options: TelemetryOptions = {
          ...BOUNDS,
          logDestination:
            mode === 'log pipe blocked'
              ? fifo.path
              : join(dir, `log-${round}-${mode.replace(/\W+/g, '-')}.ndjson`),
          otlpEndpoint: endpoints[mode] ?? receiver.url,
        };
        const measured = await measureMode(
          mode,
          options,
          deps.map((d) => d.url),
          join(dir, `${round}.db`),
        );
        if (round >= 0) {
          results.get(mode)!.throughput.push(measured.throughput);
          results.get(mode)!.p99.push(measured.p99);
        }
        if (process.env.BENCH_VERBOSE)
          process.stderr.write(
            `${mode} round ${round}: ${measured.throughput.toFixed(0)} req/s, p99 ${(measured.p99 * 1e3).toFixed(1)} ms\n`,
          );
      }
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await Promise.all(deps.map((d) => d.close()));
    rmSync(dir, { recursive: true, force: true });
  }
  const healthy = results.get('healthy')!;
  const healthyThroughput = median(healthy.throughput);
  const healthyP99 = median(healthy.p99);
  const rows: BenchRow[] = [];
  for (const mode of MODES.slice(1)) {
    const { throughput, p99 } = results.get(mode)!;
    rows.push({
      name: `blueprint accepted requests at saturation, telemetry broken: ${mode}`,
      ns_per_op: Math.round(1e9 / median(throughput)),
      baseline: 'telemetry healthy',
      baseline_ns_per_op: Math.round(1e9 / healthyThroughput),
      ratio: Math.round((median(throughput) / healthyThroughput) * 1000) / 1000,
      target: '>= 0.9',
    });
    rows.push({
      name: `blueprint accepted p99 at ${FIXED_RATE} req/s, telemetry broken: ${mode}`,
      ns_per_op: Math.round(median(p99) * 1e9),
      baseline: 'telemetry healthy',
      baseline_ns_per_op: Math.round(healthyP99 * 1e9),
      ratio: Math.round((median(p99) / healthyP99) * 1000) / 1000,
      target: '<= 1.25',
    });
  }
  return rows;
}

async function measureMode(
  mode: Mode,
  options: TelemetryOptions,
  depUrls: string[],
  dbPath: string,
): Promise<{ throughput: number; p99: number }> {
  rmSync(dbPath, { force: true });
  const telemetry = await openTelemetry(options);
  const service = await startBenchBlueprint(telemetry, depUrls, dbPath);
  const stopReaders = mode === 'slow /metrics readers' ? slowScrapers(service.adminPort, 4) : () => {};
  const throughput = await saturate(service, CLIENTS, SATURATE_MS);

  const open = benchLoad(service, {
    ratePerSecond: FIXED_RATE,
    eventsPerRequest: [1, 5],
  });
  open.start();
  await new Promise((r) => setTimeout(r, FIXED_MS));
  await open.stop();
  const p99 = sampleQuantile(open.stats.acceptedLatencies, 0.99);
  stopReaders();
  await service.drain();
  await telemetry.shutdown();
  return { throughput, p99 };
}

/** A stand-in collector: answers every OTLP/HTTP export 200 {}. */
async function healthyReceiver(): Promise<{ server: Server; url: string }> {
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}` };
}

async function blackHoleEndpoint(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createTcpServer((socket) => {
    sockets.push(socket);
    socket.resume();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function freeTcpPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** A FIFO whose reader never reads, filled up front: every write to it blocks. */
function blockedPipe(dir: string): { path: string; close: () => void } {
  const path = join(dir, 'blocked.fifo');
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const filler = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const chunk = Buffer.alloc(4096, 0x20);
  for (;;) {
    try {
      writeSync(filler, chunk);
    } catch {
      break; // EAGAIN: full
    }
  }
  return {
    path,
    close: () => {
      closeSync(reader);
      closeSync(filler);
    },
  };
}

/** `count` clients scraping /metrics over and over, taking one chunk off the socket every 100 ms. */
function slowScrapers(port: number, count: number): () => void {
  let stopped = false;
  const sockets = new Set<Socket>();
  const start = () => {
    if (stopped) return;
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n'));
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('data', () => {
      socket.pause();
      setTimeout(() => socket.resume(), 100).unref();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      setTimeout(start, 10).unref();
    });
  };
  for (let i = 0; i < count; i++) start();
  return () => {
    stopped = true;
    for (const socket of sockets) socket.destroy();
  };
}
