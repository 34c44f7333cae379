// Regression (generate-edges hunt): the SLOs dashboard's SLI stat showed every SLO's SLI with 3
// decimals of a percent. Under a 99.999% objective a breached SLI of 99.9986% read "99.999%" (the
// objective itself, in red), and under 99.99999% every SLI, met or not, read "100.000%". The stat
// now has one decimal more than the objective, at least 3 (the blueprint's are unchanged).
// Grafana formats `percentunit` as value × 100 to `decimals` places, which is what the check below
// does with the panel's own settings.
import { describe, expect, it } from 'vitest';
import { renderDashboards } from '../../src/generate/dashboards/render.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

const sloOf = (objective: number) =>
  ({
    description: 'Payments succeed.',
    objective,
    sli: { kind: 'availability', metric: 'pay.requests', bad: { outcome: ['error'] } },
  }) as const;

const spec = {
  service: { name: 'pay' },
  events: {},
  counters: { 'pay.requests': { description: 'Requests.', attributes: ['outcome'] } },
  slos: { five: sloOf(99.999), seven: sloOf(99.99999), three: sloOf(99.9), whole: sloOf(95) },
} satisfies TelemetrySpec;

interface Panel {
  title?: string;
  decimals?: number;
  fieldConfig?: { defaults?: { unit?: string; decimals?: number } };
}

function sliStat(slo: string): { unit: string; decimals: number } {
  const [, text] = [...renderDashboards(spec)].find(([name]) => name.endsWith('-slos.json'))!;
  const panel = (JSON.parse(text) as { panels: Panel[] }).panels.find(
    (candidate) => candidate.title === `${slo}: SLI over 30d`,
  )!;
  return {
    unit: panel.fieldConfig!.defaults!.unit!,
    decimals: panel.fieldConfig?.defaults?.decimals ?? panel.decimals!,
  };
}

/** What Grafana shows for `percentunit`: the value × 100, to `decimals` places. */
const shown = (sli: number, decimals: number) => `${(sli * 100).toFixed(decimals)}%`;

describe('the SLI stat of a many-nines objective', () => {
  it.each([
    // objective, a breached SLI just under it, a met SLI just over it
    ['five', 0.99999, 0.999986, 0.999994],
    ['seven', 0.9999999, 0.99999985, 0.99999996],
  ])('%s: a breached SLI, the objective and a met SLI read differently', (slo, objective, breached, met) => {
    const { unit, decimals } = sliStat(slo);
    expect(unit).toBe('percentunit');
    const texts = [breached, objective, met].map((sli) => shown(sli, decimals));
    expect(new Set(texts).size, texts.join(' ')).toBe(3);
    expect(texts).not.toContain(shown(1, decimals));
  });

  it('keeps 3 decimals where they are enough (99.9, 95)', () => {
    expect(sliStat('three').decimals).toBe(3);
    expect(sliStat('whole').decimals).toBe(3);
  });
});
