// histogramQuantile against the rules of Prometheus's bucketQuantile (promql/quantile.go) and
// the cases of its test suite (promql/testdata/histograms.test).
import { describe, expect, it } from 'vitest';
import { histogramQuantile } from '../../src/metrics/quantile.js';

const INF = Infinity;

describe('histogramQuantile', () => {
  // Prometheus testdata: testhistogram_bucket{le="0.1"} 50, {le="0.2"} 70, {le="+Inf"} 100 ("positive").
  const bounds = [0.1, 0.2, INF];
  const counts = [50, 70, 100];

  it('interpolates linearly inside the bucket, from 0 in the lowest bucket', () => {
    expect(histogramQuantile(0, bounds, counts)).toBe(0);
    expect(histogramQuantile(0.2, bounds, counts)).toBeCloseTo(0.04, 15);
    expect(histogramQuantile(0.5, bounds, counts)).toBe(0.1);
    expect(histogramQuantile(0.6, bounds, counts)).toBeCloseTo(0.15, 15);
  });

  it('returns the second-highest bound for a quantile in the +Inf bucket', () => {
    expect(histogramQuantile(0.8, bounds, counts)).toBe(0.2);
    expect(histogramQuantile(1, bounds, counts)).toBe(0.2);
  });

  it('returns the lowest bound itself when it is <= 0 and the quantile falls in it', () => {
    expect(histogramQuantile(0.3, [-0.2, 0.1, INF], [50, 70, 100])).toBe(-0.2);
    expect(histogramQuantile(0.3, [0, 0.1, INF], [50, 70, 100])).toBe(0);
  });

  it('follows Prometheus for out-of-range and NaN q', () => {
    expect(histogramQuantile(-1, bounds, counts)).toBe(-INF);
    expect(histogramQuantile(1.01, bounds, counts)).toBe(INF);
    expect(histogramQuantile(NaN, bounds, counts)).toBeNaN();
  });

  it('is NaN without a +Inf bucket, with fewer than two buckets, or with no observations', () => {
    expect(histogramQuantile(0.5, [0.1, 0.2], [5, 10])).toBeNaN();
    expect(histogramQuantile(0.5, [INF], [10])).toBeNaN();
    expect(histogramQuantile(0.5, bounds, [0, 0, 0])).toBeNaN();
    expect(histogramQuantile(0.5, [], [])).toBeNaN();
    expect(histogramQuantile(0.5, [0.1, INF], [1])).toBeNaN();
  });

  it('sorts buckets, merges equal bounds and makes counts monotonic', () => {
    expect(histogramQuantile(0.6, [INF, 0.2, 0.1], [100, 70, 50])).toBeCloseTo(0.15, 15);
    // Two series with the same bounds merged, as `sum by (le)` would.
    expect(histogramQuantile(0.6, [0.1, 0.1, 0.2, 0.2, INF, INF], [25, 25, 35, 35, 50, 50])).toBeCloseTo(
      0.15,
      15,
    );
    // Non-monotonic input: 0.2's count of 40 is lifted to 50 (the envelope).
    expect(histogramQuantile(0.5, [0.1, 0.2, INF], [50, 40, 100])).toBe(0.1);
    expect(histogramQuantile(0.75, [0.1, 0.2, INF], [50, 40, 100])).toBe(0.2);
  });

  it('handles a quantile landing exactly on a bucket boundary count', () => {
    // rank 25 of 100 with counts 0/25/100: the first bucket with count >= 25 is le=2.
    expect(histogramQuantile(0.25, [1, 2, 4, INF], [0, 25, 100, 100])).toBe(2);
    expect(histogramQuantile(0.625, [1, 2, 4, INF], [0, 25, 100, 100])).toBe(3);
  });
});
