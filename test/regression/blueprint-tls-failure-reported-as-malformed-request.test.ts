// Regression: https reports a TLS handshake that failed or timed out as a clientError as well as a
// tlsClientError, and the connection guard answered it like a bad request head: an
// "HTTP/1.1 400" written into a socket that never finished its handshake, and a second security
// event, connection.refused malformed_request (with the TLS error code), beside the
// tls.handshake_failed the service reports. A socket still in its handshake is now closed and
// left to tls.handshake_failed; a bad request head over an established TLS connection is still a
// connection.refused with its 400.
import { readFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostPort } from '../support/connection-refusals.js';
import { startTlsAcmeBlueprint, type InProcessBlueprint } from '../support/in-process-blueprint.js';
import { waitFor } from '../support/process.js';

let blueprint: InProcessBlueprint & { readonly caCert: string };
let securityLog: string;

beforeAll(async () => {
  blueprint = await startTlsAcmeBlueprint('blueprint-tls-twice-', 'acme-token-0123456789', {
    headers_timeout_ms: 1_000,
    request_timeout_ms: 5_000,
  });
  securityLog = join(blueprint.dir, 'security.ndjson');
}, 60_000);

afterAll(() => blueprint?.stop());

function securityEvents(): Record<string, unknown>[] {
  return readFileSync(securityLog, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Sends `bytes` on a new TCP connection and resolves with what came back once it closes. */
function rawExchange(bytes: string | Buffer, localAddress: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connectTcp({ ...hostPort(blueprint.service.url), localAddress });
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('close', () => resolve(answer));
    socket.write(bytes);
  });
}

describe('regression: a failed TLS handshake was also reported as a malformed request', () => {
  it('plain HTTP on the TLS port and a stalled handshake: tls.handshake_failed only, no HTTP answer', async () => {
    const plain = await rawExchange('GET / HTTP/1.1\r\nhost: x\r\n\r\n', '127.0.0.21');
    const stalled = await rawExchange(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]), '127.0.0.22');
    expect(plain).not.toMatch(/^HTTP\/1\.1 400/);
    expect(stalled).toBe('');
    await waitFor('both handshake failures reported', () => {
      const sources = securityEvents()
        .filter((event) => event['event'] === 'tls.handshake_failed')
        .map((event) => event['source']);
      return sources.includes('127.0.0.21') && sources.includes('127.0.0.22') ? true : undefined;
    });
    const refused = securityEvents().filter(
      (event) =>
        event['event'] === 'connection.refused' &&
        (event['source'] === '127.0.0.21' || event['source'] === '127.0.0.22'),
    );
    expect(refused).toEqual([]);
  });

  it('a malformed head over an established TLS connection is still a connection.refused 400', async () => {
    const answer = await new Promise<string>((resolve) => {
      const socket = connectTls({
        ...hostPort(blueprint.service.url),
        ca: readFileSync(blueprint.caCert),
        servername: 'localhost',
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.once('close', () => resolve(text));
      socket.once('secureConnect', () => socket.write('GET /\x01 HTTP/1.1\r\n\r\n'));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await waitFor('the connection.refused event', () =>
      securityEvents().find(
        (event) => event['event'] === 'connection.refused' && event['outcome'] === 'malformed_request',
      ),
    );
  });
});
