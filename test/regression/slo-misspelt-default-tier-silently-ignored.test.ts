// Regression: `alerting: { 'page-fst': false }` was accepted and did nothing: a tier set to false
// only turns off a default tier, so the misspelt name left page-fast paging. It is refused now,
// naming the place and the tier it was probably meant to be.
import { describe, expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';
import { resolveSlos } from '../../src/spec/model.js';

const withAlerting = (alerting: Record<string, false>) => ({
  service: { name: 'svc' },
  events: {},
  counters: { 'requests.total': { description: 'requests', attributes: ['outcome'] } },
  slos: {
    availability: {
      description: 'requests that succeed',
      objective: 99.9,
      sli: { kind: 'availability' as const, metric: 'requests.total', bad: { outcome: ['error'] } },
      alerting,
    },
  },
});

describe('a misspelt default tier turned off', () => {
  it('is refused with the place and a did-you-mean', () => {
    expect(() => defineTelemetry(withAlerting({ 'page-fst': false }))).toThrow(
      /slos\.availability\.alerting\["page-fst"\]: false turns off a default tier \(.*page-fast.*\), and "page-fst" is none of them; did you mean "page-fast"\?/,
    );
  });

  it('the right name still turns the tier off', () => {
    const spec = defineTelemetry(withAlerting({ 'page-fast': false }));
    const tiers = resolveSlos(spec)[0]!.tiers.map((tier) => tier.name);
    expect(tiers).not.toContain('page-fast');
    expect(tiers).toContain('page-slow');
  });
});
