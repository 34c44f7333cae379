// Scrapes a /metrics endpoint the way Prometheus does, asking for OpenMetrics first (units and
// exemplars exist only there) and accepting the 0.0.4 text a server may fall back to.
import { parseExposition, type ParsedExposition } from './openmetrics-parser.js';

export const SCRAPE_ACCEPT =
  'application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

export interface Scrape {
  readonly openMetrics: boolean;
  readonly contentType: string;
  readonly exposition: ParsedExposition;
}

/**
 * One scrape; rejects with a message naming the URL when the endpoint does not answer 200 within
 * `timeoutMs` (the body read included), or when `signal` aborts it first.
 */
export async function scrapeMetrics(url: string, timeoutMs = 10_000, signal?: AbortSignal): Promise<Scrape> {
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
      throw new Error(`GET ${url}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET ${url}: HTTP ${response.status}`);
    const contentType = response.headers.get('content-type') ?? '';
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
