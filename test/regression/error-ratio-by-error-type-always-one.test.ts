// Regression: the service overview split each availability SLI's error ratio by every attribute
// that is not one of the SLI's `bad` keys, so "http.server.request.duration error ratio by
// error_type" was drawn. OTel's HTTP convention sets error.type only on failed requests: every
// series of that split had only errors in it and read 1 (found in an SRE trial on a real
// Prometheus). error.type is an outcome attribute now, like the `bad` keys: rates are split by
// it, error ratios and quantiles are not.
import { describe, expect, it } from 'vitest';
import { spec as blueprintSpec } from '../../examples/blueprint/telemetry.js';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { sanitizeLabelName } from '../../src/spec/naming.js';
import { ERROR_TYPE } from '../../src/spec/semconv-http.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

interface Panel {
  title: string;
  targets?: { expr?: string }[];
}

function overviewPanels(spec: TelemetrySpec): Panel[] {
  const [, text] = [...renderDashboards(spec)].find(([name]) => name.endsWith('-overview.json'))!;
  return (JSON.parse(text) as { panels: Panel[] }).panels;
}

/** The labels an error-ratio panel splits by (from its `sum by (...)`), per panel title. */
function ratioSplits(panels: readonly Panel[]): Map<string, string[]> {
  const splits = new Map<string, string[]>();
  for (const panel of panels.filter((p) => / error ratio( by |$)/.test(p.title))) {
    const expr = panel.targets?.[0]?.expr ?? '';
    const by = /^sum by \(([^)]*)\)/.exec(expr)?.[1];
    splits.set(panel.title, by === undefined ? [] : by.split(', '));
  }
  return splits;
}

// error.type on a counter an availability SLI reads, beside an attribute every event carries.
const counterSpec: TelemetrySpec = {
  service: { name: 'orders' },
  events: {},
  counters: {
    'orders.requests': {
      description: 'Requests by route, outcome and error type.',
      attributes: ['route', 'outcome', 'error.type'],
    },
  },
  slos: {
    availability: {
      description: 'Requests that do not fail.',
      objective: 99,
      sli: { kind: 'availability', metric: 'orders.requests', bad: { outcome: ['error'] } },
    },
  },
};

describe('the overview error ratio is never split by error.type', () => {
  const errorType = sanitizeLabelName(ERROR_TYPE);

  it.each([
    [
      'the blueprint (http.server.request.duration)',
      blueprintSpec as TelemetrySpec,
      'http.server.request.duration',
    ],
    ['a counter with error.type', counterSpec, 'orders.requests'],
  ])('%s: no ratio by error_type, the rate by error_type is kept', (_name, spec, instrument) => {
    const panels = overviewPanels(spec);
    const titles = panels.map((p) => p.title);
    expect(titles).not.toContain(`${instrument} error ratio by ${errorType}`);
    for (const [title, by] of ratioSplits(panels)) expect(by, title).not.toContain(errorType);
    // Still a breakdown of traffic: which errors, how many.
    expect(titles).toContain(`${instrument} rate by ${errorType}`);
    // The ratio is still split by the attributes every event carries.
    expect([...ratioSplits(panels).keys()].some((t) => t.startsWith(`${instrument} error ratio by `))).toBe(
      true,
    );
  });

  it('no ratio panel is split by a label only bad events carry (a bad key of its SLI, or error.type)', () => {
    for (const spec of [blueprintSpec as TelemetrySpec, counterSpec]) {
      const badOnly = new Set([
        errorType,
        ...Object.values(spec.slos ?? {}).flatMap((slo) =>
          slo.sli.kind === 'availability' ? Object.keys(slo.sli.bad).map(sanitizeLabelName) : [],
        ),
      ]);
      for (const [title, by] of ratioSplits(overviewPanels(spec))) {
        for (const label of by) expect(badOnly.has(label), `${title} splits by ${label}`).toBe(false);
      }
    }
  });
});
