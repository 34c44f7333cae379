// Regression (SRE trial): the generated Alertmanager config ordered an SLO's tiers by their long
// window alone, so a custom ticket tier burning 2x over 12h inhibited the default ticket-fast
// tier burning 3x over 1d: while the slower burn fired, the faster one was silenced. Tiers are
// now ordered by urgency: a page before a ticket, then the higher burn rate.
import { describe, expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';
import { sloInhibitRules } from '../../src/generate/rules/alertmanager.js';

const spec = defineTelemetry({
  service: { name: 'payments', version: '1.0.0' },
  events: {},
  counters: {
    'payments.messages': { description: 'Messages handled.', attributes: ['outcome'] },
  },
  slos: {
    avail: {
      description: 'Messages succeed.',
      objective: 99.9,
      sli: { kind: 'availability', metric: 'payments.messages', bad: { outcome: ['failed'] } },
      alerting: {
        'ticket-slow': false,
        'page-fast': { severity: 'page', burnRate: 10, longWindow: '30m', shortWindow: '5m' },
        'weekend-watch': { severity: 'ticket', burnRate: 2, longWindow: '12h', shortWindow: '1h' },
      },
    },
  },
});

/** Which tiers each tier silences while it fires. */
function silences(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const rule of sloInhibitRules(spec)) {
    const source = /tier="([^"]+)"/.exec(rule.source_matchers.join(' '))![1]!;
    const targets = /tier=~"([^"]+)"/.exec(rule.target_matchers.join(' '))![1]!;
    out[source] = targets.split('|').map((tier) => tier.replace(/^\^|\$$/g, '').replace(/\\/g, ''));
  }
  return out;
}

describe('custom tier inhibits a faster default tier', () => {
  it('a slower burn never silences a faster one, and a ticket never silences a page', () => {
    const map = silences();
    expect(map['weekend-watch'] ?? []).not.toContain('ticket-fast');
    expect(map['ticket-fast']).toContain('weekend-watch');
    expect(map['page-fast']).toEqual(expect.arrayContaining(['page-slow', 'ticket-fast', 'weekend-watch']));
    for (const tiers of Object.values(map)) expect(tiers).not.toContain('page-fast');
  });
});
