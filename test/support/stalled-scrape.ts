// A /metrics server on loopback and a scraper that never reads its response: what the bounded
// scrape handler's tests hold a slot with.
import { createServer, request, type RequestListener } from 'node:http';
import { freePort } from './process.js';

/** Serves `listener` on a free loopback port; `cleanups` gets what closes it. Returns the port. */
export async function serveOnFreePort(
  listener: RequestListener,
  cleanups: (() => unknown)[],
): Promise<number> {
  const server = createServer(listener);
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  return port;
}

/**
 * Starts a scrape of `port` whose client never reads the response, and gives it 100 ms to reach
 * the server. With a body larger than loopback socket buffers hold (a few MiB each way), the
 * response stays in flight until the server cuts it off.
 */
export async function startStalledScrape(port: number, cleanups: (() => unknown)[]): Promise<void> {
  const slow = request(`http://127.0.0.1:${port}/metrics`);
  slow.on('error', () => {});
  slow.on('response', (res) => res.pause());
  slow.end();
  cleanups.push(() => slow.destroy());
  await new Promise((r) => setTimeout(r, 100));
}
