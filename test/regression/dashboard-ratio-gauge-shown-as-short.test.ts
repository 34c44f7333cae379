// Regression: a gauge in the unit `1` was shown as Grafana's `short`, so a utilization of 0.73
// read "0.730" with no unit. OTel's semantic conventions give `1` to utilization metrics (a
// fraction of a total, 0 to 1: nodejs.eventloop.utilization, system.cpu.utilization) and tell
// integer counts to use an annotation ({thread}) without it; OTel's Prometheus compatibility
// names such a gauge `_ratio`. A value in `1` is now `percentunit` (0.73 shows as 73%); a count
// in an annotation stays `short`, and a counter's rate stays `ops`.
import { describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

const spec: TelemetrySpec = {
  service: { name: 'ratios' },
  events: {},
  gauges: {
    'worker.utilization': { description: 'Busy fraction of the worker pool.', unit: '1' },
    'worker.threads': { description: 'Threads in the pool.', unit: '{thread}' },
  },
  histograms: {
    'cache.hit.ratio': {
      description: 'Hit ratio per batch.',
      unit: '1',
      buckets: { boundaries: [0.25, 0.5, 0.75, 0.9, 0.99] },
    },
  },
  counters: { 'worker.jobs': { description: 'Jobs done.', unit: '1' } },
};

interface Panel {
  title?: string;
  fieldConfig?: { defaults?: { unit?: string } };
}

function unitOf(title: string): string | undefined {
  const overview = JSON.parse(renderDashboards(spec).get('ratios-overview.json')!) as { panels: Panel[] };
  const panel = overview.panels.find((p) => p.title === title);
  expect(panel, title).toBeDefined();
  return panel!.fieldConfig?.defaults?.unit;
}

describe('regression: dashboard ratio gauge shown as short', () => {
  it('a gauge and a histogram in `1` are percentunit; an annotated count is short, a rate ops', () => {
    expect(unitOf('worker.utilization')).toBe('percentunit');
    expect(unitOf('cache.hit.ratio p50/p90/p99')).toBe('percentunit');
    expect(unitOf('worker.threads')).toBe('short');
    expect(unitOf('worker.jobs rate')).toBe('ops');
  });
});
