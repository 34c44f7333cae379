// Which bucket a value falls in: found once per record and shared by the bucket count and the
// exemplar slot, so the two can never disagree and the search is not paid twice.

/**
 * The index of the first upper boundary >= value (Prometheus buckets are `le`, inclusive), or
 * `boundaries.length` for the implicit +Inf bucket. Binary search: prom-client scans linearly,
 * twice per observe; client_golang switches to binary search from 35 bounds. A spec plan
 * derived from SLOs easily has 15-25 bounds, where both are within a few ns (bench/metrics.bench.ts);
 * binary search keeps the cost flat when plans grow.
 */
export function findBucket(boundaries: Float64Array, value: number): number {
  // Lower bound over a shrinking count rather than a [low, high) pair: one fewer value live in
  // the loop, which measured about 2 ns less per search (bench/README.md#bound-record).
  let low = 0;
  let count = boundaries.length;
  while (count > 0) {
    const half = count >>> 1;
    const probe = low + half;
    if (boundaries[probe]! < value) {
      low = probe + 1;
      count -= half + 1;
    } else count = half;
  }
  return low;
}
