// Shared bench harness: ns per operation after warm-up, and the row shape bench/results.json holds.

export interface BenchRow {
  readonly name: string;
  readonly ns_per_op: number;
  readonly baseline: string;
  readonly baseline_ns_per_op: number;
  /** ns_per_op / baseline_ns_per_op (for throughput rows: the throughput ratio). */
  readonly ratio: number;
  /** The target for the ratio, e.g. "<= 1.25". */
  readonly target: string;
}

export interface MeasureOptions {
  /** Operations per timed round (default 10,000). */
  readonly iterations?: number;
  /** Keep timing rounds until this much time has passed (default 300 ms). */
  readonly minTimeMs?: number;
}

/** Runs `fn` in rounds after a warm-up and returns the median ns per call over the rounds. */
export async function measure(fn: (i: number) => unknown, options: MeasureOptions = {}): Promise<number> {
  const iterations = options.iterations ?? 10_000;
  const minTimeNs = BigInt(Math.round((options.minTimeMs ?? 300) * 1e6));
  for (let i = 0; i < iterations; i++) fn(i);
  const perRound: number[] = [];
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() - start < minTimeNs || perRound.length < 5) {
    const roundStart = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn(i);
    perRound.push(Number(process.hrtime.bigint() - roundStart) / iterations);
    await Promise.resolve();
  }
  perRound.sort((a, b) => a - b);
  return perRound[Math.floor(perRound.length / 2)] ?? 0;
}

export function row(
  name: string,
  nsPerOp: number,
  baseline: string,
  baselineNsPerOp: number,
  target: string,
): BenchRow {
  return {
    name,
    ns_per_op: round(nsPerOp),
    baseline,
    baseline_ns_per_op: round(baselineNsPerOp),
    ratio: round(nsPerOp / baselineNsPerOp, 3),
    target,
  };
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
