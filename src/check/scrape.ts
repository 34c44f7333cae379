// Scrapes a /metrics endpoint the way Prometheus does, asking for OpenMetrics first (units and
// exemplars exist only there) and accepting the 0.0.4 text a server may fall back to.
import { readBoundedBody } from '../read-bounded-body.js';
import { parseExposition, type ParsedExposition } from './openmetrics-parser.js';

export const SCRAPE_ACCEPT =
  'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/**
 * The largest /metrics body read, in bytes once decoded (fetch undoes a gzip Content-Encoding):
 * past it the scrape fails, so neither a runaway exposition nor a gzip bomb is held in memory.
 * plumbline's own /metrics at its cardinality caps is a few MiB.
 */
export const MAX_SCRAPE_BODY_BYTES = 32 * 1024 * 1024;

export interface Scrape {
  readonly openMetrics: boolean;
  readonly contentType: string;
  readonly exposition: ParsedExposition;
}

/** A scrape that failed; `unreachable` when no connection answered (refused, reset before a response). */
export class ScrapeError extends Error {
  constructor(
    message: string,
    readonly unreachable: boolean,
  ) {
    super(message);
    this.name = 'ScrapeError';
  }
}

/**
 * One scrape; rejects with a ScrapeError naming the URL when the endpoint does not answer 200
 * within `timeoutMs` (the body read included), answers a body past `maxBytes`, or when `signal`
 * aborts it first.
 */
export async function scrapeMetrics(
  url: string,
  timeoutMs = 10_000,
  signal?: AbortSignal,
  maxBytes = MAX_SCRAPE_BODY_BYTES,
): Promise<Scrape> {
  // The timeout's or the caller's abort, whichever comes first (AbortSignal.any is Node 20.3+).
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    timeoutMs,
  );
  timer.unref();
  const onAbort = () => abort.abort(signal?.reason);
  if (signal?.aborted === true) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: SCRAPE_ACCEPT }, signal: abort.signal });
    } catch (error) {
      // undici says only "fetch failed"; its cause names what failed (connect ECONNREFUSED ...).
      const cause = (error as Error).cause;
      const why = cause instanceof Error ? `: ${cause.message}` : '';
      throw new ScrapeError(`GET ${url}: ${(error as Error).message}${why}`, !abort.signal.aborted);
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {});
      throw new ScrapeError(`GET ${url}: HTTP ${response.status}`, false);
    }
    const contentType = response.headers.get('content-type') ?? '';
    const text = await readBounded(url, response, maxBytes);
    return {
      openMetrics: contentType.toLowerCase().startsWith('application/openmetrics-text'),
      contentType,
      exposition: parseExposition(text),
    };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The body as text, read no further than `maxBytes` (decoded bytes: a gzip bomb stops there too). */
async function readBounded(url: string, response: Response, maxBytes: number): Promise<string> {
  let body: Buffer | 'too_long';
  try {
    body = await readBoundedBody(response, maxBytes);
  } catch (error) {
    throw new ScrapeError(`GET ${url}: ${(error as Error).message}`, false);
  }
  if (body === 'too_long')
    throw new ScrapeError(`GET ${url}: body larger than ${maxBytes} bytes (maxScrapeBytes)`, false);
  return new TextDecoder().decode(body);
}
