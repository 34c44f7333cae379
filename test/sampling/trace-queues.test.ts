import { describe, expect, it } from 'vitest';
import { AdmissionQueue, DeadlineQueue, type QueuedTrace } from '../../src/sampling/trace-queues.js';

function trace(deadline = 0): QueuedTrace & { decided: boolean; openLocal: number; pendingLinks: number } {
  return {
    decided: false,
    openLocal: 0,
    rootEnded: true,
    pendingLinks: 0,
    linkedKept: false,
    deadline,
    queuedDeadline: 0,
    queued: false,
  };
}

describe('AdmissionQueue', () => {
  it('answers the oldest undecided trace, skipping decided ones', () => {
    const queue = new AdmissionQueue(100);
    const [a, b, c] = [trace(), trace(), trace()];
    queue.push(a);
    queue.push(b);
    queue.push(c);
    expect(queue.oldest()).toBe(a);
    a.decided = true;
    b.decided = true;
    expect(queue.oldest()).toBe(c);
    c.decided = true;
    expect(queue.oldest()).toBeUndefined();
  });

  it('stays bounded when traces behind the head are decided out of order (caps)', () => {
    const queue = new AdmissionQueue(10);
    const head = trace();
    queue.push(head);
    for (let i = 0; i < 1_000; i++) {
      const other = trace();
      queue.push(other);
      other.decided = true;
    }
    expect(queue.length).toBeLessThanOrEqual(11);
    expect(queue.oldest()).toBe(head);
  });

  it('keeps its array short as the head moves (compaction)', () => {
    const queue = new AdmissionQueue(100_000);
    for (let i = 0; i < 5_000; i++) {
      const next = trace();
      queue.push(next);
      next.decided = true;
    }
    expect(queue.oldest()).toBeUndefined();
    expect(queue.length).toBe(0);
    expect((queue as unknown as { items: unknown[] }).items.length).toBeLessThan(2_100);
  });
});

describe('DeadlineQueue', () => {
  it('takes due traces in deadline order and leaves the rest', () => {
    const queue = new DeadlineQueue(100);
    const [a, b] = [trace(10), trace(20)];
    queue.push(a);
    queue.push(b);
    queue.push(a); // already queued: not twice
    expect(queue.length).toBe(2);
    expect(queue.nextDeadline()).toBe(10);
    expect(queue.takeDue(15, 5)).toBe(a);
    expect(a.queued).toBe(false);
    expect(queue.takeDue(15, 5)).toBeUndefined();
    expect(queue.takeDue(20, 5)).toBe(b);
    expect(queue.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
  });

  it('moves a trace whose deadline moved to the back, and holds one waiting for linked traces', () => {
    const queue = new DeadlineQueue(100);
    const [moved, waiting, plain] = [trace(10), trace(10), trace(12)];
    queue.push(moved);
    queue.push(waiting);
    queue.push(plain);
    moved.deadline = 30; // reopened and done again
    waiting.pendingLinks = 1;
    expect(queue.takeDue(12, 5)).toBe(plain);
    expect(waiting.deadline).toBe(17);
    expect(queue.takeDue(17, 5)).toBeUndefined(); // re-queued behind with its new deadline
    waiting.pendingLinks = 0;
    expect(queue.takeDue(30, 5)).toBe(moved);
    expect(queue.takeDue(30, 5)).toBe(waiting);
  });

  it('skips decided and reopened traces and drops decided entries past its bound', () => {
    const queue = new DeadlineQueue(4);
    const decided = [trace(1), trace(1), trace(1), trace(1)];
    for (const t of decided) queue.push(t);
    for (const t of decided) t.decided = true;
    const live = trace(1);
    queue.push(live);
    expect(queue.length).toBe(1);
    expect(decided.every((t) => !t.queued)).toBe(true);
    live.openLocal = 1;
    expect(queue.takeDue(5, 5)).toBeUndefined();
    expect(live.queued).toBe(false);
  });
});
