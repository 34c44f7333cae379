// The security-event stream: security events go to their own destination, and repeats of one
// event from one source with one outcome inside a window fold into one summary line with a
// count, so a flood of bad requests cannot flood the stream. Counts always add up.
import type { Logger as PinoLogger } from 'pino';

export interface SecurityStreamOptions {
  /** Length of a folding window in ms. Default 10,000. */
  readonly foldWindowMs?: number;
  /**
   * Lines written immediately per window (first sightings of an event+source); later first
   * sightings fold into one overflow summary. Default 100.
   */
  readonly maxLinesPerWindow?: number;
  readonly now?: () => number;
}

/**
 * Called with each summary line as it is written (the OTel Logs bridge gets what the stream
 * writes: first sightings and summaries, not every folded event).
 */
export type OnSummary = (event: string, method: LevelMethod, summary: Record<string, unknown>) => void;

interface FoldEntry {
  readonly event: string;
  readonly source: string;
  readonly logger: PinoLogger;
  readonly method: LevelMethod;
  /** Occurrences folded since the line was written (not counting the written one). */
  count: number;
  firstFolded: number;
  lastFolded: number;
  sample: Record<string, unknown> | undefined;
  /** The overflow's heaviest sources (only on the overflow entry). */
  sources?: TopSources;
}

/**
 * The heaviest sources of a stream in bounded memory: Space-Saving (Metwally, Agrawal, El Abbadi,
 * "Efficient computation of frequent and top-k elements in data streams", ICDT 2005). With
 * `capacity` counters, every source seen more than total/capacity times is among them, and a
 * count is over by at most `error` (the count of the counter it took over). So the overflow line
 * cannot hide a source that sends many events behind many that send a few.
 */
export class TopSources {
  private readonly counts = new Map<string, { count: number; error: number }>();

  constructor(private readonly capacity = TOP_SOURCE_COUNTERS) {}

  add(source: string): void {
    const entry = this.counts.get(source);
    if (entry !== undefined) {
      entry.count++;
      return;
    }
    if (this.counts.size < this.capacity) {
      this.counts.set(source, { count: 1, error: 0 });
      return;
    }
    let minSource = '';
    let min: { count: number; error: number } | undefined;
    for (const [name, counted] of this.counts)
      if (min === undefined || counted.count < min.count) {
        min = counted;
        minSource = name;
      }
    this.counts.delete(minSource);
    this.counts.set(source, { count: min!.count + 1, error: min!.count });
  }

  /** The `n` heaviest, largest first: count (an upper bound) and how much of it may be others'. */
  top(n: number): { source: string; count: number; error: number }[] {
    return [...this.counts]
      .map(([source, counted]) => ({ source, count: counted.count, error: counted.error }))
      .sort((a, b) => b.count - a.count || (a.source < b.source ? -1 : 1))
      .slice(0, n);
  }
}

/** Counters the overflow keeps (memory bound), and sources its summary line names. */
const TOP_SOURCE_COUNTERS = 64;
const TOP_SOURCES_REPORTED = 10;

export type LevelMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Not a JSON array, so no event's key (see offer). */
const OVERFLOW_KEY = '(overflow)';

/**
 * The event (and source) of the overflow summary: the first sightings past maxLinesPerWindow in a
 * window, folded into one line of plumbline's own (its line schema has a branch for it).
 */
export const SECURITY_OVERFLOW_EVENT = '(many)';

export class SecurityStream {
  private readonly foldWindowMs: number;
  private readonly maxLines: number;
  private readonly now: () => number;
  private entries = new Map<string, FoldEntry>();
  private linesThisWindow = 0;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  constructor(
    private readonly overflowLogger: PinoLogger,
    options: SecurityStreamOptions = {},
    private readonly onSummary?: OnSummary,
  ) {
    this.foldWindowMs = options.foldWindowMs ?? 10_000;
    this.maxLines = options.maxLinesPerWindow ?? 100;
    this.now = options.now ?? Date.now;
    this.timer = setInterval(() => this.closeWindow(), this.foldWindowMs);
    this.timer.unref();
  }

  /**
   * Writes the line now (true), or folds it into the current window's summary for its event and
   * source (false).
   */
  offer(logger: PinoLogger, method: LevelMethod, event: string, line: Record<string, unknown>): boolean {
    if (this.closed) {
      // No window closes any more to write a summary: each line is written as it comes (the
      // destination's byte bound still holds, and counts its drops).
      line.count = 1;
      logger[method](line);
      return true;
    }
    const source = typeof line.source === 'string' ? line.source : String(line.source);
    // The outcome is part of the key: a summary speaks for one event, one source, one outcome.
    // JSON keeps the parts apart whatever they hold (joined by \0, a source holding \0 folded
    // into another source's summary).
    const key = JSON.stringify([event, line.source ?? null, line.outcome ?? null]);
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.fold(entry, line);
      return false;
    }
    if (this.linesThisWindow < this.maxLines) {
      this.linesThisWindow++;
      this.entries.set(key, {
        event,
        source,
        logger,
        method,
        count: 0,
        firstFolded: 0,
        lastFolded: 0,
        sample: undefined,
      });
      line.count = 1;
      logger[method](line);
      return true;
    }
    let overflow = this.entries.get(OVERFLOW_KEY);
    if (overflow === undefined) {
      overflow = {
        event: SECURITY_OVERFLOW_EVENT,
        source: SECURITY_OVERFLOW_EVENT,
        logger: this.overflowLogger,
        method: 'warn',
        count: 0,
        firstFolded: 0,
        lastFolded: 0,
        sample: undefined,
        sources: new TopSources(),
      };
      this.entries.set(OVERFLOW_KEY, overflow);
    }
    overflow.sources!.add(source);
    this.fold(overflow, { event, ...line });
    return false;
  }

  /** Writes the summaries of the window and starts a new one. */
  closeWindow(): void {
    const entries = this.entries;
    this.entries = new Map();
    this.linesThisWindow = 0;
    for (const entry of entries.values()) {
      if (entry.count === 0) continue;
      const summary = {
        ...(entry.event === SECURITY_OVERFLOW_EVENT
          ? { event: SECURITY_OVERFLOW_EVENT, source: SECURITY_OVERFLOW_EVENT }
          : { source: entry.source, outcome: entry.sample?.outcome }),
        summary: true,
        count: entry.count,
        first_time: new Date(entry.firstFolded).toISOString(),
        last_time: new Date(entry.lastFolded).toISOString(),
        sample: entry.sample,
        ...(entry.sources === undefined ? {} : { top_sources: entry.sources.top(TOP_SOURCES_REPORTED) }),
      };
      entry.logger[entry.method](summary);
      if (this.onSummary !== undefined)
        try {
          this.onSummary(entry.event, entry.method, summary);
        } catch {
          // the bridge's failure is not the stream's: the line is written
        }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closeWindow();
    this.closed = true;
    clearInterval(this.timer);
  }

  private fold(entry: FoldEntry, line: Record<string, unknown>): void {
    const now = this.now();
    if (entry.count === 0) {
      entry.firstFolded = now;
      entry.sample = line;
    }
    entry.count++;
    entry.lastFolded = now;
  }
}
