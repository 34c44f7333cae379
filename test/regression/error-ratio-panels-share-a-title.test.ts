// Regression: the service overview draws one error-ratio panel per availability SLI reading an
// instrument, per split, all titled "<instrument> error ratio by <label>". When two SLIs read one
// instrument, each title came twice with different queries: in the committed
// dashboards/blueprint-overview.json "blueprint.ingress.decisions error ratio by tenant" (and by
// class, by decision) was once the latency-sensitive SLO's ratio and once the best-effort one's,
// with the same legend, so nobody could tell which was which (a review found it). A title now
// names its SLO when more than one SLI reads the instrument, SLIs with the same matchers share
// one panel, and no two panels of a dashboard have one title.
import { describe, expect, it } from 'vitest';
import { spec as blueprintSpec } from '../../examples/blueprint/telemetry.js';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import { attributeMatchers } from '../../src/spec/promql.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { dashboardSpec } from '../fixtures/dashboard-spec.js';

interface Panel {
  type: string;
  title: string;
  targets?: { expr?: string; legendFormat?: string }[];
}

function dashboards(spec: TelemetrySpec): Map<string, Panel[]> {
  const out = new Map<string, Panel[]>();
  for (const [name, text] of renderDashboards(spec)) {
    if (name.endsWith('.json')) out.set(name, (JSON.parse(text) as { panels: Panel[] }).panels);
  }
  return out;
}

function overview(spec: TelemetrySpec): Panel[] {
  return [...dashboards(spec)].find(([name]) => name.endsWith('-overview.json'))![1];
}

/** Titles that more than one panel (rows aside) of a dashboard has. */
function repeatedTitles(panels: readonly Panel[]): string[] {
  const seen = new Map<string, number>();
  for (const panel of panels) {
    if (panel.type !== 'row') seen.set(panel.title, (seen.get(panel.title) ?? 0) + 1);
  }
  return [...seen].filter(([, count]) => count > 1).map(([title, count]) => `${title} (${count}x)`);
}

// One counter, three SLIs: two with the same matchers (one query), one of another route.
const sharedSpec: TelemetrySpec = {
  service: { name: 'orders' },
  events: {},
  counters: {
    'orders.requests': { description: 'Requests.', attributes: ['route', 'tenant', 'outcome'] },
    'orders.jobs': { description: 'Jobs, split by their outcome alone.', attributes: ['outcome'] },
  },
  slos: {
    checkout: {
      description: 'Checkout requests that do not fail.',
      objective: 99.9,
      sli: {
        kind: 'availability',
        metric: 'orders.requests',
        bad: { outcome: ['error'] },
        where: { route: ['/checkout'] },
      },
    },
    'checkout-weekly': {
      description: 'The same requests, over a week.',
      objective: 99,
      window: '7d',
      sli: {
        kind: 'availability',
        metric: 'orders.requests',
        bad: { outcome: ['error'] },
        where: { route: ['/checkout'] },
      },
    },
    search: {
      description: 'Search requests that do not fail.',
      objective: 99,
      sli: {
        kind: 'availability',
        metric: 'orders.requests',
        bad: { outcome: ['error'] },
        where: { route: ['/search'] },
      },
    },
    jobs: {
      description: 'Jobs that do not fail.',
      objective: 99,
      sli: { kind: 'availability', metric: 'orders.jobs', bad: { outcome: ['failed'] } },
    },
    'jobs-strict': {
      description: 'Jobs that do not time out either.',
      objective: 99,
      sli: { kind: 'availability', metric: 'orders.jobs', bad: { outcome: ['failed', 'timeout'] } },
    },
  },
};

describe('no two panels of a dashboard share a title', () => {
  it.each([
    ['the blueprint', blueprintSpec as TelemetrySpec],
    ['the dashboard fixture', dashboardSpec as TelemetrySpec],
    ['SLIs sharing an instrument', sharedSpec],
  ])('%s', (_name, spec) => {
    for (const [file, panels] of dashboards(spec)) {
      const repeated = repeatedTitles(panels);
      expect(repeated, `${file}: ${repeated.join(' | ')}`).toEqual([]);
    }
  });
});

describe('an error-ratio title says which SLO it is', () => {
  it('the blueprint: each blueprint.ingress.decisions ratio names the SLO whose class it reads', () => {
    const panels = overview(blueprintSpec as TelemetrySpec);
    const ratios = panels.filter((p) => p.title.startsWith('blueprint.ingress.decisions error ratio'));
    const slos = Object.entries((blueprintSpec as TelemetrySpec).slos ?? {}).filter(
      ([, slo]) => slo.sli.kind === 'availability' && slo.sli.metric === 'blueprint.ingress.decisions',
    );
    expect(slos.map(([name]) => name)).toEqual([
      'ingress-admission-latency-sensitive',
      'ingress-admission-best-effort',
    ]);
    // tenant, class and decision for each of the two SLOs (reason is the outcome: no ratio by it).
    expect(ratios).toHaveLength(6);
    for (const [name, slo] of slos) {
      const own = ratios.filter((p) => p.title.includes(`SLO ${name})`));
      expect(
        own.map((p) => p.title),
        name,
      ).toEqual(
        ['tenant', 'class', 'decision'].map(
          (label) => `blueprint.ingress.decisions error ratio by ${label} (SLO ${name})`,
        ),
      );
      const where = attributeMatchers(slo.sli.kind === 'availability' ? slo.sli.where : undefined);
      for (const panel of own)
        for (const matcher of where) expect(panel.targets![0]!.expr, panel.title).toContain(matcher);
    }
  });

  it('an instrument one SLI reads keeps its plain title', () => {
    const titles = overview(blueprintSpec as TelemetrySpec).map((p) => p.title);
    expect(titles).toContain('http.server.request.duration error ratio by http_route');
    expect(titles.filter((t) => t.startsWith('http.server.request.duration error ratio'))).not.toContainEqual(
      expect.stringContaining('SLO'),
    );
  });

  it('SLIs with the same matchers share one panel per split; the others get their own', () => {
    const ratios = overview(sharedSpec).filter((p) => p.title.includes(' error ratio'));
    expect(ratios.map((p) => p.title)).toEqual([
      'orders.requests error ratio by route (SLOs checkout, checkout-weekly)',
      'orders.requests error ratio by tenant (SLOs checkout, checkout-weekly)',
      'orders.requests error ratio by route (SLO search)',
      'orders.requests error ratio by tenant (SLO search)',
      'orders.jobs error ratio (SLO jobs)',
      'orders.jobs error ratio (SLO jobs-strict)',
    ]);
    const exprs = ratios.map((p) => p.targets![0]!.expr);
    expect(new Set(exprs).size, 'one query per panel').toBe(exprs.length);
  });
});
