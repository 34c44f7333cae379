// Counts what a collector rejected in exports it accepted (an OTLP partial success) for OTel's
// own OTLP/HTTP span and log exporters: they count those items as exported and only warn about
// them through diag. plumbline's metric exporter counts its rejected data points itself.

import { diag } from '@opentelemetry/api';
import { partialSuccessCount } from '../metrics/otlp-json-exporter.js';
import type { SelfCounter } from '../metrics/self-metrics.js';
import { sdkSeries } from '../spec/naming.js';

/** Spans a collector rejected in span exports it accepted. */
export const OTLP_REJECTED_SPANS = sdkSeries.otlpRejectedSpans;
/** Log records a collector rejected in log exports it accepted. */
export const OTLP_REJECTED_LOG_RECORDS = sdkSeries.otlpRejectedLogRecords;

interface ResponseHandler {
  handleResponse(response: unknown): void;
}

/**
 * Reads the answer to every export an OTLP exporter of otlp-exporter-base makes (the 2.x and 3.x
 * lines: `exporter._delegate._responseHandler`, told each accepted export's decoded answer) and
 * counts its partialSuccess's `field` in `rejected`. Those parts are not OTel's public API: an
 * exporter without them is left as it is (false, said on diag at debug), its rejections uncounted.
 */
export function countPartialSuccess(
  exporter: object,
  field: 'rejectedSpans' | 'rejectedLogRecords',
  rejected: SelfCounter,
): boolean {
  const delegate = (exporter as { _delegate?: { _responseHandler?: unknown } })._delegate;
  const handler = delegate?._responseHandler as Partial<ResponseHandler> | undefined;
  if (delegate === undefined || handler === undefined || typeof handler.handleResponse !== 'function') {
    diag.debug(
      `plumbline: this OTLP exporter's answers cannot be read; a partial success's ${field} is not counted`,
    );
    return false;
  }
  const wrapped: ResponseHandler = {
    handleResponse(response: unknown) {
      try {
        const partial = (response as { partialSuccess?: unknown } | null | undefined)?.partialSuccess;
        const count =
          typeof partial === 'object' && partial !== null
            ? partialSuccessCount((partial as Record<string, unknown>)[field])
            : 0;
        if (count > 0) rejected.add(count, {});
      } catch {
        // Counting must not turn an accepted export into a failed one.
      }
      // OTel's own handler still warns about it.
      (handler as ResponseHandler).handleResponse(response);
    },
  };
  delegate._responseHandler = wrapped;
  return true;
}
