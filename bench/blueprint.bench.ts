// Blueprint throughput at saturation with plumbline on (createTelemetry over the blueprint
// spec) against off (no-op telemetry), same run, same dependencies: closed-loop clients keep
// the service busy and accepted requests per second are compared. Target: on >= 0.95x off (the
// issue 24 goal). On and off alternate within each of 5 rounds; the row is the median of the per-round
// ratios with their spread, since single rounds on a shared machine swing by tens of percent.
// A third side, "sdk", is the floor under "on": the OTel SDK's own spans (BasicTracerProvider,
// W3C propagation, every span recorded and ended, handed to no processor) and nothing of
// plumbline's: no tail sampler, export, logs, metrics or SLOs. "on" makes the same spans, so
// while they are the SDK's it cannot cost less than "sdk".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startDependency } from '../examples/blueprint/dependency-server.js';
import {
  createNoopTelemetry,
  openTelemetry,
  type TelemetryPort,
} from '../examples/blueprint/telemetry-port.js';
import { median, saturate, startBenchBlueprint } from './blueprint-harness.js';
import type { BenchRow } from './harness.js';

const CLIENTS = 64;
const ROUND_MS = 2_000;
const ROUNDS = 11;

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'blueprint-bench-'));
  const deps = await Promise.all(
    ['geo', 'profile'].map((name) => startDependency(name, { faults: { latencyMs: 0, jitterMs: 0 } })),
  );
  const throughput = { off: [] as number[], sdk: [] as number[], on: [] as number[] };
  try {
    // Round -1 warms the JIT and the sockets and is not counted (the first round ran ~2x slower).
    for (let round = -1; round < ROUNDS; round++) {
      for (const mode of ['off', 'sdk', 'on'] as const) {
        const telemetry =
          mode === 'off'
            ? createNoopTelemetry()
            : mode === 'sdk'
              ? createSdkSpansOnlyTelemetry()
              : await openTelemetry({ logDestination: join(dir, `log-${round}.ndjson`) });
        const perSecond = await saturateWith(
          telemetry,
          deps.map((d) => d.url),
          join(dir, `${mode}-${round}.db`),
        );
        if (round >= 0) throughput[mode].push(perSecond);
        if (process.env.BENCH_VERBOSE)
          process.stderr.write(`${mode} round ${round}: ${perSecond.toFixed(0)} req/s\n`);
        await telemetry.shutdown();
      }
    }
  } finally {
    await Promise.all(deps.map((d) => d.close()));
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    throughputRow(
      'blueprint accepted requests at saturation, plumbline on',
      throughput.on,
      throughput.off,
      '>= 0.95',
    ),
    throughputRow(
      'blueprint accepted requests at saturation, OTel SDK spans only (no plumbline): the floor under "on"',
      throughput.sdk,
      throughput.off,
      'informational (no target): "on" cannot beat it',
    ),
    // plumbline's own cost: on against the same SDK spans with nothing of plumbline's.
    throughputRow(
      'blueprint accepted requests at saturation, plumbline on vs OTel SDK spans only',
      throughput.on,
      throughput.sdk,
      'informational (no target): what plumbline adds over the SDK',
      'OTel SDK spans only (same spans, no processor)',
    ),
  ];
}

/** A throughput row: the median of the rounds' side / baseline (`off`) requests per second, with its spread. */
function throughputRow(
  name: string,
  side: number[],
  off: number[],
  target: string,
  baseline = 'plumbline off (no-op telemetry)',
): BenchRow {
  const ratios = side.map((perSecond, i) => perSecond / off[i]!);
  const round3 = (value: number) => Math.round(value * 1000) / 1000;
  return {
    name,
    ns_per_op: Math.round(1e9 / median(side)),
    baseline,
    baseline_ns_per_op: Math.round(1e9 / median(off)),
    ratio: round3(median(ratios)),
    spread: [round3(Math.min(...ratios)), round3(Math.max(...ratios))],
    rounds: ROUNDS,
    target,
  };
}

/** The floor side's only processor: counts ended spans (so the run proves spans were made), nothing else. */
class CountingProcessor implements SpanProcessor {
  ended = 0;
  onStart(): void {}
  onEnd(): void {
    this.ended++;
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The "sdk" side: no-op logs and metrics, and a tracer as a NodeSDK app has it (every span
 * recorded, W3C propagation, the async-hooks context manager), whose spans go to no sampler,
 * batch or exporter: the span work any tail-sampling setup pays before it can decide. Registers
 * the propagator and context manager globally, as createTelemetry does.
 */
function createSdkSpansOnlyTelemetry(): TelemetryPort {
  const counting = new CountingProcessor();
  const provider = new BasicTracerProvider({ spanProcessors: [counting] });
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const noop = createNoopTelemetry();
  return {
    ...noop,
    tracer: provider.getTracer('blueprint'),
    shutdown: async () => {
      await provider.shutdown();
      if (counting.ended === 0) throw new Error('bench setup: the SDK side ended no span');
      propagation.disable();
      context.disable();
    },
  };
}

/** Accepted requests per second at saturation, for one telemetry. */
async function saturateWith(telemetry: TelemetryPort, depUrls: string[], dbPath: string): Promise<number> {
  const service = await startBenchBlueprint(telemetry, depUrls, dbPath);
  const perSecond = await saturate(service, CLIENTS, ROUND_MS);
  await service.drain();
  return perSecond;
}
