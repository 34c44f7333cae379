// Calls every step of a flush or shutdown and waits for all of them, each for at most a bound
// when one is given: the fan-out's processors and telemetry.forceFlush()/shutdown()'s parts.
// A step that throws at once, rejects or is late is reported, never thrown.

/**
 * One step: a function, so that a step that throws at once (an app's span processor inside a
 * provider's shutdown) is one failed step, not a throw that keeps the steps after it from being
 * called. undefined: nothing to do.
 */
export type Step = () => Promise<unknown> | undefined;

export interface SettleOptions {
  /** How long each step is waited for (a black-holed endpoint, a blocked log pipe); none: no bound. */
  readonly timeoutMs?: number;
  /** Told why each step failed (what it threw or rejected with, or that it was late), in order. */
  readonly onFailure: (reason: unknown) => void;
}

/** Calls every step, even after one that throws at once; resolves when all are settled. */
export async function settle(steps: readonly Step[], options: SettleOptions): Promise<void> {
  const { timeoutMs, onFailure } = options;
  const running = steps.map((run) => {
    let step: Promise<unknown> | undefined;
    try {
      step = run();
    } catch (error) {
      step = Promise.reject(error);
    }
    if (step === undefined || timeoutMs === undefined) return step;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`step not done within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    return Promise.race([step, late]).finally(() => clearTimeout(timer));
  });
  for (const result of await Promise.allSettled(running)) {
    if (result.status === 'rejected') onFailure(result.reason);
  }
}
