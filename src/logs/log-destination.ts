// Where event lines go: a pino.destination (sonic-boom) opened for a path or file descriptor,
// bounded and counted, and the flush that waits until what was written before is out. Only
// sonic-boom's public API is used: write(), and its 'ready', 'drain', 'drop' and 'error' events.
import { mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DestinationStream } from 'pino';
import { pinoOnUse } from './pino-on-use.js';
import { takesManyLinesPerWrite } from './line-batch.js';

/**
 * A stream object is used as given; a path or file descriptor gets an asynchronous
 * pino.destination that drops (and reports through `onDrop`) writes past `maxBufferedBytes`.
 * A path is opened here, at once: one that cannot be opened fails the setup naming it.
 */
export function resolveDestination(
  destination: DestinationStream | string | number | undefined,
  maxBufferedBytes: number,
  onDrop: ((bytes: number, lines: number) => void) | undefined,
): DestinationStream {
  if (destination !== undefined && typeof destination === 'object') return destination;
  const opened = typeof destination === 'string' ? openLogFile(destination) : destination;
  const stream = pinoOnUse().destination({
    dest: opened ?? 1,
    sync: false,
    mkdir: typeof opened === 'string',
    // Log files may hold what users sent: readable by the owner only.
    mode: 0o600,
    maxLength: maxBufferedBytes,
  });
  // sonic-boom emits 'drop' with the data it could not buffer: count, never block the app.
  (stream as unknown as NodeJS.EventEmitter).on('drop', (data: string | Buffer) =>
    onDrop?.(data.length, linesIn(data)),
  );
  (stream as unknown as NodeJS.EventEmitter).on('error', () => onDrop?.(0, 1));
  return stream;
}

/**
 * The file's descriptor, opened for appending (its directory made first). Left to sonic-boom,
 * which opens a path in the background, a path that could not be opened (a directory the service
 * may not write, /var/log as a user) gave no word at setup, then its first line threw
 * ERR_OUT_OF_RANGE (fd -1) from a microtask and ended the app, and its exit threw "sonic boom is
 * not ready yet". A named pipe stays sonic-boom's to open: opening it here would wait for a reader.
 */
function openLogFile(path: string): number | string {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isFIFO() === true) return path;
    makeDirectories(dirname(path));
    return openSync(path, 'a', 0o600);
  } catch (error) {
    throw new Error(
      `plumbline: cannot open the log file ${JSON.stringify(path)} for appending ` +
        `(${error instanceof Error ? error.message : String(error)}): give a path the service may ` +
        `write, a file descriptor or a stream`,
      { cause: error },
    );
  }
}

/**
 * The missing directories of `directory`, made top down, one mkdir each. Not mkdirSync's
 * `recursive`: where mkdir answers ENOENT under a parent that exists (procfs, sysfs:
 * /proc/nope/events.ndjson) Node's recursive mkdir retries for ever, and the setup hung
 * (regression: log-directory-that-cannot-be-made-hangs-setup).
 */
function makeDirectories(directory: string): void {
  const missing: string[] = [];
  for (let at = directory; statSync(at, { throwIfNoEntry: false }) === undefined; at = dirname(at)) {
    if (dirname(at) === at) break;
    missing.push(at);
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!);
    } catch (error) {
      // Made meanwhile by another process: as good.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Lines in a dropped write: each ends with a newline. */
function linesIn(data: string | Buffer): number {
  let lines = 0;
  for (let at = data.indexOf('\n'); at !== -1; at = data.indexOf('\n', at + 1)) lines++;
  return Math.max(1, lines);
}

/** The longest a flush waits for a slow destination: shutdown must not hang on a blocked pipe. */
const FLUSH_WAIT_MS = 5_000;

interface SonicBoomEvents {
  write(data: string): unknown;
  once(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
  destroyed?: boolean;
}

/**
 * Resolves once what was written to the destination before is out (or it failed), at most
 * FLUSH_WAIT_MS later. sonic-boom's flush(cb) calls back at once when it has no minimum write
 * length (our destinations have none), so for a sonic-boom this writes an empty string instead
 * and waits for 'drain': the empty write queues behind whatever is buffered or in flight, and
 * 'drain' comes when all of it is written (sonic-boom's own flush writes an empty buffer the
 * same way when it has a minimum length). A file still opening takes the empty write into its
 * buffer without starting one, so it is written again on 'ready'. Other streams: flush(cb).
 */
export function flushDestination(destination: DestinationStream | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (destination === undefined) return resolve();
    if (
      takesManyLinesPerWrite(destination) &&
      typeof (destination as Partial<SonicBoomEvents>).once === 'function'
    )
      return waitForDrain(destination as unknown as SonicBoomEvents, resolve);
    const stream = destination as { flush?: (cb?: (error?: Error) => void) => void; destroyed?: boolean };
    if (typeof stream.flush !== 'function' || stream.destroyed === true) return resolve();
    const timer = setTimeout(resolve, FLUSH_WAIT_MS);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      // A failed flush is counted by the stream's own 'error' listener; either way it is over.
      stream.flush(done);
    } catch {
      done(); // a closed destination has nothing left to flush
    }
  });
}

function waitForDrain(stream: SonicBoomEvents, resolve: () => void): void {
  if (stream.destroyed === true) return resolve();
  const done = () => {
    clearTimeout(timer);
    stream.off('drain', done);
    stream.off('error', done);
    stream.off('ready', writeEmpty);
    resolve();
  };
  function writeEmpty(): void {
    try {
      stream.write('');
    } catch {
      done(); // destroyed meanwhile: nothing left to write
    }
  }
  const timer = setTimeout(done, FLUSH_WAIT_MS);
  timer.unref();
  stream.once('drain', done);
  stream.once('error', done);
  stream.once('ready', writeEmpty);
  writeEmpty();
}
