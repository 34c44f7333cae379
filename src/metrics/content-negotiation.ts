// Picks the exposition format from an HTTP Accept header (RFC 9110 media ranges with q values).
// Prometheus asks for `application/openmetrics-text;version=1.0.0,...;text/plain;version=0.0.4;q=0.5,*/*;q=0.1`.

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** OpenMetrics versions whose text this writer produces (1.0.0; 0.0.1 is the same format). */
const OPENMETRICS_VERSIONS = new Set(['1.0.0', '0.0.1']);

/**
 * OpenMetrics when the client prefers it strictly over the text format; the text format otherwise.
 * Each format's quality is that of the most specific range that matches it (RFC 9110 12.5.1):
 * `text/plain;q=0` refuses the text format although the any-type range beside it would take it.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || accept.trim() === '') return 'prometheus';
  let openMetrics: number | undefined;
  let text: number | undefined;
  let textRange: number | undefined;
  let anyRange: number | undefined;
  const max = (a: number | undefined, b: number) => (a === undefined || b > a ? b : a);
  for (const range of accept.split(',')) {
    const [mediaType = '', ...parameters] = range.split(';').map((part) => part.trim());
    let quality = 1;
    let version: string | undefined;
    for (const parameter of parameters) {
      const [key = '', raw = ''] = parameter.split('=').map((part) => part.trim());
      // A parameter value may be a quoted string: version="1.0.0".
      const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
      if (key.toLowerCase() === 'q') quality = Number(value);
      else if (key.toLowerCase() === 'version') version = value;
    }
    if (!(quality >= 0 && quality <= 1)) continue;
    const type = mediaType.toLowerCase();
    if (type === 'application/openmetrics-text') {
      if (version === undefined || OPENMETRICS_VERSIONS.has(version)) openMetrics = max(openMetrics, quality);
    } else if (type === 'text/plain') text = max(text, quality);
    else if (type === 'text/*') textRange = max(textRange, quality);
    else if (type === '*/*') anyRange = max(anyRange, quality);
  }
  const openMetricsQuality = openMetrics ?? anyRange ?? 0;
  const textQuality = text ?? textRange ?? anyRange ?? 0;
  return openMetricsQuality > 0 && openMetricsQuality > textQuality ? 'openmetrics' : 'prometheus';
}

export function contentTypeOf(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
}
