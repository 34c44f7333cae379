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
  let low = 0;
  let high = boundaries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (boundaries[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
