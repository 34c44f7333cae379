import { describe, expect, it } from 'vitest';
import { TwoClassScheduler, type SchedulerJob } from '../../examples/blueprint/scheduler.js';

interface TestJob extends SchedulerJob {
  readonly name: string;
}

function job(
  name: string,
  weight = 1,
  controller = new AbortController(),
): TestJob & { controller: AbortController } {
  return { name, weight, signal: controller.signal, controller };
}

const tenants = [
  { name: 'urgent-a', class: 'latency-sensitive' as const, queueBound: 3 },
  { name: 'urgent-b', class: 'latency-sensitive' as const, queueBound: 3 },
  { name: 'bulk', class: 'best-effort' as const, queueBound: 5 },
];

/** A scheduler with one worker whose jobs finish when the test says so. */
function harness() {
  const order: string[] = [];
  const cancelled: string[] = [];
  let finish: (() => void) | undefined;
  const scheduler = new TwoClassScheduler<TestJob>(
    tenants,
    1,
    (j) => {
      order.push(j.name);
      return new Promise<void>((resolve) => (finish = resolve));
    },
    (j) => cancelled.push(j.name),
  );
  const step = async () => {
    finish?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { scheduler, order, cancelled, step };
}

describe('two-class scheduler', () => {
  it('runs latency-sensitive tenants before best-effort ones, round-robin within a class', async () => {
    const { scheduler, order, step } = harness();
    scheduler.offer('bulk', job('bulk-1'));
    scheduler.offer('bulk', job('bulk-2'));
    scheduler.offer('urgent-a', job('a-1'));
    scheduler.offer('urgent-a', job('a-2'));
    scheduler.offer('urgent-b', job('b-1'));
    for (let i = 0; i < 5; i++) await step();
    // bulk-1 started first because the worker was idle; afterwards urgent work always wins.
    expect(order).toEqual(['bulk-1', 'a-1', 'b-1', 'a-2', 'bulk-2']);
  });

  it('bounds each tenant queue by weight and reports unknown tenants', () => {
    const { scheduler } = harness();
    scheduler.offer('urgent-a', job('running'));
    expect(scheduler.offer('urgent-a', job('w2', 2))).toBe('queued');
    expect(scheduler.offer('urgent-a', job('w1', 1))).toBe('queued');
    expect(scheduler.offer('urgent-a', job('over', 1))).toBe('full');
    expect(scheduler.offer('nobody', job('x'))).toBe('unknown_tenant');
    expect(scheduler.depths().find((d) => d.tenant === 'urgent-a')).toEqual({
      tenant: 'urgent-a',
      depth: 3,
      bound: 3,
    });
  });

  it('lets a job heavier than the bound into an empty queue', () => {
    const { scheduler } = harness();
    scheduler.offer('urgent-a', job('running'));
    expect(scheduler.offer('urgent-a', job('huge', 10))).toBe('queued');
  });

  it('drops a waiting job whose signal aborts and never runs it', async () => {
    const { scheduler, order, cancelled, step } = harness();
    scheduler.offer('urgent-a', job('running'));
    const doomed = job('doomed');
    scheduler.offer('urgent-a', doomed);
    scheduler.offer('urgent-a', job('next'));
    doomed.controller.abort();
    expect(cancelled).toEqual(['doomed']);
    expect(scheduler.depths()[0]!.depth).toBe(1);
    await step();
    await step();
    expect(order).toEqual(['running', 'next']);
    const idle = scheduler.idle();
    await step();
    await idle;
    expect(scheduler.active).toBe(0);
  });
});
