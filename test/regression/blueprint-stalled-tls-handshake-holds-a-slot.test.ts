// Regression: on HTTPS, a client that sent the first bytes of a TLS handshake and then nothing
// held its connection for Node's default handshakeTimeout, 120 s, whatever headers_timeout said;
// having sent bytes, it was never idle, so the connection guard could not give its slot to a
// newcomer (noted after the session-8 connection-guard work, left then). The handshake is now bounded
// by headers_timeout, like a slow request head, and its end is a tls.handshake_failed event.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsAcmeBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';
import { waitFor } from '../support/process.js';

const HEADERS_TIMEOUT_MS = 1_000;
/** How late a timeout may fire: Node checks connections twice a second (TIMEOUT_CHECK_MS). */
const SLACK_MS = 1_000;

let blueprint: InProcessBlueprint;
let securityLog: string;

beforeAll(async () => {
  blueprint = await startTlsAcmeBlueprint('blueprint-tls-stall-', 'acme-token-0123456789', {
    headers_timeout_ms: HEADERS_TIMEOUT_MS,
    request_timeout_ms: 5_000,
  });
  securityLog = join(blueprint.dir, 'security.ndjson');
}, 60_000);

afterAll(() => blueprint?.stop());

/** Ms from `since` until the socket closes, or Infinity if it is still open at `deadlineMs`. */
function closedAfter(socket: Socket, since: number, deadlineMs: number): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(Number.POSITIVE_INFINITY), deadlineMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(performance.now() - since);
    });
  });
}

describe('regression: a stalled TLS handshake held its connection for 120 s', () => {
  it('closes handshakes that stall within 1 s of headers_timeout, as tls.handshake_failed events', async () => {
    const { hostname, port } = new URL(blueprint.service.url);
    const opened = performance.now();
    const sockets = Array.from({ length: 5 }, () => {
      const socket = connect(Number(port), hostname);
      socket.on('error', () => {});
      // A TLS record header announcing a 512-byte handshake message, and nothing after it.
      socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
      return socket;
    });
    const times = await Promise.all(
      sockets.map((socket) => closedAfter(socket, opened, HEADERS_TIMEOUT_MS + 5_000)),
    );
    for (const socket of sockets) socket.destroy();
    const shown = times.map((t) => t.toFixed(0)).join(', ');
    expect(Math.max(...times), shown).toBeLessThanOrEqual(HEADERS_TIMEOUT_MS + SLACK_MS);
    expect(Math.min(...times), shown).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    // Security events are folded per source: the first is written at once, repeats later as a count.
    const timeout = await waitFor(
      'a tls.handshake_failed event for a handshake timeout',
      () =>
        readFileSync(securityLog, 'utf8')
          .split('\n')
          .filter((line) => line.includes('"tls.handshake_failed"'))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find((event) => event['error'] === 'ERR_TLS_HANDSHAKE_TIMEOUT'),
      5_000,
    );
    expect(timeout).toMatchObject({ source: '127.0.0.1', outcome: 'refused' });
  }, 30_000);
});
