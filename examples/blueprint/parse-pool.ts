// Large bodies are decoded, parsed and validated off the event loop, on a bounded pool of worker
// threads (piscina): a 1 MiB body costs about 20 ms of parsing, validating and serializing, and on
// the one thread every request shares that time delayed the latency-sensitive class behind it
// (checkout's p99 at 1.3-1.6x beside a best-effort flood of them). The loop keeps reading bodies
// and copying the results back.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { ValidationLimits } from './event-validation.js';
import type { ParseAnswer, ParseTask } from './parse-worker.js';

/** Bodies of this many bytes and more are parsed on the pool; smaller ones cost less than the hand-off. */
export const OFF_LOOP_BYTES = 64 * 1024;
/** Bodies that may wait for a thread, per thread, on top of those being parsed. */
const QUEUED_PER_THREAD = 2;
/** Share of the pool's places a best-effort tenant may hold, so latency-sensitive bodies find one. */
const BEST_EFFORT_PLACES = 0.5;

export interface ParsePoolStats {
  /** Bodies parsed on the pool. */
  parsed: number;
  /** Bodies refused because every place was taken (answered 503 with Retry-After). */
  shed: number;
  /**
   * Bodies whose request ended while they waited for a thread (never parsed): its deadline
   * passed, or its client left.
   */
  expired: number;
}

/** A place in the pool, held from a request's head through its parse. */
export interface ParsePlace {
  /**
   * Parses `body` on a worker (the place is given back when it settles). While it waits for a
   * thread, `signal` aborting (the request's deadline, or its client gone) ends the wait at once:
   * 'expired', the place given back, nothing parsed.
   */
  parse(body: Buffer, limits: ValidationLimits, deadline: number, signal?: AbortSignal): Promise<ParseAnswer>;
  /** Gives the place back unused; idempotent. */
  release(): void;
}

/**
 * A bounded parse pool: at most `threads` bodies parsed at once and `threads * 2` waiting;
 * anything more is refused when its head arrives, before its body is read, and counted.
 */
export class ParsePool {
  readonly stats: ParsePoolStats = { parsed: 0, shed: 0, expired: 0 };
  /** Places: bodies being read for the pool, waiting for a thread, or being parsed. */
  readonly places: number;
  private held = 0;
  /**
   * Bodies given to a thread: at most one per thread. The rest wait here rather than in piscina's
   * queue, where a body whose request ended kept its place until a thread took it, and was even
   * parsed when its client had left.
   */
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly pool: Piscina<ParseTask, ParseAnswer>;

  constructor(readonly threads = defaultThreads()) {
    this.places = threads * (1 + QUEUED_PER_THREAD);
    const here = import.meta.url;
    // From source (tsx, or vitest's own transform, which a worker thread does not inherit) the
    // worker is a .ts file and needs tsx loaded in its thread too.
    const fromSource = here.endsWith('.ts');
    this.pool = new Piscina<ParseTask, ParseAnswer>({
      filename: new URL(fromSource ? './parse-worker.ts' : './parse-worker.js', here).href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      execArgv:
        fromSource && !process.execArgv.some((arg) => arg.includes('tsx'))
          ? [...process.execArgv, '--import', 'tsx']
          : process.execArgv,
    });
  }

  /** A place for one body, or undefined (counted as shed) when the class's share is taken. */
  reserve(bestEffort: boolean): ParsePlace | undefined {
    const limit = bestEffort ? Math.max(1, Math.floor(this.places * BEST_EFFORT_PLACES)) : this.places;
    if (this.held >= limit) {
      this.stats.shed++;
      return undefined;
    }
    this.held++;
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      this.held--;
    };
    return {
      release,
      parse: (body, limits, deadline, signal) =>
        new Promise<ParseAnswer>((resolve, reject) => {
          const start = (): void => {
            signal?.removeEventListener('abort', leave);
            this.running++;
            this.run(body, limits, deadline).then((answer) => {
              if (answer.result === 'expired') this.stats.expired++;
              else this.stats.parsed++;
              resolve(answer);
            }, reject);
          };
          const leave = (): void => {
            const index = this.waiting.indexOf(start);
            if (index >= 0) this.waiting.splice(index, 1);
            this.stats.expired++;
            release();
            resolve(EXPIRED);
          };
          if (signal?.aborted) return leave();
          if (this.running < this.threads) return start();
          this.waiting.push(start);
          signal?.addEventListener('abort', leave, { once: true });
        }).finally(release),
    };
  }

  /** Runs one body on a thread, then hands the thread to the body waiting longest. */
  private async run(body: Buffer, limits: ValidationLimits, deadline: number): Promise<ParseAnswer> {
    // The body's own memory moves to the worker when it has an ArrayBuffer of its own (a
    // concatenation this large does); a slice of Node's shared pool is copied instead.
    const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const bytes = own ? body : new Uint8Array(body);
    try {
      return await this.pool.run(
        {
          body: bytes,
          limits: { maxEventsPerRequest: limits.maxEventsPerRequest, maxDepth: limits.maxDepth },
          deadline,
        },
        { transferList: [bytes.buffer as ArrayBuffer] },
      );
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Stops the threads once the tasks given to them are done. */
  close(): Promise<void> {
    return this.pool.close();
  }
}

const EXPIRED: ParseAnswer = { result: 'expired' };

/** One thread per core beside the event loop's, at most 2 (a body parse is short; more would only contend). */
function defaultThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}
