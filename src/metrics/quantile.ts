// Quantiles from classic histogram buckets, computed exactly the way Prometheus's
// `histogram_quantile` does (promql/quantile.go, bucketQuantile), so the demo summary and the
// in-process SLO calculator print the number a dashboard would show.

/**
 * The q-quantile of a classic histogram, given its buckets' upper bounds (the `le` values, +Inf
 * included) and their cumulative counts.
 *
 * Same rules as Prometheus: q is NaN -> NaN; q < 0 -> -Inf; q > 1 -> +Inf; buckets are sorted by
 * upper bound and buckets with equal bounds merged; the highest bound must be +Inf (else NaN);
 * fewer than 2 buckets or 0 observations -> NaN; counts made monotonic (the "envelope") after
 * float-precision noise (relative 1e-12) is smoothed; a quantile in the +Inf bucket returns the
 * second-highest bound; in the lowest bucket it interpolates from 0 when that bucket's bound is
 * > 0, and returns the bound itself when it is <= 0; otherwise linear interpolation inside the
 * bucket.
 */
export function histogramQuantile(
  q: number,
  upperBounds: readonly number[],
  cumulativeCounts: readonly number[],
): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (upperBounds.length === 0 || upperBounds.length !== cumulativeCounts.length) return NaN;

  let buckets = upperBounds.map((upperBound, i) => ({ upperBound, count: cumulativeCounts[i]! }));
  buckets.sort((a, b) => (a.upperBound < b.upperBound ? -1 : a.upperBound > b.upperBound ? 1 : 0));
  if (buckets[buckets.length - 1]!.upperBound !== Infinity) return NaN;

  buckets = coalesceBuckets(buckets);
  correctPrecisionErrors(buckets, 1e-12);
  ensureMonotonic(buckets);

  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1]!.count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // Go's sort.Search over all but the +Inf bucket: the first bucket whose count reaches the rank.
  let b = 0;
  let end = buckets.length - 1;
  while (b < end) {
    const middle = (b + end) >>> 1;
    if (!(buckets[middle]!.count >= rank)) b = middle + 1;
    else end = middle;
  }

  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upperBound;
  if (b === 0 && buckets[0]!.upperBound <= 0) return buckets[0]!.upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    bucketStart = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

interface Bucket {
  upperBound: number;
  count: number;
}

function coalesceBuckets(buckets: Bucket[]): Bucket[] {
  const merged: Bucket[] = [{ ...buckets[0]! }];
  for (let i = 1; i < buckets.length; i++) {
    const last = merged[merged.length - 1]!;
    if (buckets[i]!.upperBound === last.upperBound) last.count += buckets[i]!.count;
    else merged.push({ ...buckets[i]! });
  }
  return merged;
}

// Added to Prometheus after 2.42; it only changes results when neighbouring counts differ by a
// relative 1e-12 or less, which integer bucket counts never do.
function correctPrecisionErrors(buckets: Bucket[], tolerance: number): void {
  let previous = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    const current = buckets[i]!.count;
    const delta = Math.abs(current - previous);
    if (delta === 0) continue;
    if (delta / current <= tolerance) buckets[i]!.count = previous;
    else previous = current;
  }
}

function ensureMonotonic(buckets: Bucket[]): void {
  let max = buckets[0]!.count;
  for (let i = 1; i < buckets.length; i++) {
    if (buckets[i]!.count > max) max = buckets[i]!.count;
    else if (buckets[i]!.count < max) buckets[i]!.count = max;
  }
}
