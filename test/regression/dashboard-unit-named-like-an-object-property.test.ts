// Regression: the dashboards generator looked units up in plain objects, and the spec takes any
// string as a unit, so a unit spelled like an Object property (`constructor`, `toString`,
// `__proto__`) was answered with that property: the panel's unit became a function, dropped from
// the JSON (no unit at all, which dashboard-linter's panel-units-rule fails), and a latency SLO on
// a histogram in such a unit got a slow-traces table querying `duration > NaNms`, which Tempo
// refuses. Such a unit is now an unknown unit like any other: `short`, and no slow-traces table
// (its values are no durations).
import { describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

const UNITS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'] as const;

const spec: TelemetrySpec = {
  service: { name: 'odd-units' },
  events: {},
  histograms: Object.fromEntries(
    UNITS.map((unit) => [
      `odd.histogram.${unit}`,
      { description: `A histogram in ${unit}.`, unit, buckets: { boundaries: [1, 5, 10] } },
    ]),
  ),
  gauges: Object.fromEntries(
    UNITS.map((unit) => [`odd.gauge.${unit}`, { description: `A gauge in ${unit}.`, unit }]),
  ),
  slos: Object.fromEntries(
    UNITS.map((unit, index) => [
      `fast-${index}`,
      {
        description: `Values in ${unit} under 5.`,
        sli: { kind: 'latency', histogram: `odd.histogram.${unit}`, threshold: 5 },
        objective: 99,
      },
    ]),
  ),
};

interface Panel {
  type: string;
  title?: string;
  fieldConfig?: { defaults?: { unit?: string } };
}

describe('regression: dashboard unit named like an object property', () => {
  it("an instrument in such a unit has its values in Grafana's 'short' and no slow-traces table", () => {
    const files = renderDashboards(spec);
    const overview = JSON.parse(files.get('odd-units-overview.json')!) as { panels: Panel[] };
    const panels = overview.panels.filter((panel) => panel.type !== 'row');
    for (const panel of panels) expect(typeof panel.fieldConfig?.defaults?.unit, panel.title).toBe('string');
    const titles = panels.map((panel) => panel.title);
    for (const unit of UNITS) {
      const values = panels.filter(
        (panel) => panel.title === `odd.histogram.${unit} p50/p90/p99` || panel.title === `odd.gauge.${unit}`,
      );
      expect(values.map((panel) => panel.title)).toEqual([
        `odd.histogram.${unit} p50/p90/p99`,
        `odd.gauge.${unit}`,
      ]);
      for (const panel of values) expect(panel.fieldConfig?.defaults?.unit, panel.title).toBe('short');
      // Its values are no durations: no spans to list as slower than the threshold.
      expect(titles.filter((title) => title?.startsWith(`odd.histogram.${unit}: `))).toEqual([]);
    }
    for (const [file, text] of files) expect(text, file).not.toMatch(/NaNms/);
  });
});
