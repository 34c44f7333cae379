// Regression (an SRE's trial): two minutes after a deploy, with 17.6% of requests failing, the
// page read "17621.3% of the 30d error budget is spent". The figure is the 30d error ratio over
// the budget, and until 30 days of data exist that ratio is over the data seen: a projection, as
// docs/slo.md says, not budget already gone. The description now says what the figure is.
import { describe, expect, it } from 'vitest';
import { sloRuleGroups } from '../../src/generate/rules/prometheus-rules.js';
import { defineTelemetry } from '../../src/index.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {},
  counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome'] } },
  slos: {
    availability: {
      description: 'Requests that succeed.',
      objective: 99.9,
      sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: ['error'] } },
    },
  },
});

describe('regression: a burn-rate page said the budget was spent on a new deploy', () => {
  it('names the figure as the window’s error ratio over the budget, over the data seen if less', () => {
    const descriptions = sloRuleGroups(spec)
      .flatMap((group) => group.rules)
      .flatMap((rule) => (rule.alert === 'SLOErrorBudgetBurn' ? [rule.annotations?.description ?? ''] : []));
    expect(descriptions.length).toBeGreaterThan(0);
    for (const description of descriptions) {
      expect(description).not.toMatch(/budget is spent/);
      expect(description).toMatch(
        /Over 30d \(or the data seen, if less\) errors are \{\{.*\}\}% of the error budget; at this burn rate the rest lasts/s,
      );
    }
  });
});
