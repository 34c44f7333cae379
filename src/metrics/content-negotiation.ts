// Picks the exposition format from an HTTP Accept header (RFC 9110 media ranges with q values).
// Prometheus asks for `application/openmetrics-text;version=1.0.0,...;text/plain;version=0.0.4;q=0.5,*/*;q=0.1`.

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** OpenMetrics versions whose text this writer produces (1.0.0; 0.0.1 is the same format). */
const OPENMETRICS_VERSIONS = new Set(['1.0.0', '0.0.1']);

/** OpenMetrics when the client prefers it strictly over the text format; the text format otherwise. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || accept.trim() === '') return 'prometheus';
  let openMetricsQuality = 0;
  let textQuality = 0;
  for (const range of accept.split(',')) {
    const [mediaType = '', ...parameters] = range.split(';').map((part) => part.trim());
    let quality = 1;
    let version: string | undefined;
    for (const parameter of parameters) {
      const [key = '', value = ''] = parameter.split('=').map((part) => part.trim());
      if (key.toLowerCase() === 'q') quality = Number(value);
      else if (key.toLowerCase() === 'version') version = value;
    }
    if (!(quality >= 0 && quality <= 1)) continue;
    const type = mediaType.toLowerCase();
    if (type === 'application/openmetrics-text') {
      if (version === undefined || OPENMETRICS_VERSIONS.has(version))
        openMetricsQuality = Math.max(openMetricsQuality, quality);
    } else if (type === 'text/plain' || type === 'text/*' || type === '*/*') {
      textQuality = Math.max(textQuality, quality);
    }
  }
  return openMetricsQuality > 0 && openMetricsQuality > textQuality ? 'openmetrics' : 'prometheus';
}

export function contentTypeOf(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
}
