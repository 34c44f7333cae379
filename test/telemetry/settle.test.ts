// settle: every step of a flush or shutdown is called and waited for, a failure of any kind
// reported in the steps' order and never thrown.
import { describe, expect, it } from 'vitest';
import { settle } from '../../src/telemetry/settle.js';

describe('settle', () => {
  it('calls every step past one that throws at once, and reports each failure in order', async () => {
    const called: string[] = [];
    const failures: unknown[] = [];
    await settle(
      [
        () => {
          called.push('a');
          throw new Error('a broke at once');
        },
        () => {
          called.push('b');
          return undefined;
        },
        () => {
          called.push('c');
          return Promise.reject(new Error('c broke later'));
        },
        () => {
          called.push('d');
          return Promise.resolve('done');
        },
      ],
      { onFailure: (reason) => failures.push((reason as Error).message) },
    );
    expect(called).toEqual(['a', 'b', 'c', 'd']);
    expect(failures).toEqual(['a broke at once', 'c broke later']);
  });

  it('stops waiting for a step at the bound and reports it late; the others still count', async () => {
    const failures: unknown[] = [];
    let finished = false;
    await settle(
      [
        () => new Promise(() => {}),
        () => new Promise<void>((resolve) => setImmediate(resolve)).then(() => void (finished = true)),
      ],
      { timeoutMs: 50, onFailure: (reason) => failures.push((reason as Error).message) },
    );
    expect(finished).toBe(true);
    expect(failures).toEqual(['step not done within 50 ms']);
  });

  it('waits for a step as long as it takes without a bound', async () => {
    let finished = false;
    const failures: unknown[] = [];
    await settle(
      [() => new Promise<void>((resolve) => setTimeout(resolve, 30)).then(() => void (finished = true))],
      {
        onFailure: (reason) => failures.push(reason),
      },
    );
    expect(finished).toBe(true);
    expect(failures).toEqual([]);
  });
});
