// Regression (review): two spec instruments could end up with the same Prometheus name. A
// histogram 'req.time' in 's' and a histogram 'req_time_seconds' both became
// `req_time_seconds`: two "# TYPE req_time_seconds histogram" blocks on /metrics (promtool:
// "second HELP line for metric name"), whose series Prometheus cannot tell apart. Now setup fails
// with a SpecError that names both instruments, comparing the names /metrics writes (unit word,
// `_total`, a histogram's `_bucket`/`_sum`/`_count`, OpenMetrics `_created`) across counters, gauges
// and histograms, and against plumbline's own metrics. Real parts: the spec validator,
// createMetrics, and promtool on the exposition of names that stay allowed.
import { describe, expect, it } from 'vitest';
import { createMetrics, SpecError, specIssues } from '../../src/index.js';
import { promtoolCheckMetrics } from '../support/promtool-check-metrics.js';

const base = { service: { name: 'shop' }, events: {} };
const histogram = (unit: string) => ({ description: 'd', unit, buckets: { boundaries: [1] } });

function issuesOf(spec: object): string[] {
  return specIssues({ ...base, ...spec }).map((issue) => `${issue.path}: ${issue.message}`);
}

describe('instruments-share-a-prometheus-metric-name', () => {
  it('refuses two histograms that both become req_time_seconds, naming both', () => {
    const spec = { histograms: { 'req.time': histogram('s'), req_time_seconds: histogram('s') } };
    expect(() => createMetrics({ ...base, ...spec } as never)).toThrow(SpecError);
    expect(issuesOf(spec)).toEqual([
      expect.stringMatching(/^histograms\.req_time_seconds: .*"req_time_seconds".*histograms\["req\.time"\]/),
    ]);
  });

  it('compares the names across counters, gauges and histograms, _total and suffixes included', () => {
    const spec = {
      counters: {
        jobs: { description: 'd' },
        jobs_total: { description: 'd' }, // also jobs_total
        'queue.wait': { description: 'd', unit: 's' }, // queue_wait_seconds_total
      },
      gauges: {
        'latency.count': { description: 'd' }, // latency_count: a sample of histogram latency
        queue_wait_seconds: { description: 'd' }, // the counter's OpenMetrics family name
      },
      histograms: { latency: histogram('1') },
    };
    expect(issuesOf(spec)).toEqual([
      expect.stringMatching(/^counters\.jobs_total: .*"jobs_total".*counters\.jobs\b/),
      expect.stringMatching(/^gauges\.queue_wait_seconds: .*"queue_wait_seconds".*counters\["queue\.wait"\]/),
      expect.stringMatching(/^histograms\.latency: .*"latency_count".*gauges\["latency\.count"\]/),
    ]);
  });

  it("refuses an instrument named like one of plumbline's own metrics", () => {
    expect(issuesOf({ counters: { 'plumbline.metrics.dropped': { description: 'd' } } })).toEqual([
      expect.stringMatching(
        /^counters\["plumbline\.metrics\.dropped"\]: .*"plumbline_metrics_dropped_total".*plumbline's own/,
      ),
    ]);
  });

  it('keeps allowing distinct names; their exposition passes promtool', async () => {
    const spec = {
      ...base,
      counters: { jobs: { description: 'd' }, 'jobs.failed': { description: 'd' } },
      gauges: { 'req.time': { description: 'd' } },
      histograms: { 'req.time': histogram('s'), 'req.size': histogram('By') },
    };
    // 'req.time' is both a gauge and a histogram: that is the existing "also declared" issue only.
    expect(issuesOf({ ...spec, gauges: {} })).toEqual([]);
    expect(issuesOf(spec)).toEqual(['histograms["req.time"]: is also declared in gauges']);
    const metrics = createMetrics({ ...spec, gauges: {} } as never);
    const body = metrics.serialize().body;
    expect(body).toContain('# TYPE req_time_seconds histogram\n');
    expect(body).toContain('# TYPE req_size_bytes histogram\n');
    const checked = await promtoolCheckMetrics(body);
    expect(checked.output).toBe('');
    expect(checked.code).toBe(0);
  });
});
