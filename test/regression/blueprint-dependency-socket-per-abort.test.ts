// Regression: every lookup cut off by the enrichment budget destroyed its keep-alive socket, so a
// slow dependency cost a new TCP connection per request exactly when it was already slow. An
// aborted lookup now finishes in the background and its socket goes back to the pool.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Enricher } from '../../examples/blueprint/enrichment.js';

let server: Server;
let url: string;
let connections = 0;

beforeAll(async () => {
  // A real dependency that answers after 120 ms, well past the 40 ms budget below.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"values":{}}');
      }, 120),
    );
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('enrichment under a slow dependency', () => {
  it('keeps its keep-alive sockets when the budget cuts lookups off', async () => {
    const enricher = new Enricher([{ name: 'slow', url }], 40, trace.getTracer('test'));
    const deadline = new AbortController().signal;
    for (let i = 0; i < 12; i++) {
      const result = await enricher.enrich([`k${i}`], deadline, ROOT_CONTEXT);
      expect(result.missing).toEqual(['slow']);
      // Spaced like requests, so an abandoned exchange has time to finish and free its socket.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    enricher.close();
    // Destroyed on abort, this was 12: one connection per lookup.
    expect(connections).toBeLessThanOrEqual(3);
  });
});
