// SLO engine hot path: record() cost per event against prom-client's Counter.inc(), and the
// engine's heap per SLO after 1k and after 1M events (must not grow: fixed rings per window).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Counter, Registry } from 'prom-client';
import { createSloEngine } from '../src/slo/engine.js';
import type { TelemetrySpec } from '../src/spec/types.js';
import { compare, comparedRow, row, type BenchRow } from './harness.js';

const spec: TelemetrySpec = {
  service: { name: 'bench' },
  events: {},
  counters: { requests: { description: 'Requests.', attributes: ['outcome'] } },
  slos: {
    availability: {
      description: 'Requests succeed',
      sli: { kind: 'availability', metric: 'requests', bad: { outcome: ['error'] } },
      objective: 99.9,
    },
  },
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  // Typed-array backing stores live outside the JS heap.
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Heap per engine (one SLO each) after `events` events, averaged over `engines` engines. */
function bytesPerEngine(engines: number, events: number, perMs: number): number {
  let clock = 0;
  const before = heapUsed();
  const held = [];
  for (let e = 0; e < engines; e++) {
    const engine = createSloEngine(spec, { now: () => clock });
    for (let i = 0; i < events; i++) {
      clock = i / perMs;
      engine.record('availability', i % 100 !== 0);
    }
    held.push(engine);
  }
  const bytes = (heapUsed() - before) / engines;
  held.length = 0;
  return bytes;
}

export async function run(): Promise<BenchRow[]> {
  let now = Date.now();
  const engine = createSloEngine(spec, { now: () => now });
  const registry = new Registry();
  const counter = new Counter({
    name: 'requests_total',
    help: 'h',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const listener = engine.listeners.counters!['requests']![0]!;
  const ok = { outcome: 'ok' };
  // Interleaved rounds: prom-client's counter (the baseline), the engine, the counter listener.
  const per = await compare([
    (i) => counter.inc({ outcome: (i & 1023) !== 0 ? 'ok' : 'error' }),
    (i) => {
      now += 1; // 1000 events a simulated second
      engine.record('availability', (i & 1023) !== 0);
    },
    () => {
      now += 1;
      listener(1, ok);
    },
  ]);

  // Heap per SLO: what an engine with one SLO retains after 1k events (1k a simulated second)
  // and after 1M events (1M a simulated second), averaged over many engines to rise above GC noise.
  // GC timing makes single readings noisy (even negative): the median of five rounds each.
  bytesPerEngine(4, 1_000_000, 1_000); // warm-up: compiled code is not engine state
  const rounds1k: number[] = [];
  const rounds1M: number[] = [];
  for (let round = 0; round < 5; round++) {
    rounds1k.push(bytesPerEngine(64, 1_000, 1));
    rounds1M.push(bytesPerEngine(8, 1_000_000, 1_000));
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const after1k = median(rounds1k);
  const after1M = median(rounds1M);
  return [
    comparedRow('slo engine record() per event', per, 1, 0, 'prom-client Counter.inc({outcome})', '<= 0.3'),
    comparedRow(
      'slo engine counter listener per record',
      per,
      2,
      0,
      'prom-client Counter.inc({outcome})',
      '<= 0.3',
    ),
    // Bytes, not ns: heap per SLO after 1M events against after 1k events.
    row(
      'slo engine heap bytes per SLO after 1M events',
      Math.max(after1M, 1),
      'heap bytes after 1k events',
      Math.max(after1k, 1),
      '<= 1.1 (constant)',
    ),
  ];
}
