// The demo's summary says what its figures cover: windows longer than the run so far collapsed
// into one column with the span they hold, the budget qualified until the SLO window is covered,
// throughput labelled (last second live, run average in the final report), traces decided by
// policy, the fault phases of the whole run in the final report, lines within 120 columns.
import { describe, expect, it } from 'vitest';
import { renderSummary, type SummarySnapshot } from '../../examples/blueprint/summary.js';
import type { SloStatusView } from '../../examples/blueprint/telemetry-port.js';

const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'];
const DAY = 86_400;
const WINDOW_MS: Readonly<Record<string, number>> = {
  '5m': 300_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '6h': 21_600_000,
  '1d': DAY * 1000,
  '3d': 3 * DAY * 1000,
  '30d': 30 * DAY * 1000,
};

function slo(
  name: string,
  burnRates: Readonly<Record<string, number>>,
  budget: number,
  firing = false,
): SloStatusView {
  return {
    slo: name,
    objective: 99,
    windows: WINDOWS.map((window) => ({
      window,
      windowMs: WINDOW_MS[window]!,
      burnRate: burnRates[window] ?? 0,
      events: 100,
    })),
    tiers: [
      ['page-fast', 'page', '1h', '5m'],
      ['page-slow', 'page', '6h', '30m'],
      ['ticket-fast', 'ticket', '1d', '2h'],
      ['ticket-slow', 'ticket', '3d', '6h'],
    ].map(([tier, severity, longWindow, shortWindow]) => ({
      tier: tier!,
      severity: severity as 'page' | 'ticket',
      firing,
      burnRateThreshold: 1,
      longWindow: longWindow!,
      shortWindow: shortWindow!,
      longBurnRate: 0,
      shortBurnRate: 0,
    })),
    errorBudgetRemaining: budget,
  };
}

/** Every window at the same burn rate: what a run shorter than 5m gives. */
const uniform = (rate: number) => Object.fromEntries(WINDOWS.map((w) => [w, rate]));

/** The trial's enrichment SLO after 42 s: every window 15.5x, budget remaining -1453.8%. */
function snapshot(overrides: Partial<SummarySnapshot> = {}): SummarySnapshot {
  return {
    elapsedSeconds: 42,
    throughput: 388,
    decisions: { accepted: 15224, unauthorized: 126, shed_deadline: 87, invalid_event: 106 },
    degradedRequests: 2280,
    quantiles: { p50: 0.0307, p90: 0.1421, p99: 0.2299 },
    slos: [slo('availability', uniform(0), 1), slo('enrichment', uniform(15.5), -14.538, true)],
    sampler: {
      decisions: {
        linked: { keep: 761, drop: 0 },
        errors: { keep: 5158, drop: 0 },
        exemplar: { keep: 13, drop: 0 },
        budget: { keep: 412, drop: 1151 },
        'no-match': { keep: 0, drop: 11877 },
      },
      bufferedTraces: 12,
    },
    slowExemplars: [],
    faults: 'profile slow (120 ms > budget)',
    health: 'degraded',
    security: {},
    securityByOutcome: {},
    ...overrides,
  };
}

/** An SLO's line and the lines it wraps onto. */
function sloLine(text: string, name: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`SLO ${name} `));
  let end = at + 1;
  while (lines[end]?.startsWith(' '.repeat(11)) === true) end++;
  return lines.slice(at, end).join('\n');
}

describe('renderSummary', () => {
  it('collapses the windows longer than the run into one column naming the span they hold', () => {
    const line = sloLine(renderSummary(snapshot()), 'enrichment');
    expect(line).toContain("burn 5m-30d 15.5x (the run's 42 s)");
    expect(line).not.toMatch(/30m 15\.5x/);
    expect(line).toContain("budget -1453.8% at this run's rate");
  });

  it('shows each window that holds a full window of data in its own column', () => {
    const rates = { '5m': 2, '30m': 3, '1h': 3, '2h': 3, '6h': 3, '1d': 3, '3d': 3, '30d': 3 };
    const text = renderSummary(snapshot({ elapsedSeconds: 6 * 60, slos: [slo('enrichment', rates, 0.4)] }));
    expect(sloLine(text, 'enrichment')).toContain("burn 5m 2.0x  30m-30d 3.0x (the run's 6 min)");
  });

  it('gives a range when the collapsed windows differ by a ring bucket', () => {
    const rates = { ...uniform(15.5), '5m': 15.4, '30d': 15.6 };
    const text = renderSummary(snapshot({ slos: [slo('enrichment', rates, -13.5)] }));
    expect(sloLine(text, 'enrichment')).toContain('burn 5m-30d 15.4-15.6x');
  });

  it('after a full SLO window, every window has its column and the budget is plain', () => {
    const rates = {
      '5m': 0.1,
      '30m': 0.2,
      '1h': 0.3,
      '2h': 0.4,
      '6h': 0.5,
      '1d': 0.6,
      '3d': 0.7,
      '30d': 0.8,
    };
    const text = renderSummary(snapshot({ elapsedSeconds: 31 * DAY, slos: [slo('enrichment', rates, 0.2)] }));
    const line = sloLine(text, 'enrichment');
    expect(line).toContain(
      'burn 5m 0.1x  30m 0.2x  1h 0.3x  2h 0.4x  6h 0.5x  1d 0.6x  3d 0.7x  30d 0.8x  budget 20.0%  ok',
    );
    expect(line).not.toContain('run');
  });

  it('qualifies the budget while only the SLO window is not covered', () => {
    const text = renderSummary(
      snapshot({ elapsedSeconds: 4 * DAY, slos: [slo('enrichment', uniform(0.5), 0.5)] }),
    );
    expect(sloLine(text, 'enrichment')).toMatch(
      /3d 0\.5x {2}30d 0\.5x \(the run's 4\.0 d\)\s+budget 50\.0% at this run's rate/,
    );
  });

  it('pads SLO names to the longest, so the columns line up', () => {
    const names = ['availability', 'ingress-admission-latency-sensitive', 'enrichment'];
    const text = renderSummary(snapshot({ slos: names.map((n) => slo(n, uniform(1), 1)) }));
    const burnAt = names.map((n) => sloLine(text, n).indexOf(' burn '));
    expect(new Set(burnAt).size).toBe(1);
    expect(burnAt[0]).toBeGreaterThan('SLO ingress-admission-latency-sensitive'.length);
  });

  it('keeps every line but the trace line within 120 columns, wrapping lists between items', () => {
    const names = [
      'availability',
      'latency',
      'ingress-admission-latency-sensitive',
      'ingress-admission-best-effort',
      'ingress-latency-latency-sensitive',
      'enrichment',
      'telemetry-export',
    ];
    const text = renderSummary(
      snapshot({
        slos: names.map((n) => slo(n, uniform(17.6), -15.59, true)),
        decisions: {
          accepted: 6481,
          unknown_tenant: 46,
          invalid_event: 106,
          unauthorized: 126,
          invalid_json: 64,
          shed_deadline: 87,
          queue_full: 8,
          parse_budget: 3,
          body_timeout: 1,
        },
        security: { 'auth.failed': 172, 'config.loaded': 1, 'rate_limit.tripped': 8, 'request.refused': 170 },
        securityByOutcome: {
          'auth.failed/unknown_tenant': 46,
          'auth.failed/wrong_token': 57,
          'auth.failed/missing_token': 69,
          'config.loaded/loaded': 1,
          'rate_limit.tripped/queue_full': 8,
          'request.refused/invalid_event': 106,
          'request.refused/invalid_json': 64,
        },
        slowExemplars: [
          { le: '0.28', traceId: '859847c0919d33fd3bcbba5f3c9d1b2d', seconds: 0.2519 },
          { le: '0.25', traceId: '78ab8522c51c24fb41ddbff869e80bda', seconds: 0.2372 },
          { le: '0.16', traceId: 'de699aa5d722c0414cf2548b634777f1', seconds: 0.112 },
        ],
      }),
    );
    const long = text.split('\n').filter((l) => l.length > 120 && !l.startsWith('trace '));
    expect(long).toEqual([]);
    // Wrapped, not cut: every item is whole on some line.
    expect(text).toContain('auth.failed 172 (unknown_tenant 46, wrong_token 57, missing_token 69)');
    expect(text).toContain('request.refused 170 (invalid_event 106, invalid_json 64)');
    expect(text).toContain('le=0.16: de699aa5d722c0414cf2548b634777f1 (112.0 ms)');
    expect(text).toMatch(
      /FIRING page-fast\/page, page-slow\/page,\s+ticket-fast\/ticket, ticket-slow\/ticket/,
    );
    expect(text).toMatch(/^rejected {3}441: unauthorized 126, invalid_event 106, shed_deadline 87, /m);
  });

  it('labels throughput as the last second live, and gives the run average in the final report', () => {
    const live = renderSummary(snapshot());
    expect(live).toContain('requests   accepted 15224 (388 req/s last second), 2280 degraded');
    const final = renderSummary(snapshot(), { faultPhaseSeconds: { none: 30 } });
    // 15224 accepted in 42 s is 362/s; the last tick's 388 is only the last second.
    expect(final).toContain('accepted 15224 (362 req/s run average, 388 req/s last second), 2280 degraded');
  });

  it('counts traces decided by the sampler, and names the policies that decided them', () => {
    const lines = renderSummary(snapshot()).split('\n');
    const at = lines.findIndex((l) => l.startsWith('traces '));
    expect(lines[at]).toBe(
      'traces     decided 19372 = kept 6344 + dropped 13028; 12 still buffered (tail sampler)',
    );
    expect(lines[at + 1]).toBe(
      '           by policy: kept linked 761, errors 5158, exemplar 13, budget 412; dropped budget 1151, no-match 11877',
    );
    expect(lines.join('\n')).not.toMatch(/^sampler/m);
  });

  it('says when tail sampling is off or nothing is decided yet', () => {
    expect(renderSummary(snapshot({ sampler: undefined }))).toMatch(/^traces {5}\(tail sampling off\)$/m);
    const none = renderSummary(snapshot({ sampler: { decisions: {}, bufferedTraces: 3 } }));
    expect(none).toContain('traces     decided 0 = kept 0 + dropped 0; 3 still buffered (tail sampler)');
    expect(none).toMatch(/^ {11}by policy: none yet$/m);
  });

  it('shows the current fault phase and chaos live, every phase of the run in the final report', () => {
    const live = renderSummary(
      snapshot({ chaos: { profile: 'corrupt', injected: { 'corrupt_request/request': 244 } } }),
    );
    expect(live.split('\n')[0]).toBe(
      'blueprint demo  t=42s  health=degraded  faults: profile slow (120 ms > budget)',
    );
    expect(live).toMatch(/^chaos {6}corrupt: corrupt_request\/request 244$/m);
    const mixed = renderSummary(
      snapshot({
        chaos: {
          profile: 'mixed',
          injected: {
            'corrupt_request/request': 53,
            'kill_task/dependency': 280,
            'tail_latency/dependency': 262,
            'kill_task/storage': 16,
            'tail_latency/storage': 17,
          },
        },
      }),
    );
    expect(mixed).toMatch(
      /^chaos {6}mixed: corrupt_request\/request 53, .*,\n {11}.*tail_latency\/storage 17$/m,
    );
    expect(mixed.split('\n').filter((l) => l.length > 120)).toEqual([]);
    const final = renderSummary(
      snapshot({ chaos: { profile: 'corrupt', injected: { 'corrupt_request/request': 244 } } }),
      {
        faultPhaseSeconds: { none: 18.2, 'profile slow (120 ms > budget)': 12, 'geo failing 30%': 11.8 },
      },
    );
    const [header, faults] = final.split('\n');
    expect(header).toBe('blueprint demo  ran 42 s  health=degraded (at the end)');
    expect(faults).toBe(
      'faults     fault script ran: none 18 s, profile slow (120 ms > budget) 12 s, geo failing 30% 12 s',
    );
    // The demo prints the chaos counts itself after the summary in the final report.
    expect(final).not.toMatch(/^chaos /m);
  });
});
