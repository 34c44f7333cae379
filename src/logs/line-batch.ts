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
}

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
  for (const batch of pendingBatches) {
    try {
      batch.flush();
      batch.flushDestinationSync();
    } catch {
      // a destroyed destination has nothing left to write to
    }
  }
}

class LineBatch implements LineOutput {
  private pending = '';
  private readonly handOver = () => this.flush();

  constructor(
    private readonly destination: Destination,
    private readonly maxPending: number,
  ) {
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
    this.destination.write(chunk);
  }

  flushDestinationSync(): void {
    this.destination.flushSync?.();
  }
}
