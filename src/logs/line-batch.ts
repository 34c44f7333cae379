// Lines for a pino.destination (sonic-boom) handed over once per turn of the event loop
// instead of one write per line: sonic-boom measures the byte length of its whole pending
// buffer on every write, which at a high line rate costs more than building the line. Nothing
// is delayed in practice: sonic-boom writes asynchronously anyway, after the current turn.

/** What the event logger writes lines to. */
export interface LineOutput {
  write(line: string): void;
  /** Hands over what is pending, before pino writes to the same destination or a flush. */
  flush(): void;
}

interface Destination {
  write(data: string): unknown;
  flushSync?: () => void;
  /** sonic-boom's events: 'write' (bytes written) after each write it completes. */
  on?: (event: 'write', listener: (bytes: number) => void) => unknown;
}

/**
 * The longest an exiting process waits for a write already in flight (sonic-boom's asynchronous
 * fs.write, done on libuv's thread pool): its flushSync skips a chunk in flight and writes the
 * rest at once, so without the wait a chunk handed over earlier in the same turn can land after
 * the lines that followed it (regression: line-batch.test.ts, "process.exit() in the same turn").
 */
const EXIT_WAIT_MS = 100;
const exitClock = new Int32Array(new SharedArrayBuffer(4));

/** Hand over now once this much is pending (sonic-boom's own write chunk is 16 KiB). */
const MAX_PENDING = 16 * 1024;

/** A destination that takes any number of lines per write: sonic-boom (pino.destination). */
export function takesManyLinesPerWrite(destination: object): boolean {
  const stream = destination as { flushSync?: unknown; reopen?: unknown; write?: unknown };
  return (
    typeof stream.write === 'function' &&
    typeof stream.flushSync === 'function' &&
    typeof stream.reopen === 'function'
  );
}

/**
 * `maxPending`: the most handed over in one write. A full destination drops a write whole, so
 * it is kept well under the destination's own bound (every dropped line is still counted).
 */
export function lineOutput(destination: Destination, maxPending = MAX_PENDING): LineOutput {
  return takesManyLinesPerWrite(destination)
    ? new LineBatch(destination, Math.max(1, Math.min(MAX_PENDING, maxPending)))
    : new DirectOutput(destination);
}

class DirectOutput implements LineOutput {
  constructor(private readonly destination: Destination) {}
  write(line: string): void {
    this.destination.write(line);
  }
  flush(): void {}
}

/** Batches with lines pending: an exiting process hands them over before sonic-boom's exit flush. */
const pendingBatches = new Set<LineBatch>();
let exitHookInstalled = false;

function onExit(): void {
  for (const batch of new Set([...pendingBatches, ...inFlight])) {
    try {
      batch.flush();
      // The pool's thread finishes the write on its own; the main thread only has to let it run.
      if (batch.hasWriteInFlight()) Atomics.wait(exitClock, 0, 0, EXIT_WAIT_MS);
      batch.flushDestinationSync();
    } catch {
      // a destroyed destination has nothing left to write to
    }
  }
}

/** Batches whose destination has not yet reported writing all they handed over. */
const inFlight = new Set<LineBatch>();

class LineBatch implements LineOutput {
  private pending = '';
  private readonly handOver = () => this.flush();

  /** UTF-16 length handed over and not yet reported written (a byte count would cost a pass). */
  private unwritten = 0;

  constructor(
    private readonly destination: Destination,
    private readonly maxPending: number,
  ) {
    destination.on?.('write', (bytes: number) => {
      // Bytes against UTF-16 units: an upper bound for ASCII lines, a lower one for others;
      // either way it reaches 0 once everything handed over is written.
      this.unwritten = Math.max(0, this.unwritten - bytes);
      if (this.unwritten === 0) inFlight.delete(this);
    });
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // First, so it runs before pino's own exit flush of the destination.
      process.prependListener('exit', onExit);
    }
  }

  write(line: string): void {
    if (this.pending !== '' && this.pending.length + line.length > this.maxPending) this.flush();
    if (this.pending === '') {
      pendingBatches.add(this);
      queueMicrotask(this.handOver);
    }
    this.pending += line;
  }

  flush(): void {
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    pendingBatches.delete(this);
    this.unwritten += chunk.length;
    inFlight.add(this);
    this.destination.write(chunk);
  }

  hasWriteInFlight(): boolean {
    return this.unwritten > 0;
  }

  flushDestinationSync(): void {
    this.destination.flushSync?.();
  }
}
