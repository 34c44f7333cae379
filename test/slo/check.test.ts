import { describe, expect, it } from 'vitest';
import { checkSlos } from '../../src/slo/check.js';
import { resolveSlos } from '../../src/spec/model.js';
import { SpecError } from '../../src/spec/errors.js';
import type { SloSpec, TelemetrySpec } from '../../src/spec/types.js';
import { checkoutSpec } from '../fixtures/slo/checkout-spec.js';

function withSlo(slo: unknown): TelemetrySpec {
  return { ...checkoutSpec, slos: { s: slo as SloSpec } };
}

const availability = checkoutSpec.slos['checkout-availability'];

describe('checkSlos', () => {
  it('accepts the test spec', () => {
    expect(checkSlos(checkoutSpec)).toEqual([]);
  });

  it('refuses a tier that can never fire, naming it and saying why', () => {
    const issues = checkSlos(withSlo({ ...availability, objective: 90 }));
    expect(issues.map((i) => i.path)).toEqual(['slos.s.alerting["page-fast"].burnRate']);
    expect(issues[0]!.message).toContain('can never fire');
    expect(issues[0]!.message).toContain('144%');
  });

  it('accepts the same objective once the tier is turned off', () => {
    expect(checkSlos(withSlo({ ...availability, objective: 90, alerting: { 'page-fast': false } }))).toEqual(
      [],
    );
  });

  it('refuses objectives outside (0, 100) and unknown windows', () => {
    expect(checkSlos(withSlo({ ...availability, objective: 100 })).map((i) => i.path)).toContain(
      'slos.s.objective',
    );
    expect(checkSlos(withSlo({ ...availability, objective: 0 })).map((i) => i.path)).toContain(
      'slos.s.objective',
    );
    expect(checkSlos(withSlo({ ...availability, window: '14d' })).map((i) => i.path)).toContain(
      'slos.s.window',
    );
  });

  it('refuses unknown instruments and attributes', () => {
    const unknownMetric = checkSlos(
      withSlo({
        ...availability,
        sli: { kind: 'availability', metric: 'nope', bad: { outcome: ['error'] } },
      }),
    );
    expect(unknownMetric).toEqual([
      { path: 'slos.s.sli.metric', message: 'no counter or histogram named "nope" in the spec' },
    ]);
    const unknownHistogram = checkSlos(
      withSlo({ ...availability, sli: { kind: 'latency', histogram: 'nope', threshold: 0.25 } }),
    );
    expect(unknownHistogram.map((i) => i.path)).toEqual(['slos.s.sli.histogram']);
    const unknownAttribute = checkSlos(
      withSlo({
        ...availability,
        sli: { kind: 'availability', metric: 'http.server.requests', bad: { status: ['500'] } },
      }),
    );
    expect(unknownAttribute.map((i) => i.path)).toEqual(['slos.s.sli.bad.status']);
  });

  it('refuses bad tier windows', () => {
    const issues = checkSlos(
      withSlo({
        ...availability,
        alerting: {
          custom: { severity: 'page', burnRate: 10, longWindow: '5m', shortWindow: '1h' },
          other: { severity: 'page', burnRate: 2, longWindow: 'soon', shortWindow: '5m' },
        },
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      'slos.s.alerting.custom.shortWindow',
      'slos.s.alerting.other.longWindow',
    ]);
    const tooLong = checkSlos(
      withSlo({
        ...availability,
        window: '7d',
        alerting: { wide: { severity: 'ticket', burnRate: 1, longWindow: '8d', shortWindow: '1d' } },
      }),
    );
    expect(tooLong.map((i) => i.path)).toEqual(['slos.s.alerting.wide.longWindow']);
  });

  it('makes resolveSlos throw a SpecError listing every problem', () => {
    expect(() => resolveSlos(withSlo({ ...availability, objective: 101, minEvents: -1 }))).toThrow(SpecError);
  });

  it('resolves overrides and orders tiers fastest first', () => {
    const [model] = resolveSlos(
      withSlo({
        ...availability,
        alerting: {
          'ticket-slow': false,
          'page-fast': { severity: 'page', burnRate: 20, longWindow: '1h', shortWindow: '5m' },
        },
      }),
    );
    expect(model!.tiers.map((t) => [t.name, t.burnRate])).toEqual([
      ['page-fast', 20],
      ['page-slow', 6],
      ['ticket-fast', 3],
    ]);
    expect(model!.windows).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '30d']);
  });
});
