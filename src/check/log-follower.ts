// Reads event log lines as they are written: a file followed from its start (like tail -F, and
// waiting for it to appear), or a stream such as stdin. Lines are handed over whole. A file that
// shrinks below what was read (a copy-truncate rotation) is read again from its start; when the
// name comes to point at another file (a rotation that renames and creates), the rest of the old
// one is read, then the new one from its start. A file that opens and cannot be read (a
// directory) is the follower's error, as one that cannot be opened.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface LogFollower {
  /** Reads what is left and stops; resolves once every line has been handed over. */
  stop(): Promise<void>;
  /** Why the source could not be read, if it could not. */
  readonly error: () => string | undefined;
}

const POLL_MS = 100;
const CHUNK_BYTES = 1 << 20;

export function followFile(path: string, onLine: (line: string) => void): LogFollower {
  let handle: FileHandle | undefined;
  /** The open file's identity, to tell when the name points at another one. */
  let identity: { dev: number; ino: number } | undefined;
  let offset = 0;
  let partial = '';
  let error: string | undefined;
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  let decoder = new TextDecoder();
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);

  /** Hands over the lines of what the open file holds past `offset`. */
  const readToEnd = async (file: FileHandle): Promise<void> => {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      partial += decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
    }
  };
  /** Forgets the open file (its last line, unterminated, is handed over when `flush`). */
  const closeFile = async (flush: boolean): Promise<void> => {
    const file = handle;
    handle = undefined;
    identity = undefined;
    offset = 0;
    if (flush && partial !== '') onLine(partial);
    partial = '';
    decoder = new TextDecoder();
    await file?.close().catch(() => {});
  };

  const readMore = async (): Promise<void> => {
    try {
      if (handle !== undefined) {
        // Rotated away: the name now points at another file (or none). Read the rest of this one.
        const current = await stat(path).catch(() => undefined);
        if (current !== undefined && (current.dev !== identity!.dev || current.ino !== identity!.ino)) {
          await readToEnd(handle);
          await closeFile(true);
        }
      }
      if (handle === undefined) {
        try {
          handle = await open(path, 'r');
        } catch (e) {
          error = `cannot read ${path}: ${(e as Error).message}`;
          return;
        }
        const opened = await handle.stat();
        identity = { dev: opened.dev, ino: opened.ino };
      }
      // Cut below what was read (copy-truncate): the service writes on from the start.
      if ((await handle.stat()).size < offset) {
        offset = 0;
        partial = '';
        decoder = new TextDecoder();
      }
      await readToEnd(handle);
      error = undefined;
    } catch (e) {
      // Opened, and cannot be read (EISDIR, EIO): tried again at the next poll.
      error = `cannot read ${path}: ${(e as Error).message}`;
      await closeFile(false);
    }
  };
  const timer = setInterval(() => {
    busy = busy.then(readMore);
  }, POLL_MS);
  timer.unref();
  busy = busy.then(readMore);

  return {
    error: () => error,
    async stop() {
      if (stopped) return busy;
      stopped = true;
      clearInterval(timer);
      busy = busy.then(readMore).then(() => closeFile(true));
      return busy;
    },
  };
}

export function followStream(stream: Readable, onLine: (line: string) => void): LogFollower {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let error: string | undefined;
  let stopped = false;
  lines.on('line', (line) => {
    if (!stopped) onLine(line);
  });
  stream.on('error', (e) => (error = `cannot read the log stream: ${e.message}`));
  return {
    error: () => error,
    async stop() {
      // Lines already buffered by readline have been delivered synchronously; later ones are not read.
      stopped = true;
      lines.close();
    },
  };
}
