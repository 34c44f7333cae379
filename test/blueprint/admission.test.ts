import { describe, expect, it } from 'vitest';
import { AdmissionControl, LatencyEstimate } from '../../examples/blueprint/admission.js';

const tenants = [
  { name: 'checkout', class: 'latency-sensitive' as const },
  { name: 'search', class: 'latency-sensitive' as const },
  { name: 'analytics', class: 'best-effort' as const },
];

/** 2 workers, 20 ms per job and 10 ms per commit, measured: the red-team setting. */
function measured(): AdmissionControl {
  const control = new AdmissionControl(tenants, {
    deadlineMs: 250,
    concurrency: 2,
    budgetMs: 80,
    maxBatchWaitMs: 50,
    maxBodyBytes: 1 << 20,
    // Both workers busy: only the budget for waiting requests is left.
    running: () => 2,
  });
  for (let i = 0; i < 100; i++) {
    control.service.record(20);
    control.commit.record(10);
  }
  return control;
}

describe('admission control', () => {
  it('derives the budget from capacity x deadline: 2 workers x (250 - 30 ms) / 20 ms, just under 22', () => {
    const control = measured();
    expect(control.finishMs()).toBeCloseTo(30, 0);
    expect(control.classBudget('latency-sensitive')).toBe(21);
    expect(control.classBudget('best-effort')).toBe(10);
    // A dependency that gets 3x slower shrinks it within a few samples.
    for (let i = 0; i < 20; i++) control.service.record(60);
    expect(control.classBudget('latency-sensitive')).toBeLessThanOrEqual(6);
  });

  it('sheds best-effort first: urgent work waiting leaves it no room, while urgent work only counts itself', () => {
    const control = measured();
    const urgent = Array.from({ length: 11 }, (_, i) => control.admit(i % 2 === 0 ? 'checkout' : 'search'));
    expect(urgent.every((a) => a.admitted)).toBe(true);
    expect(control.admit('analytics')).toMatchObject({ admitted: false, scope: 'class', budget: 10 });
    expect(control.admit('checkout').admitted).toBe(true);
    for (const a of urgent) if (a.admitted) a.ticket.release();
    expect(control.admit('analytics').admitted).toBe(true);
  });

  it('caps one tenant at twice its fair share of its class, and a released ticket gives its place back once', () => {
    const control = measured();
    expect(control.tenantBudget('checkout')).toBe(21);
    const held = Array.from({ length: 21 }, () => control.admit('checkout'));
    expect(held.every((a) => a.admitted)).toBe(true);
    const refused = control.admit('search');
    expect(refused).toMatchObject({ admitted: false, retryAfterSeconds: 1 });
    const first = held[0]!;
    if (!first.admitted) throw new Error('admitted above');
    first.ticket.release();
    first.ticket.release();
    expect(control.admit('search').admitted).toBe(true);
    expect(control.admit('search').admitted).toBe(false);
  });

  it('does not start a job that cannot finish by its deadline', () => {
    const control = measured();
    expect(control.canFinish(100)).toBe(true);
    expect(control.canFinish(10)).toBe(false);
  });

  it('estimates an upper bound that follows the samples (RFC 6298: mean + 4 deviations)', () => {
    const estimate = new LatencyEstimate(40);
    for (let i = 0; i < 50; i++) estimate.record(20);
    expect(estimate.upperMs).toBeCloseTo(20, 0);
    for (let i = 0; i < 50; i++) estimate.record(i % 2 === 0 ? 10 : 30);
    expect(estimate.upperMs).toBeGreaterThan(40);
  });

  it('counts free workers as room: an idle service takes a burst the waiting budget alone would refuse', () => {
    let running = 0;
    const control = new AdmissionControl(tenants, {
      deadlineMs: 250,
      concurrency: 64,
      budgetMs: 80,
      maxBatchWaitMs: 50,
      maxBodyBytes: 1 << 20,
      reserveForUrgent: 16,
      running: () => running,
    });
    // A slow, jittery commit leaves no time to wait: the waiting budget is its floor of 1.
    for (let i = 0; i < 20; i++) control.commit.record(i % 2 === 0 ? 100 : 200);
    expect(control.classBudget('latency-sensitive')).toBe(1);
    const burst = Array.from({ length: 20 }, () => control.admit('checkout'));
    expect(burst.every((a) => a.admitted)).toBe(true);
    // Best-effort never counts the workers kept for latency-sensitive work.
    running = 64 - 16;
    expect(control.admit('analytics').admitted).toBe(false);
  });
});
