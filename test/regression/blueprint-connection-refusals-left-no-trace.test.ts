// Regression: connections the blueprint refused before any request reached it left no trace. A
// hostile-client trial dropped 13,527 connections over maxConnections and got 431, 400 and 408
// answers to oversized, malformed and slow request heads, with no metric, security event or log
// line; new clients saw 36% success, and nobody could tell why. Each refusal is now a
// connection.refused security event (folded per source, counted in
// plumbline_security_events_total{event,outcome}), on the admin listener too, which also got a
// per-address cap and the public listener's timeout checks.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectionRefusals,
  connectionRefusalsCounted,
  connectionRefusalsLogged,
  hostPort,
} from '../support/connection-refusals.js';
import { startAcmeBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';

const TOKEN = 'regression-connection-token-0123456789';

let blueprint: InProcessBlueprint;
const sockets: Socket[] = [];

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-connection-refusals-', TOKEN, {
    service: { max_connections: 6, max_connections_per_address: 3 },
    // The requests held in flight below wait for their bodies past any loaded machine's pace.
    tables: { ingress: { timeout_ms: 10_000 } },
  });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await blueprint?.stop();
});

/** Sends raw bytes on a new connection and returns what comes back before it closes. */
async function raw(url: string, bytes: string, localAddress?: string): Promise<string> {
  const socket = connect({ ...hostPort(url), ...(localAddress === undefined ? {} : { localAddress }) });
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(bytes);
  await once(socket, 'close');
  return answer;
}

/**
 * Opens a connection that stays open, sending `bytes` (nothing by default); resolves once it is
 * closed or 200 ms passed.
 */
async function idle(url: string, localAddress: string, bytes = ''): Promise<{ closed: boolean }> {
  const socket = connect({ ...hostPort(url), localAddress });
  sockets.push(socket);
  socket.on('error', () => undefined);
  const state = { closed: false };
  socket.once('close', () => (state.closed = true));
  await once(socket, 'connect').catch(() => undefined);
  if (bytes !== '') socket.write(bytes);
  await new Promise((resolve) => setTimeout(resolve, 200));
  return state;
}

/**
 * A request whose head has arrived and whose body is on its way: in flight, so its connection is
 * never closed for a newcomer (a head still arriving gives way once it has taken SLOW_HEAD_MS).
 */
const REQUEST_IN_FLIGHT =
  `POST /events HTTP/1.1\r\nhost: x\r\nx-tenant: acme\r\nauthorization: Bearer ${TOKEN}\r\n` +
  'content-type: application/json\r\ncontent-length: 100\r\n\r\n{';

describe('regression: connection refusals left no trace', () => {
  it('reports a request head Node refuses (431, 400), with the answer the client gets', async () => {
    const { url } = blueprint.service;
    const huge = await raw(
      url,
      `POST /events HTTP/1.1\r\nHost: x\r\ntraceparent: ${'a'.repeat(100_000)}\r\n\r\n`,
    );
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    const malformed = await raw(url, 'GARBAGE / NOT-HTTP\r\n\r\n');
    expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
    await connectionRefusalsLogged(blueprint, 'header_too_large', 'malformed_request');
    expect(await connectionRefusalsCounted(blueprint, 'header_too_large')).toBe(1);
    expect(await connectionRefusalsCounted(blueprint, 'malformed_request')).toBe(1);
    expect(connectionRefusals(blueprint)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          outcome: 'header_too_large',
          listener: 'public',
          status: 431,
          source: '127.0.0.1',
        }),
        expect.objectContaining({ outcome: 'malformed_request', listener: 'public', status: 400 }),
      ]),
    );
  });

  it('reports connections over the per-address and the total caps', async () => {
    const { url } = blueprint.service;
    // Three from 127.0.0.2 fill its share; the fourth is refused.
    for (let i = 0; i < 3; i++) expect((await idle(url, '127.0.0.2', REQUEST_IN_FLIGHT)).closed).toBe(false);
    expect((await idle(url, '127.0.0.2')).closed).toBe(true);
    // Three more from 127.0.0.3 fill the listener (6), each with a request in flight, so none can
    // make room: the next, from 127.0.0.4, is over the total (an idle one would be closed for it:
    // blueprint-idle-connection-flood-locks-out-new-clients.test.ts; so would a head arriving for
    // SLOW_HEAD_MS: blueprint-slow-head-aged-from-when-first-noticed.test.ts).
    for (let i = 0; i < 3; i++) await idle(url, '127.0.0.3', REQUEST_IN_FLIGHT);
    expect((await idle(url, '127.0.0.4')).closed).toBe(true);
    await connectionRefusalsLogged(blueprint, 'per_address', 'max_connections');
    expect(await connectionRefusalsCounted(blueprint, 'per_address')).toBe(1);
    expect(await connectionRefusalsCounted(blueprint, 'max_connections')).toBeGreaterThanOrEqual(1);
    expect(connectionRefusals(blueprint)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'per_address', listener: 'public', source: '127.0.0.2' }),
        expect.objectContaining({ outcome: 'max_connections', listener: 'public', source: '127.0.0.4' }),
      ]),
    );
    for (const socket of sockets.splice(0)) socket.destroy();
  });

  it('caps the admin listener per address, and reports it', async () => {
    const { adminUrl } = blueprint.service;
    for (let i = 0; i < 16; i++) expect((await idle(adminUrl, '127.0.0.5')).closed).toBe(false);
    expect((await idle(adminUrl, '127.0.0.5')).closed).toBe(true);
    // Another address still gets in: readiness and metrics stay reachable.
    expect((await fetch(`${adminUrl}/healthz`)).status).toBeLessThan(500);
    await connectionRefusalsLogged(blueprint, 'per_address');
    expect(connectionRefusals(blueprint)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ outcome: 'per_address', listener: 'admin', source: '127.0.0.5' }),
      ]),
    );
    for (const socket of sockets.splice(0)) socket.destroy();
  });
});
