// Regression: the overview heatmap put the histogram's unit on the panel (fieldConfig unit) as
// well as on its y axis. Grafana's heatmap shows the bucket bounds on the y axis in
// `options.yAxis.unit` and formats each cell's value (tooltip, colour legend) with
// `options.cellValues.unit`, else the fields' own unit (public/app/plugins/panel/heatmap/fields.ts:
// updateFieldDisplay over the value field, whose config is the bucket fields'). The cells are
// observations per second (`sum by (le) (rate(<histogram>_bucket[...]))`), so a latency
// histogram's cells read "3 s" instead of 3 per second, and a size histogram's `short` (a review
// found it). The y axis keeps the histogram's unit; the cells are `ops`.
import { describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

const spec: TelemetrySpec = {
  service: { name: 'shop' },
  events: {},
  histograms: {
    'shop.checkout.duration': {
      description: 'Time to check out.',
      unit: 'ms',
      buckets: { boundaries: [50, 100, 250, 1000] },
    },
    'shop.cart.size': {
      description: 'Items per cart.',
      unit: '{item}',
      buckets: { boundaries: [1, 5, 10] },
    },
    'shop.upload.size': {
      description: 'Bytes per uploaded image.',
      unit: 'By',
      buckets: { boundaries: [1024, 65536, 1048576] },
    },
  },
};

interface Heatmap {
  type: string;
  title: string;
  targets: { expr: string; format?: string }[];
  fieldConfig: { defaults: { unit?: string } };
  options: { yAxis?: { unit?: string }; cellValues?: { unit?: string } };
}

function heatmaps(): Map<string, Heatmap> {
  const [, text] = [...renderDashboards(spec)].find(([name]) => name.endsWith('-overview.json'))!;
  const panels = (JSON.parse(text) as { panels: Heatmap[] }).panels.filter((p) => p.type === 'heatmap');
  return new Map(panels.map((panel) => [panel.title, panel]));
}

/** The unit Grafana's heatmap formats a cell's value with (fields.ts, updateFieldDisplay). */
function cellUnit(panel: Heatmap): string | undefined {
  const explicit = panel.options.cellValues?.unit;
  return explicit !== undefined && explicit.length > 0 ? explicit : panel.fieldConfig.defaults.unit;
}

describe('heatmap axis and cells each carry their own unit', () => {
  it.each([
    ['shop.checkout.duration distribution', 'ms'],
    ['shop.cart.size distribution', 'short'],
    ['shop.upload.size distribution', 'bytes'],
  ])('%s: y axis in %s, cells in observations per second', (title, bucketUnit) => {
    const panel = heatmaps().get(title);
    expect(panel, title).toBeDefined();
    // The cells are a rate of bucket counts, as the query says.
    expect(panel!.targets[0]).toMatchObject({ format: 'heatmap' });
    expect(panel!.targets[0]!.expr).toMatch(
      /^sum by \(le\) \(rate\(.*_bucket\{.*\}\[\$__rate_interval\]\)\)$/,
    );
    expect(panel!.options.yAxis?.unit).toBe(bucketUnit);
    expect(cellUnit(panel!)).toBe('ops');
  });
});
