// Reads event log lines as they are written: a file followed from its start (like tail -f, and
// waiting for it to appear), or a stream such as stdin. Lines are handed over whole.
import { open, type FileHandle } from 'node:fs/promises';
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
  let offset = 0;
  let partial = '';
  let error: string | undefined;
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const decoder = new TextDecoder();

  const readMore = async (): Promise<void> => {
    if (handle === undefined) {
      try {
        handle = await open(path, 'r');
        error = undefined;
      } catch (e) {
        error = `cannot read ${path}: ${(e as Error).message}`;
        return;
      }
    }
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      partial += decoder.decode(buffer.subarray(0, bytesRead), { stream: true });
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
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
      busy = busy.then(readMore).then(async () => {
        if (partial !== '') onLine(partial);
        partial = '';
        await handle?.close();
      });
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
