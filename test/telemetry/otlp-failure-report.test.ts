import { describe, expect, it } from 'vitest';
import { describeFailure, FailureReport } from '../../src/telemetry/otlp-failure-report.js';

function report(intervalMs?: number) {
  const lines: string[] = [];
  let now = 0;
  const failures = new FailureReport({ write: (line) => lines.push(line), intervalMs, now: () => now });
  return { lines, failures, advance: (ms: number) => (now += ms) };
}

describe('FailureReport', () => {
  it('says the first failure of a kind at once, then one line per interval with how many more', () => {
    const { lines, failures, advance } = report(60_000);
    failures.failed('OTLP metric export failed', new Error('fetch failed'));
    for (let i = 0; i < 5; i++) {
      advance(10_000);
      failures.failed('OTLP metric export failed', new Error('fetch failed'));
    }
    expect(lines).toEqual(['plumbline: OTLP metric export failed: fetch failed']);
    advance(10_000);
    failures.failed('OTLP metric export failed', new Error('HTTP 503'));
    expect(lines).toEqual([
      'plumbline: OTLP metric export failed: fetch failed',
      'plumbline: OTLP metric export failed: HTTP 503 (and 5 more in the last 60 s)',
    ]);
  });

  it('keeps each kind apart, and with interval 0 says every failure', () => {
    const { lines, failures } = report(0);
    failures.failed('a failed', 'one');
    failures.failed('a failed', 'two');
    failures.failed('b failed', 'three');
    expect(lines).toEqual([
      'plumbline: a failed: one',
      'plumbline: a failed: two',
      'plumbline: b failed: three',
    ]);
  });

  it('ends the interval when a wall clock (a coarse Date.now) steps back', () => {
    const { lines, failures, advance } = report(60_000);
    failures.failed('span processor onEnd failed', new Error('audit sink closed'));
    advance(1_000);
    failures.failed('span processor onEnd failed', new Error('audit sink closed'));
    advance(-3_600_000);
    failures.failed('span processor onEnd failed', new Error('audit sink closed'));
    expect(lines).toEqual([
      'plumbline: span processor onEnd failed: audit sink closed',
      'plumbline: span processor onEnd failed: audit sink closed (and 1 more since the last line)',
    ]);
  });

  it('never throws when its writer does', () => {
    const failures = new FailureReport({
      write: () => {
        throw new Error('no stderr');
      },
    });
    expect(() => failures.failed('x failed', new Error('y'))).not.toThrow();
  });
});

describe('describeFailure', () => {
  it("gives an error's message, its causes' and its code, never its stack", () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' });
    expect(describeFailure(new TypeError('fetch failed', { cause: refused }))).toBe(
      'fetch failed: connect ECONNREFUSED 127.0.0.1:4318',
    );
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(describeFailure(reset)).toBe('socket hang up (ECONNRESET)');
    expect(describeFailure(new Error('x'))).not.toMatch(/\bat /);
  });

  it('reads what an AggregateError holds when it says nothing itself', () => {
    const v6 = Object.assign(new Error('connect ECONNREFUSED ::1:4318'), { code: 'ECONNREFUSED' });
    const v4 = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' });
    const both = Object.assign(new AggregateError([v6, v4], ''), { code: 'ECONNREFUSED' });
    expect(describeFailure(both)).toBe('connect ECONNREFUSED ::1:4318; connect ECONNREFUSED 127.0.0.1:4318');
  });

  it('lists the first three of several, on one line, cut to a bound', () => {
    expect(describeFailure([new Error('a'), 'b', new Error('c'), new Error('d'), new Error('e')])).toBe(
      'a; b; c; and 2 more',
    );
    expect(describeFailure(new Error('line one\n  line two'))).toBe('line one line two');
    const long = describeFailure(new Error('x'.repeat(5000)));
    expect(long).toHaveLength(400);
    expect(long.endsWith('…')).toBe(true);
  });

  it('describes what is no Error, even what cannot be printed', () => {
    expect(describeFailure('step not done')).toBe('step not done');
    expect(describeFailure(undefined)).toBe('undefined');
    const unprintable = {
      toString() {
        throw new Error('no');
      },
    };
    expect(describeFailure(unprintable)).toBe('an unprintable reason');
  });
});
