// With `spans.server.convention: 'http'`, the spec holds server spans to the OTel HTTP
// convention, which asks for error.type on every 5xx answer ("the status code number, as a
// string", when nothing names the error better). instrumentation-http (0.223 and its 3.x
// successors) sets it on its duration metric but not on the server span, so the NodeSDK recipe
// failed `check live` on every 5xx. This processor completes it while the span can still be
// written (onEnding, before any processor's onEnd: the tail sampler and export see it), and only
// where it is missing.
import { SpanKind, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ERROR_TYPE, HTTP_RESPONSE_STATUS_CODE } from '../spec/semconv-http.js';

export class HttpServerErrorTypeProcessor implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    if (span.kind !== SpanKind.SERVER) return;
    const attributes = span.attributes;
    if (attributes[ERROR_TYPE] !== undefined) return;
    const status = Number(attributes[HTTP_RESPONSE_STATUS_CODE]);
    if (status >= 500 && status <= 599) span.setAttribute(ERROR_TYPE, String(status));
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
