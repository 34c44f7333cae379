// GET /metrics for node:http (or anything with the same request/response shape), with the
// format negotiated from Accept.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from './create-metrics.js';

export function metricsRequestHandler(
  metrics: Pick<Metrics, 'serialize'>,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    try {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response
          .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
          .end('method not allowed\n');
        return;
      }
      const { contentType, body } = metrics.serialize(request.headers.accept);
      response.writeHead(200, {
        'content-type': contentType,
        'content-length': Buffer.byteLength(body),
        vary: 'Accept',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      // The host's server keeps running; the scraper sees a failed scrape.
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(`metrics exposition failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
}
