// Deadlines as AbortSignals with their own cleared timers. Not AbortSignal.timeout/any: their
// timers outlive the request, and a composite whose timeout source is only weakly held may
// never fire (seen here under load on Node 20: queued jobs outlived a 250 ms deadline by seconds).

export interface Deadline {
  readonly signal: AbortSignal;
  /** Aborts now with this reason (no-op once aborted). */
  abort(reason: Error): void;
  /** Clears the timer and the link to the parent; call when the work is over. */
  dispose(): void;
}

export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`deadline of ${ms} ms exceeded`);
    this.name = 'TimeoutError';
  }
}

/** A signal that aborts after `ms`, or when `parent` aborts, whichever is first. */
export function deadlineAfter(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError(ms)), ms);
  const onParentAbort = () => controller.abort(parent!.reason);
  if (parent !== undefined) {
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener('abort', onParentAbort, { once: true });
  }
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
