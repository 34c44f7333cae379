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
  /** Interleaved rows: the lowest and highest per-round ratio around the median `ratio`. */
  readonly spread?: readonly [number, number];
  /** Interleaved rows: rounds the median is taken over. */
  readonly rounds?: number;
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

export interface Comparison {
  /** Per contender, ns per call in each round. */
  readonly samples: readonly (readonly number[])[];
}

/**
 * Measures contenders interleaved over `rounds` rounds (at least 5): each round times every
 * contender once, so load from other processes on a shared machine falls on all of them alike.
 */
export async function compare(
  contenders: readonly ((i: number) => unknown)[],
  options: MeasureOptions & { readonly rounds?: number } = {},
): Promise<Comparison> {
  const rounds = Math.max(5, options.rounds ?? 7);
  const perRound = { iterations: options.iterations, minTimeMs: (options.minTimeMs ?? 300) / 3 };
  const samples = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c < contenders.length; c++) samples[c]!.push(await measure(contenders[c]!, perRound));
  }
  return { samples };
}

/**
 * A row from an interleaved comparison, contender `index` against contender `baselineIndex`: the
 * ratio is taken per round, and the row carries the median ratio and its spread (min-max).
 */
export function comparedRow(
  name: string,
  comparison: Comparison,
  index: number,
  baselineIndex: number,
  baseline: string,
  target: string,
): BenchRow {
  const ns = comparison.samples[index]!;
  const baseNs = comparison.samples[baselineIndex]!;
  const ratios = ns.map((v, r) => v / baseNs[r]!);
  return {
    ...row(name, median(ns), baseline, median(baseNs), target),
    ratio: round(median(ratios), 3),
    spread: [round(Math.min(...ratios), 3), round(Math.max(...ratios), 3)],
    rounds: ratios.length,
  };
}

function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
}
