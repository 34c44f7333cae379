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

/** One scrape; rejects with a message naming the URL when the endpoint does not answer 200. */
export async function scrapeMetrics(url: string, timeoutMs = 10_000): Promise<Scrape> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: SCRAPE_ACCEPT },
      signal: AbortSignal.timeout(timeoutMs),
    });
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
}
