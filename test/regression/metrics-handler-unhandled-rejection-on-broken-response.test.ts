// Regression: the /metrics handler answered a response whose writeHead() or end() threw (a wrapper
// whose write fails) by calling fail(), which wrote to the same response and threw again. With
// families from the meter provider (the asynchronous path, `more.exposition(...).then(...)`) that
// second throw became an unhandled promise rejection, which ends a Node process by default; a
// `null` or `{}` response threw out of the handler into the host's server. fail() is now best
// effort and never throws (500, else destroy, else nothing), and the promise chain ends in it.
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, metricsRequestHandler } from '../../src/metrics/index.js';
import type { MoreMetrics } from '../../src/metrics/request-handler.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

const spec = {
  service: { name: 'svc' },
  events: {},
  counters: { 'http.requests': { description: 'Requests.', attributes: ['outcome'] } },
} as const satisfies TelemetrySpec;

/** Families from elsewhere, as the meter provider's reader gives them: read asynchronously. */
const more: MoreMetrics = {
  exposition: async () => '# TYPE app_up gauge\napp_up 1\n',
};

const request = { url: '/metrics', method: 'GET', headers: {} } as IncomingMessage;

/** A response wrapper whose writes fail, as one around a broken stream does. */
function brokenResponse(): ServerResponse {
  return {
    headersSent: false,
    destroyed: false,
    writeHead() {
      throw new Error('write failed');
    },
    end() {
      throw new Error('write failed');
    },
  } as unknown as ServerResponse;
}

let rejections: unknown[];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeEach(() => {
  rejections = [];
  process.on('unhandledRejection', onRejection);
});
afterEach(() => {
  process.off('unhandledRejection', onRejection);
});

/** Long enough for the exposition's promise chain to settle and Node to report what it left. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('metrics-handler-unhandled-rejection-on-broken-response', () => {
  it('leaves no unhandled rejection when writeHead throws on the asynchronous path', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    metrics.counter('http.requests').add(1, { outcome: 'ok' });
    const handler = metricsRequestHandler(metrics, more);
    expect(handler(request, brokenResponse())).toBeUndefined();
    await settled();
    expect(rejections).toEqual([]);
  });

  it('does not throw, nor leave a rejection, for a null or {} response', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    for (const handler of [metricsRequestHandler(metrics), metricsRequestHandler(metrics, more)])
      for (const response of [null, {}]) expect(() => handler(request, response as never)).not.toThrow();
    await settled();
    expect(rejections).toEqual([]);
  });

  it('cuts off a real connection whose response cannot be written, and the server keeps serving', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const handler = metricsRequestHandler(metrics, more);
    // The app wraps node:http's response; the wrapper's writeHead fails, destroy reaches the socket.
    const server = createServer((incoming, response) => {
      if (incoming.url === '/broken')
        handler(incoming, {
          get headersSent() {
            return response.headersSent;
          },
          get destroyed() {
            return response.destroyed;
          },
          writeHead() {
            throw new Error('write failed');
          },
          end() {
            throw new Error('write failed');
          },
          destroy: (error?: Error) => response.destroy(error),
        } as unknown as ServerResponse);
      else handler(incoming, response);
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const broken = httpRequest({ host: '127.0.0.1', port, path: '/broken' }).end();
      // Before the fix nothing answered or closed the connection: the client waited forever.
      broken.setTimeout(2000, () => broken.destroy(new Error('neither answered nor closed within 2 s')));
      const [error] = (await once(broken, 'error')) as [NodeJS.ErrnoException];
      expect(error.code).toBe('ECONNRESET');

      const ok = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('app_up 1\n');
      await settled();
      expect(rejections).toEqual([]);
    } finally {
      server.close();
    }
  });
});
