// Regression: a client that hung up while sending its body was refused as if it had been too
// slow: readBody turned both a socket error and the client leaving into 'aborted', which the
// handler answered 408 body_timeout ("body not received within ... ms"). Five clients that sent
// 10 of 1000 declared bytes and left made rejectedByReason.body_timeout 5, five event.rejected
// lines with status 408, request.refused security events, and refusal and duration metrics of a
// 408 nobody was sent. A client leaving mid-body is now handled as one leaving at any other stage:
// 499 client_closed, not a refusal, no security event. A body that is too slow is still 408.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPort } from '../support/connection-refusals.js';
import { startAcmeBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';

const TOKEN = 'regression-abort-mid-body-token-0123456789';
const CLIENTS = 5;
/** Long enough that no client of the first test is timed out before it hangs up, even on a loaded machine. */
const TIMEOUT_MS = 3_000;

let blueprint: InProcessBlueprint;

beforeAll(async () => {
  blueprint = await startAcmeBlueprint('blueprint-abort-mid-body-', TOKEN, {
    tables: { ingress: { timeout_ms: TIMEOUT_MS } },
  });
});

afterAll(async () => {
  await blueprint?.stop();
});

/** A request head declaring 1000 bytes of body, and the first 10 of them. */
const PARTIAL =
  `POST /events HTTP/1.1\r\nhost: x\r\nx-tenant: acme\r\nauthorization: Bearer ${TOKEN}\r\n` +
  `content-type: application/json\r\ncontent-length: 1000\r\n\r\n{"type":"a`;

async function inFlight(count: number): Promise<void> {
  for (let waited = 0; waited < 15_000; waited += 5) {
    if (blueprint.service.health().inFlight.current === count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`in flight: ${blueprint.service.health().inFlight.current}, waited for ${count}`);
}

/** The sum of the metric's series whose line starts with `prefix` and holds every one of `labels`. */
async function counted(prefix: string, ...labels: string[]): Promise<number> {
  const text = await (await fetch(`${blueprint.service.adminUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(prefix) && labels.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

const DURATIONS = 'http_server_request_duration_seconds_count{';

describe('regression: a client aborting mid-body is counted as a body timeout', () => {
  it('counts clients that hang up mid-body as gone (499), not as refused 408 body_timeout', async () => {
    const sockets: Socket[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const socket = connect(hostPort(blueprint.service.url));
      socket.on('error', () => undefined);
      socket.write(PARTIAL);
      sockets.push(socket);
    }
    // Every request is reading its body: then its client hangs up.
    await inFlight(CLIENTS);
    for (const socket of sockets) socket.destroy();
    await inFlight(0);

    expect({
      bodyTimeouts: blueprint.service.stats.rejectedByReason.body_timeout ?? 0,
      refusedBodyTimeout: await counted(
        'plumbline_security_events_total{',
        'event="request.refused"',
        'outcome="body_timeout"',
      ),
      decisionsBodyTimeout: await counted('blueprint_ingress_decisions_total{', 'reason="body_timeout"'),
      answered408: await counted(DURATIONS, 'http_response_status_code="408"'),
      clientClosed499: await counted(DURATIONS, 'http_response_status_code="499"'),
    }).toEqual({
      bodyTimeouts: 0,
      refusedBodyTimeout: 0,
      decisionsBodyTimeout: 0,
      answered408: 0,
      clientClosed499: CLIENTS,
    });
  }, 30_000);

  it('still answers a body that does not arrive within the deadline 408 body_timeout', async () => {
    const before = blueprint.service.stats.rejectedByReason.body_timeout ?? 0;
    const socket = connect(hostPort(blueprint.service.url));
    socket.on('error', () => undefined);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write(PARTIAL);
    // The deadline closes the connection after the answer; bounded for a loaded machine.
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS + 10_000))]);
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"error":"body_timeout"');
    expect((blueprint.service.stats.rejectedByReason.body_timeout ?? 0) - before).toBe(1);
  }, 30_000);
});
