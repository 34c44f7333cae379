// A fetch Response's body read no further than a bound: the OTLP metric exporter reads the
// collector's answer with it, and check live a service's /metrics. The bound counts decoded bytes
// (fetch undoes a gzip Content-Encoding), so a small gzip that inflates past it stops there too.
import { Buffer } from 'node:buffer';

/**
 * The body, or 'too_long' once it passes `maxBytes` (the rest is cancelled unread). A declared
 * Content-Length past the bound refuses an identity body before reading (it counts encoded bytes,
 * so an encoded one is read to the bound). A failed read rejects with the stream's error.
 */
export async function readBoundedBody(response: Response, maxBytes: number): Promise<Buffer | 'too_long'> {
  if (response.body === null) return Buffer.alloc(0);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes && (response.headers.get('content-encoding') ?? 'identity') === 'identity') {
    response.body.cancel().catch(() => undefined);
    return 'too_long';
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => undefined);
      return 'too_long';
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
