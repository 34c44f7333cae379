// Monitoring fails, the service does not: the blueprint under 200 req/s for 2.5 s (about 500
// requests) with its OTLP endpoint down (nothing listens), refusing (HTTP 503 to everything) or
// black-holed (accepts TCP, never answers), and with its event log going to a pipe nobody reads.
// Every request is still answered as when telemetry is healthy (no 5xx, nothing lost), the export
// queues stay within their bounds, and what telemetry lost is counted on /metrics. (Throughput
// and p99 against a healthy run are bench rows: bench/telemetry-failure.bench.ts.)
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../examples/blueprint/config.js';
import type { DependencyServer } from '../../examples/blueprint/dependency-server.js';
import { countStoredEvents } from '../../examples/blueprint/event-store.js';
import { LoadGenerator } from '../../examples/blueprint/loadgen.js';
import { parseExposition, type Sample } from '../../examples/blueprint/scrape.js';
import { startBlueprint } from '../../examples/blueprint/service.js';
import { openTelemetry, type TelemetryOptions } from '../../examples/blueprint/telemetry-port.js';
import { checkoutBlueprintToml, startDependencies } from '../support/blueprint.js';
import { startBlackHole } from '../support/black-hole.js';
import { freePort } from '../support/process.js';

const TOKEN = 'checkout-token-0123456789';
const RATE = 200;
const LOAD_MS = 2_500;
/** Tight bounds so every failure shows within the test: queues of 16, 500 ms timeouts. */
const QUEUE = 16;
const BOUNDS: TelemetryOptions = {
  exportTimeoutMs: 500,
  metricExportIntervalMs: 500,
  maxQueuedSpans: QUEUE,
  maxQueuedLogRecords: QUEUE,
  logMaxBufferedBytes: 64 * 1024,
};

let dir: string;
let deps: DependencyServer[] = [];
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'telemetry-failure-'));
  deps = await startDependencies({ latencyMs: 2, jitterMs: 2 });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await Promise.all(deps.map((d) => d.close()));
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  readonly byStatus: Record<number, number>;
  readonly sent: number;
  readonly lost: number;
  /** plumbline_telemetry_dropped_total by "signal/reason". */
  readonly dropped: Record<string, number>;
  readonly queueSize: Record<string, number>;
  readonly queueCapacity: Record<string, number>;
}

/**
 * Runs the blueprint under load with these telemetry options, then reads /metrics until
 * `counted` holds for the drops (exports fail on their own schedule) or 6 s have passed.
 */
async function runBlueprint(
  name: string,
  options: TelemetryOptions,
  counted: (dropped: Record<string, number>) => boolean,
): Promise<Outcome> {
  const dbPath = join(dir, `${name}.db`);
  const telemetry = await openTelemetry({ ...BOUNDS, ...options });
  const service = await startBlueprint(parseConfig(checkoutBlueprintToml(dbPath, deps)), telemetry, {
    env: { CHECKOUT_TOKEN: TOKEN },
  });
  const load = new LoadGenerator({
    url: service.url,
    tenants: [{ name: 'checkout', weight: 1, token: TOKEN }],
    ratePerSecond: RATE,
    eventsPerRequest: [1, 5],
  });
  load.start();
  await new Promise((r) => setTimeout(r, LOAD_MS));
  await load.stop();
  let samples: Sample[] = [];
  const by = (metric: string, key: (labels: Readonly<Record<string, string>>) => string) => {
    const out: Record<string, number> = {};
    for (const s of samples) if (s.name === metric) out[key(s.labels)] = (out[key(s.labels)] ?? 0) + s.value;
    return out;
  };
  const dropped = () => by('plumbline_telemetry_dropped_total', (l) => `${l.signal}/${l.reason}`);
  const deadline = Date.now() + 6_000;
  do {
    samples = parseExposition(await (await fetch(`${service.adminUrl}/metrics`)).text());
    if (counted(dropped())) break;
    await new Promise((r) => setTimeout(r, 200));
  } while (Date.now() < deadline);
  await service.drain();
  await telemetry.shutdown();
  return {
    byStatus: load.stats.byStatus,
    sent: load.stats.sent,
    lost: load.stats.acceptedEvents - countStoredEvents(dbPath),
    dropped: dropped(),
    queueSize: by('plumbline_telemetry_queue_size', (l) => l.signal!),
    queueCapacity: by('plumbline_telemetry_queue_capacity', (l) => l.signal!),
  };
}

function spansLost(dropped: Record<string, number>): number {
  return (dropped['span/export_failed'] ?? 0) + (dropped['span/queue_full'] ?? 0);
}

function metricBatchesLost(dropped: Record<string, number>): number {
  return (
    (dropped['metric_batch/timeout'] ?? 0) +
    (dropped['metric_batch/export_failed'] ?? 0) +
    (dropped['metric_batch/busy'] ?? 0)
  );
}

function expectServed(outcome: Outcome): void {
  const status = JSON.stringify(outcome.byStatus);
  // Open-loop at 200 req/s for 2.5 s; a shared CI core may let the generator fall a little behind.
  expect(outcome.sent).toBeGreaterThan(300);
  expect(outcome.byStatus[202] ?? 0, status).toBe(outcome.sent);
  expect(outcome.lost).toBe(0);
}

function expectBoundedQueues(outcome: Outcome): void {
  expect(outcome.queueCapacity).toEqual({ span: QUEUE, log_record: QUEUE });
  expect(outcome.queueSize.span ?? 0).toBeLessThanOrEqual(QUEUE);
  expect(outcome.queueSize.log_record ?? 0).toBeLessThanOrEqual(QUEUE);
}

describe('the blueprint when its telemetry pipeline fails', () => {
  it('OTLP endpoint down (connection refused): every request served, failed exports counted', async () => {
    const outcome = await runBlueprint(
      'down',
      { otlpEndpoint: `http://127.0.0.1:${await freePort()}` },
      (d) => d['span/export_failed']! > 0 && d['log_record/export_failed']! > 0 && metricBatchesLost(d) > 0,
    );
    expectServed(outcome);
    expectBoundedQueues(outcome);
    expect(outcome.dropped['span/export_failed'] ?? 0, JSON.stringify(outcome.dropped)).toBeGreaterThan(0);
    expect(outcome.dropped['log_record/export_failed'] ?? 0, JSON.stringify(outcome.dropped)).toBeGreaterThan(
      0,
    );
    expect(metricBatchesLost(outcome.dropped), JSON.stringify(outcome.dropped)).toBeGreaterThan(0);
  });

  it('OTLP endpoint refusing (HTTP 503 to everything): every request served, failed exports counted', async () => {
    let received = 0;
    const refusing: HttpServer = createHttpServer((req, res) => {
      received++;
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('no');
    });
    const port = await freePort();
    await new Promise<void>((r) => refusing.listen(port, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => refusing.close(r)));
    const outcome = await runBlueprint(
      'refusing',
      { otlpEndpoint: `http://127.0.0.1:${port}` },
      (d) => d['span/export_failed']! > 0 && metricBatchesLost(d) > 0,
    );
    expectServed(outcome);
    expectBoundedQueues(outcome);
    expect(received).toBeGreaterThan(0);
    expect(outcome.dropped['span/export_failed'] ?? 0, JSON.stringify(outcome.dropped)).toBeGreaterThan(0);
    expect(metricBatchesLost(outcome.dropped), JSON.stringify(outcome.dropped)).toBeGreaterThan(0);
  });

  it('OTLP endpoint black-holed (accepts TCP, never answers): every request served, timeouts and full queues counted', async () => {
    const blackHole = await startBlackHole(cleanups);
    const outcome = await runBlueprint(
      'black-hole',
      { otlpEndpoint: blackHole.url },
      (d) => spansLost(d) > 0 && metricBatchesLost(d) > 0,
    );
    expectServed(outcome);
    expectBoundedQueues(outcome);
    expect(blackHole.connections()).toBeGreaterThan(0);
    expect(spansLost(outcome.dropped), JSON.stringify(outcome.dropped)).toBeGreaterThan(0);
    expect(metricBatchesLost(outcome.dropped), JSON.stringify(outcome.dropped)).toBeGreaterThan(0);
  });

  it('event log to a full pipe nobody reads: every request served, dropped lines counted, shutdown bounded', async () => {
    const fifo = join(dir, 'blocked.fifo');
    execFileSync('mkfifo', [fifo]);
    // A reader that never reads: the writer can open the pipe, then fills its 64 KiB and blocks.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    // Fill the pipe first, so the service's very first line finds it full.
    const filler = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    const chunk = Buffer.alloc(4096, 0x20);
    for (;;) {
      try {
        writeSync(filler, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw error;
      }
    }
    // Closing the reader at the end turns the stuck write into EPIPE and frees the libuv thread.
    cleanups.push(() => {
      closeSync(reader);
      closeSync(filler);
    });
    const outcome = await runBlueprint(
      'blocked-log',
      { logDestination: fifo, logMaxBufferedBytes: 4096 },
      (d) => d['log_line/destination_full']! > 0,
    );
    expectServed(outcome);
    // The service logs a line per stored batch: ~60 lines in 2.5 s; past 4 KiB buffered they drop.
    expect(
      outcome.dropped['log_line/destination_full'] ?? 0,
      JSON.stringify(outcome.dropped),
    ).toBeGreaterThan(10);
  });
});
