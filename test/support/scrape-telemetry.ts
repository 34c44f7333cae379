// GET /metrics of a Telemetry over real HTTP: its metricsHandler behind a node:http server on an
// ephemeral 127.0.0.1 port, closed after the one scrape.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Telemetry } from '../../src/index.js';

export const OPENMETRICS_ACCEPT = 'application/openmetrics-text; version=1.0.0';

/** The body of one scrape; `accept` picks the format (text 0.0.4 without it). */
export async function scrapeTelemetry(
  of: Pick<Telemetry, 'metricsHandler'>,
  accept?: string,
): Promise<string> {
  const server = createServer((request, response) => of.metricsHandler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const headers: Record<string, string> = accept === undefined ? {} : { accept };
    return await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers })).text();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
