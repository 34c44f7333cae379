// GET /metrics for node:http (or anything with the same request/response shape), with the
// format negotiated from Accept. It answers whatever path the app routes to it: the app owns its
// routes (a CommonJS express app with prom-client on /metrics mounted plumbline's handler on
// /plumbline/metrics and got 404 "not found"). With `more`, families read from elsewhere (the OTel meter
// provider's instruments) are served after the spec's, before OpenMetrics' closing `# EOF`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from './create-metrics.js';
import { negotiateFormat, type ExpositionFormat } from './content-negotiation.js';

/** More families for /metrics: their text, leaving out the family names already written. */
export interface MoreMetrics {
  exposition(format: ExpositionFormat, taken: ReadonlySet<string>): Promise<string>;
}

const EOF = '# EOF\n';

export function metricsRequestHandler(
  metrics: Pick<Metrics, 'serialize'>,
  more?: MoreMetrics,
): (request: IncomingMessage, response: ServerResponse) => void {
  // Nothing here may throw into the host's server, nor leave a rejected promise behind (Node ends
  // the process on an unhandled rejection): every path ends in send or fail, which never throw.
  return (request, response) => {
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response
          .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
          .end('method not allowed\n');
        return;
      }
      const { contentType, body } = metrics.serialize(request.headers.accept);
      if (more === undefined) {
        send(request, response, contentType, body);
        return;
      }
      const format = negotiateFormat(request.headers.accept);
      Promise.resolve(more.exposition(format, familyNames(body)))
        .then(
          (extra) => {
            if (extra === '') send(request, response, contentType, body);
            else if (format === 'openmetrics' && body.endsWith(EOF))
              send(request, response, contentType, body.slice(0, -EOF.length) + extra + EOF);
            else send(request, response, contentType, body + extra);
          },
          // The spec's families are still served when the meter provider's cannot be read.
          () => send(request, response, contentType, body),
        )
        .catch((error: unknown) => fail(response, error));
    } catch (error) {
      fail(response, error);
    }
  };
}

/** Answers 200 with the body; never throws (a response that cannot be written goes to fail). */
function send(request: IncomingMessage, response: ServerResponse, contentType: string, body: string): void {
  try {
    if (response.destroyed) return;
    response.writeHead(200, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      vary: 'Accept',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch (error) {
    fail(response, error);
  }
}

/**
 * Best effort, and never throws: answers 500 when the response can still be written, else cuts
 * it off, else gives up (a response whose writes throw, or no response at all).
 */
function fail(response: ServerResponse, error: unknown): void {
  // The host's server keeps running; the scraper sees a failed scrape.
  try {
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    response.end(`metrics exposition failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return;
  } catch {
    // The response cannot be written: close its connection instead, so the scraper is not left waiting.
  }
  try {
    response.destroy?.();
  } catch {
    // Nothing more can be done for this scrape.
  }
}

/** The family names of `# TYPE` lines, counters under both their OpenMetrics and `_total` names. */
function familyNames(body: string): Set<string> {
  const names = new Set<string>();
  let at = body.startsWith('# TYPE ') ? 0 : body.indexOf('\n# TYPE ');
  while (at !== -1) {
    const start = body.charCodeAt(at) === 10 ? at + 8 : at + 7;
    const end = body.indexOf('\n', start);
    const [name, type] = body.slice(start, end === -1 ? undefined : end).split(' ');
    if (name !== undefined) {
      names.add(name);
      if (type === 'counter') names.add(`${name.replace(/_total$/, '')}_total`);
    }
    at = end === -1 ? -1 : body.indexOf('\n# TYPE ', end);
  }
  return names;
}
